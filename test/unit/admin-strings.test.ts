/**
 * The admin page's strings are all in use: a key no view reads any more (the old token sign-in's words,
 * outcome words now in words.ts) is stale text a translator would keep up for nothing. Japanese and
 * English have the same keys by type (Strings, AccessText); this checks the other direction.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../src/collector/admin');
const views = readdirSync(DIR)
  .filter((f) => f.endsWith('.tsx'))
  .map((f) => readFileSync(join(DIR, f), 'utf8'))
  .join('\n');

/** Top-level keys of the `const ja = { … }` object of a strings module. */
function keys(file: string): string[] {
  const src = readFileSync(join(DIR, file), 'utf8');
  const ja = src.slice(src.indexOf('const ja = {'), src.indexOf('\n};', src.indexOf('const ja = {')));
  return [...ja.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]!);
}

describe('admin page strings', () => {
  it.each([
    ['i18n.ts', 't'],
    ['access-text.ts', '(?:s|accessText)'],
  ])('every key of %s is read by a view', (file, name) => {
    const list = keys(file);
    expect(list.length).toBeGreaterThan(10);
    const unused = list.filter((k) => !new RegExp(`\\b${name}\\.${k}\\b`).test(views));
    expect(unused).toEqual([]);
  });
});
