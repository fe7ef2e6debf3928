/**
 * The two browsers every in-browser bench compares side by side: Chromium with the built extension and
 * the same Chromium without it, for the same hosts. Both are closed once `run` ends, also when it
 * throws; a browser that died on close does not hide the error that killed it. Each keeps its profile
 * directory's path, by which a bench finds its processes (bench/cpu.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchWithExtension, type Launched } from '../test/e2e/support/index.js';

export type Browser = Launched & { profile: string };
/** [with the extension, without it] */
export type Pair = readonly [Browser, Browser];

/** `withArgs`: more command-line flags for the browser with the extension; `dir`: another unpacked build. */
export async function withAndWithout<T>(hosts: string[], run: (pair: Pair) => Promise<T>, opts: { withArgs?: string[]; dir?: string } = {}): Promise<T> {
  const profiles = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'ug-bench-profile-')));
  const launched = await Promise.allSettled([
    launchWithExtension({ hosts, profile: profiles[0], args: opts.withArgs, extensionDir: opts.dir }),
    launchWithExtension({ hosts, profile: profiles[1], extension: false }),
  ]);
  const up = launched.flatMap((r, i) => (r.status === 'fulfilled' ? [{ ...r.value, profile: profiles[i] }] : []));
  try {
    for (const r of launched) if (r.status === 'rejected') throw r.reason;
    return await run(up as unknown as Pair);
  } finally {
    await Promise.all(up.map((b) => b.close().catch(() => undefined)));
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  }
}
