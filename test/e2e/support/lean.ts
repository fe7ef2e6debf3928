/**
 * The built extension as the NETWORK_LAYER=off package (vite.config.ts): the same code, its manifest
 * without webRequest, webRequestBlocking and declarativeNetRequest. Copied from dist/, so a test or a bench runs both packages
 * of one build.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './browser.js';

/** Writes the copy under `root` and returns its folder. */
export function withoutNetworkLayer(root: string): string {
  const dir = join(root, 'dist-no-network-layer');
  cpSync(DIST, dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  m.permissions = m.permissions.filter((p: string) => p !== 'webRequest' && p !== 'webRequestBlocking' && p !== 'declarativeNetRequest');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}
