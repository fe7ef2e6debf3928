/**
 * ZIP archives of a built extension directory, reproducible: entries in sorted order with a fixed
 * timestamp, so the same build gives byte-identical packages (and the same SHA-256 in release.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** ZIP's DOS timestamps start in 1980; any fixed instant will do. */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * Every file under `dir`, with `replace` overriding contents by relative path (e.g. a rewritten
 * manifest.json). Names use forward slashes, as browsers expect inside a package.
 */
export function zipDirectory(dir: string, replace: Record<string, Uint8Array> = {}): Uint8Array {
  const files: Zippable = {};
  for (const path of listFiles(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    files[name] = [replace[name] ?? readFileSync(path), { level: 9, mtime: FIXED_MTIME }];
  }
  for (const name of Object.keys(replace)) {
    if (!(name in files)) throw new Error(`${name} is not in ${dir}`);
  }
  return zipSync(files);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
