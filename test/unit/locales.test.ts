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

/**
 * The words every screen uses (the employee's _locales, the admin's tables, the places of describe.ts):
 * one name for the marking (「秘」区分 / 秘 Confidential), never 社外秘 (another classification in
 * Japanese companies) or a made-up one; Japanese punctuation in Japanese, English quotes in English.
 */
describe('one name for the marking, and each language its own punctuation', () => {
  const adminWords = async () => {
    const w = await import('../../src/collector/words.js');
    const d = await import('../../src/detect/describe.js');
    const tables = [w.VERDICT_WORDS, w.ACTION_WORDS, w.OUTCOME_WORDS, w.CATEGORY_WORDS, w.CHANNEL_WORDS, w.REASON_WORDS, w.RULE_WORDS, d.AREA_WORDS];
    return { ja: tables.flatMap((t) => Object.values(t).map((x) => x.ja)), en: tables.flatMap((t) => Object.values(t).map((x) => x.en)) };
  };
  const all = async () => {
    const a = await adminWords();
    return { ja: [...Object.values(ja).map((m) => m.message), ...a.ja], en: [...Object.values(en).map((m) => m.message), ...a.en] };
  };
  it('never 社外秘 or another name for the marking', async () => {
    const { ja: j, en: e } = await all();
    for (const s of [...j, ...e]) expect(s, s).not.toMatch(/社外秘|秘情報|機密表示|機密情報|極秘/);
    // 秘 appears only as the marking's own forms: 「秘」区分, 「秘 Confidential」, a name's 「秘—」 (and Office's 秘密度ラベル, a sensitivity label).
    for (const s of j) expect(s.replace(/「秘」区分|「秘 Confidential」|「秘—」|秘密度ラベル/g, ''), s).not.toContain('秘');
    for (const s of e) expect(s.replace(/秘 Confidential|[“「]?秘—[”」]?/g, ''), s).not.toContain('秘');
  });
  it('English quotes in English, Japanese punctuation in Japanese', async () => {
    const { ja: j, en: e } = await all();
    for (const s of e) expect(s, s).not.toMatch(/[「」：（）]/);
    for (const s of j) expect(s, s).not.toMatch(/[^\x00-\x7f][:] /);
  });
});

describe("the admin's words are the employee's", () => {
  it('actions, verdicts and categories read the same in the admin page and the popup', async () => {
    const w = await import('../../src/collector/words.js');
    for (const [prefix, table] of [['action', w.ACTION_WORDS], ['verdict', w.VERDICT_WORDS], ['category', w.CATEGORY_WORDS]] as const) {
      for (const [k, v] of Object.entries(table)) {
        expect(v.ja, `${prefix}_${k}`).toBe(ja[`${prefix}_${k}`].message);
        expect(v.en, `${prefix}_${k}`).toBe(en[`${prefix}_${k}`].message);
      }
    }
  });
});
