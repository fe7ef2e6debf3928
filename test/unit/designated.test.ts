/** Rule 3 (designated by the company): keywords, patterns, name patterns, SHA-256 fingerprints, labels. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkName, scanBlob, scanText } from '../../src/detect/index.js';
import { nameMarks, textMarks } from '../../src/detect/rules/verdicts.js';
import { compileDesignated, compileMatchers, findDesignatedContent, findDesignatedName, normalizeLabel } from '../../src/detect/rules/designated.js';
import { zip } from '../support/zip-build.js';

const OFFICE = join(__dirname, '../fixtures/office');
const file = (n: string) => new Uint8Array(readFileSync(join(OFFICE, n)));
const blob = (b: Uint8Array | string) => new Blob([(typeof b === 'string' ? new TextEncoder().encode(b) : b) as Uint8Array<ArrayBuffer>]);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('compileDesignated', () => {
  it('is cached per policy object and drops invalid regular expressions', () => {
    const d = { patterns: ['(', 'PRJ-\\d{4}'], namePatterns: ['[', '^極秘_'], keywords: ['', '   ', 'Project Ｘ'] };
    const c = compileDesignated(d);
    expect(compileDesignated(d)).toBe(c);
    expect(c.content.map((x) => x.source)).toEqual(['Project Ｘ', 'PRJ-\\d{4}']);
    expect(c.names.map((x) => x.source)).toEqual(['^極秘_']);
    expect(c.fullText).toBe(true);
    expect(compileDesignated({ labels: ['x'] }).fullText).toBe(false);
  });
  it("the page hooks' matchers (compileMatchers, nameMarks, textMarks) answer as the verdicts do", () => {
    const d = { patterns: ['PRJ-\\d{4}'], namePatterns: ['^極秘_'], keywords: ['Project Ｘ'], sha256: ['AB'], labels: ['x'] };
    const m = compileMatchers(d);
    expect(compileMatchers(d)).toBe(m);
    expect(m.content.map((x) => x.source)).toEqual(compileDesignated(d).content.map((x) => x.source));
    expect(m.names.map((x) => x.source)).toEqual(['^極秘_']);
    const texts = ['秘 Confidential', '㊙\nCONFIDENTIAL', '社外秘', 'prj-2024 の件', 'project x', '秘書室', ''];
    for (const t of texts) for (const p of [undefined, d]) expect(textMarks(t, p), t).toBe(scanText(t, p).verdict === 'marked');
    const names = ['秘—見積.xlsx', 'C-budget.xlsx', 'CV—2024.pdf', '極秘_計画.docx', 'dir/秘ー x.txt', '\u202E秘—x', 'plan.docx'];
    for (const n of names) for (const p of [undefined, d]) expect(nameMarks(n, p), n).toBe(checkName(n, p) !== null);
    expect(nameMarks('極秘_計画.docx', d)).toBe(true);
    expect(textMarks('PRJ-1234', d)).toBe(true);
  });
  it('blank keywords never match everything', () => {
    expect(scanText('何でもない文章', { keywords: ['', ' ', '\u3000'] })).toEqual({ verdict: 'clean' });
  });
});

describe('keywords and patterns (content)', () => {
  it('keywords match after NFKC, case-insensitively, as literals', () => {
    expect(scanText('This is ＰＲＯＪＥＣＴ－Ｘ material', { keywords: ['project-x'] })).toMatchObject({ verdict: 'marked', rule: 3, reason: 'keyword' });
    expect(scanText('prxjectxx', { keywords: ['pr.ject'] }).verdict).toBe('clean');
    expect(scanText('a (b) [c]', { keywords: ['(b) [c]'] }).verdict).toBe('marked');
  });
  it('patterns use flags iu on normalised text; the excerpt quotes the match', () => {
    const v = scanText('案件番号 ＰＲＪ－２０２４ の資料', { patterns: ['PRJ-\\d{4}'] });
    expect(v).toMatchObject({ verdict: 'marked', rule: 3, reason: 'keyword' });
    expect(v.verdict === 'marked' && v.excerpt).toContain('PRJ-2024');
    const hit = findDesignatedContent('x prj-1234 y', compileDesignated({ patterns: ['PRJ-\\d{4}'] }));
    expect(hit).toMatchObject({ source: 'PRJ-\\d{4}', index: 2, match: 'prj-1234' });
  });
  it('rule 1 wins over rule 3 in the same text', () => {
    expect(scanText('秘 Confidential PRJ-2024', { patterns: ['PRJ-\\d{4}'] })).toMatchObject({ rule: 1 });
  });
  it('a keyword in a member of a zip → rule 3 with the path', async () => {
    const z = zip({ 'a/readme.txt': 'nothing', 'b/plan.txt': '来期の新製品 Falcon の計画' });
    expect(await scanBlob(blob(z), 'x.zip', { designated: { keywords: ['falcon'] } })).toMatchObject({
      verdict: 'marked',
      rule: 3,
      reason: 'keyword',
      location: { path: ['b/plan.txt'] },
    });
    expect((await scanBlob(blob(z), 'x.zip', { designated: { keywords: ['eagle'] } })).verdict).toBe('clean');
  });
  it('a keyword in a docx footer (full-text mode reads parts without 秘)', async () => {
    // writer-traps.docx has 秘書室 in the footer and no stamp anywhere.
    expect(await scanBlob(blob(file('writer-traps.docx')), 'x.docx', { designated: { keywords: ['秘書室'] } })).toMatchObject({ verdict: 'marked', rule: 3 });
    expect(await scanBlob(blob(file('writer-plain.docx')), 'x.docx', { designated: { keywords: ['普通の内容'] } })).toMatchObject({
      verdict: 'marked',
      rule: 3,
      location: { part: 'word/document.xml', area: 'body' },
    });
  });
});

describe('name patterns', () => {
  it('match the base name (NFKC, flag u) and yield rule 3 name-pattern', () => {
    const d = { namePatterns: ['^極秘_', '\\.secret$'] };
    expect(checkName('設計/極秘_図面.pdf', d)).toMatchObject({ verdict: 'marked', rule: 3, reason: 'name-pattern', excerpt: '極秘_図面.pdf' });
    expect(checkName('C:\\Users\\a\\plan.secret', d)).toMatchObject({ rule: 3 });
    expect(checkName('極秘_/plan.txt', d)).toBeNull();
    expect(findDesignatedName('ｘ.ＳＥＣＲＥＴ', compileDesignated({ namePatterns: ['\\.SECRET$'] }))).toBe('\\.SECRET$');
    expect(findDesignatedName('x.secret', compileDesignated({ namePatterns: ['\\.SECRET$'] }))).toBeNull();
  });
  it('rule 2 wins over a name pattern', () => {
    expect(checkName('秘—極秘_x.txt', { namePatterns: ['^秘'] })).toMatchObject({ rule: 2 });
  });
  it('a member of an archive matching a name pattern marks the archive, with the path', async () => {
    const z = zip({ 'a.txt': 'x', '図面/極秘_ライン.txt': 'no stamp' });
    expect(await scanBlob(blob(z), 'x.zip', { designated: { namePatterns: ['^極秘_'] } })).toMatchObject({
      verdict: 'marked',
      rule: 3,
      reason: 'name-pattern',
      location: { path: ['図面/極秘_ライン.txt'] },
    });
  });
});

describe('SHA-256 fingerprints', () => {
  const doc = file('writer-plain.docx');
  it('hash:true returns the SHA-256 of the input, equal to node:crypto', async () => {
    const r = await scanBlob(blob(doc), 'x.docx', { hash: true });
    expect(r).toMatchObject({ verdict: 'clean', sha256: sha(doc) });
    expect((await scanBlob(blob(doc), 'x.docx')).sha256).toBeUndefined();
  });
  it('a designated fingerprint (any case, spaces around) marks the file: rule 3 sha256', async () => {
    for (const h of [sha(doc), ` ${sha(doc).toUpperCase()} `]) {
      const r = await scanBlob(blob(doc), 'x.docx', { designated: { sha256: [h] } });
      expect(r).toMatchObject({ verdict: 'marked', rule: 3, reason: 'sha256', location: { path: [] }, excerpt: sha(doc), sha256: sha(doc) });
    }
  });
  it('another fingerprint leaves it clean, with the hash reported', async () => {
    const r = await scanBlob(blob(doc), 'x.docx', { designated: { sha256: ['0'.repeat(64)] } });
    expect(r).toMatchObject({ verdict: 'clean', sha256: sha(doc) });
  });
  it('a one-byte change is no longer the designated file', async () => {
    const other = doc.slice();
    other[other.length - 1] ^= 1;
    expect((await scanBlob(blob(other), 'x.docx', { designated: { sha256: [sha(doc)] } })).verdict).not.toBe('marked');
  });
  // Archives are read recursively, so a designated file zipped (or inside a docx/tar/gz) is found too.
  it('the designated file inside a zip is found ', async () => {
    const z = zip({ 'plan.docx': doc });
    expect(await scanBlob(blob(z), 'x.zip', { designated: { sha256: [sha(doc)] } })).toMatchObject({ verdict: 'marked', rule: 3, reason: 'sha256' });
  });
});

describe('labels', () => {
  it('normalizeLabel: braces, case and spaces do not matter', () => {
    expect(normalizeLabel(' {F42AA342-8706-4288-BD11-EBB85995028C} ')).toBe('f42aa342-8706-4288-bd11-ebb85995028c');
    expect(normalizeLabel('Confidential')).toBe('confidential');
    expect(compileDesignated({ labels: ['{ABC}', 'Name'] }).labels).toEqual(new Set(['abc', 'name']));
  });
  it('labels alone never mark text', () => {
    expect(scanText('Confidential 取扱注意', { labels: ['Confidential', '取扱注意'] })).toEqual({ verdict: 'clean' });
  });
});
