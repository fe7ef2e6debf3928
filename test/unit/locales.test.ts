/** ja (default) and en must offer the same strings with the same placeholders, or one language shows raw keys. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
const load = (lang: string): Messages => JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`, import.meta.url), 'utf8'));
const ja = load('ja');
const en = load('en');
const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8'));

describe('_locales', () => {
  it('ja is the default and both have the same keys', () => {
    expect(manifest.default_locale).toBe('ja');
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });
  it('say which language they are', () => {
    expect(ja.ui_lang.message).toBe('ja');
    expect(en.ui_lang.message).toBe('en');
  });
  it('use the same placeholders, each defined', () => {
    for (const key of Object.keys(ja)) {
      const used = (m: Messages) => [...m[key].message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((x) => x[1].toLowerCase()).sort();
      expect(used(en), key).toEqual(used(ja));
      for (const m of [ja, en]) for (const p of used(m)) expect(m[key].placeholders?.[p], `${key}: $${p}$`).toBeDefined();
    }
  });
  it('have keys Chrome accepts', () => {
    for (const key of Object.keys(ja)) expect(key, key).toMatch(/^[A-Za-z0-9_@]+$/);
  });
});
