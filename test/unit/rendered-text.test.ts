/**
 * Plain text whose viewer renders markup (Markdown, subtitles, terminal escapes, roff, gettext, HTML
 * references as browsers take them): read as shown, besides as written (test/fixtures/text/rendered).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/text/rendered');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
/** A text file holding `text`, scanned as an upload is. */
const scanText = (text: string) => scanBlob(new Blob([text]), 'note.txt');
const CLEAN = new Set(['fp_winpath.log', 'trap_css_before.html']);
const files = readdirSync(DIR).filter((f) => !/\.(py|md)$/.test(f) || /^md_/.test(f));

describe('text as its viewer renders it', () => {
  it('keeps every fixture', () => expect(files.length).toBeGreaterThanOrEqual(30));
  it.each(files.filter((f) => !CLEAN.has(f)))('%s is marked', async (name) => {
    const r = await scan(name);
    expect(r.verdict, JSON.stringify(r)).toBe('marked');
  });
  it('a Windows path through folders 秘 and Confidential is not the stamp', async () => {
    expect((await scan('fp_winpath.log')).verdict).toBe('clean');
  });
  it('a ::before 「秘」 on a paragraph of 書室… stays clean (and an icon font glyph changes nothing)', async () => {
    expect((await scan('trap_css_before.html')).verdict).toBe('clean');
  });
  it.each([
    ['markup between that stays text', '秘<br>書室 Confidential'],
    ['a ruby reading over another word', '<ruby>秘書<rt>ひしょ</rt></ruby> Confidential'],
    ['a subtitle code between 秘 and a word', '秘 {\\b1}書室 Confidential'],
    ['a terminal colour between 秘 and a word', '秘\x1b[1m書室\x1b[0m Confidential'],
    ['continued strings that spell 秘書', '"秘"\n"書 Confidential"'],
    ['a table row with an empty cell between', '| 秘 | | Confidential |'],
    ['an Aozora Bunko note over 秘 of 秘書室', '秘［＃「秘」に傍点］書室　Confidential'],
    ['an Aozora Bunko note between 社外秘 and its sentence', '社外秘［＃「社外秘」に傍点］扱い　Confidential'],
  ])('%s stays clean', async (_what, text) => {
    expect((await scanText(text)).verdict).toBe('clean');
  });
  it.each([
    ['a table row, neighbouring cells', '| 秘 | Confidential |'],
    ['an overstruck (bold) word', '秘 C\bCo\bon\bnf\bfi\bid\bde\ben\bnt\bti\bia\bal\bl'],
    ['an OSC 8 link', '秘 \x1b]8;;https://example.com\x1b\\Confidential\x1b]8;;\x1b\\'],
  ])('%s is marked', async (_what, text) => {
    expect((await scanText(text)).verdict).toBe('marked');
  });
});

describe('blanks and invisible characters padding 秘 from Confidential past the decoded window', () => {
  it.each([
    ['400 zero-width spaces', '\u200b'.repeat(400)],
    ['700 soft hyphens', '\u00ad'.repeat(700)],
    ['450 word joiners', '\u2060'.repeat(450)],
    ['an ideographic variation selector and 400 emoji presentation selectors', '\u{E0100}' + '\ufe0f'.repeat(400)],
    ['1,300 spaces', ' '.repeat(1300)],
    ['5,000 line breaks', '\n'.repeat(5000)],
  ])('%s', async (_what, gap) => {
    const text = `報告書\n秘${gap}Confidential\n本文`;
    expect((await scanText(text)).verdict).toBe('marked');
    // The same gap before a word that is no stamp stays clean.
    expect((await scanText(text.replace('Confidential', '書室のお知らせ'))).verdict).toBe('clean');
  });
});

describe('roff spaces and continued lines (groff -man prints 「秘 Confidential」: red team mail3 #10)', () => {
  it.each([
    ['a digit-width space \\0', '.TH X 1\n.PP\n秘\\0Confidential\n'],
    ['an unbreakable space \\~', '.TH X 1\n.PP\n秘\\~Confidential\n'],
    ['a line continued by \\c into a font macro', '.TH X 1\n.PP\n秘 \\c\n.B Confidential\n'],
  ])('%s: marked; the same with 秘書室 clean', async (_, source) => {
    expect(await scanBlob(new Blob([source]), 'x.1')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([source.replace('秘', '秘書室')]), 'x.1')).toMatchObject({ verdict: 'clean' });
  });
});

describe("a string in a JSX expression or a template's mustache is shown (text3 #1: React's {\" \"} kept the stamp clean)", () => {
  it.each([
    ['JSX, an explicit space', '<p>秘{" "}Confidential</p>\n', 'x.jsx'],
    ['JSX wrapped by Prettier', 'return (\n  <p>\n    秘{\' \'}\n    Confidential\n  </p>\n);\n', 'x.tsx'],
    ['JSX, 秘 as a string', '<p>{"秘"} Confidential</p>\n', 'x.jsx'],
    ['JSX, a template literal', '<p>{`秘`}{` `}Confidential</p>\n', 'x.jsx'],
    ['Vue, a mustache', "<p>秘{{ ' ' }}Confidential</p>\n", 'x.vue'],
  ])('%s: marked; the same with 秘書室 or 社外秘 and no word after clean', async (_, source, name) => {
    expect(await scanBlob(new Blob([source]), name)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([source.replace('秘', '秘書室')]), name)).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob([source.replace('秘', '社外秘').replace('Confidential', '資料')]), name)).toMatchObject({ verdict: 'clean' });
  });
  it('an object literal or a string with a brace in it is no shown string', async () => {
    expect((await scanText('const a = {"秘": 1}; const b = {"Confidential": 2};')).verdict).toBe('clean');
    expect((await scanText('秘{"{"}Confidential')).verdict).toBe('clean');
  });
});

describe('a gap of any length between 秘 and Confidential, wherever the search slices the file (text3 #5)', () => {
  const SLICE = 512 << 10; // byte-scan.ts SLICE
  /** UTF-16LE with a byte order mark; Shift_JIS for the few characters used here (the full-width space is 81 40). */
  const utf16 = (s: string) => Buffer.from('\ufeff' + s, 'utf16le');
  const SJIS: Record<string, number[]> = { 秘: [0x94, 0xe9], 書: [0x8f, 0x91], 室: [0x8e, 0xba], 会: [0x89, 0xef], 議: [0x8b, 0x63], '\u3000': [0x81, 0x40] };
  const sjis = (s: string) => Buffer.from([...s].flatMap((c) => SJIS[c] ?? [c.charCodeAt(0)]));
  const utf8 = (s: string) => Buffer.from(s);
  /** 秘 placed `before` bytes ahead of the first slice's end (in UTF-8), then the gap, then the word. */
  const at = (before: number, gap: string, word = 'Confidential') => `会議\n${'x'.repeat(SLICE - before - 8)}\n秘${gap}${word}\n会議\n`;
  it.each([
    ['3,000 spaces, 秘 in the last bytes of a slice (UTF-8)', utf8, at(4, ' '.repeat(3000))],
    ['3,000 spaces, 秘 600 bytes before a slice ends (Shift_JIS)', sjis, at(600, ' '.repeat(3000))],
    // (The byte order mark and 「会議⏎」 are 8 bytes, then two bytes a character.)
    ['3,000 spaces, 秘 1,300 bytes before a slice ends (UTF-16)', utf16, `会議\n${'x'.repeat((SLICE - 1310) / 2)}\n秘${' '.repeat(3000)}Confidential\n`],
    ['600,000 spaces (past a whole slice)', utf8, `会議\n秘${' '.repeat(600_000)}Confidential\n`],
    ['3 MiB of line breaks', utf8, `会議\n秘${'\n'.repeat(3 << 20)}Confidential\n`],
    ['a million full-width spaces (Shift_JIS)', sjis, `会議\n秘${'\u3000'.repeat(1_000_000)}Confidential\n`],
    ['a million zero-width spaces and spaces (UTF-16)', utf16, `会議\n秘${'\u200b '.repeat(500_000)}Confidential\n`],
    // Markup that renders as a blank or nothing is part of the gap (Markdown's inline HTML, a padded export).
    ['a <br> and 1,300 spaces', utf8, `会議\n秘<br>${' '.repeat(1300)}Confidential\n`],
    ['a <br> and 600,000 spaces', utf8, `会議\n秘<br>${' '.repeat(600_000)}Confidential\n`],
    ['200,000 lines of &nbsp;', utf8, `会議\n秘${'&nbsp;\n'.repeat(200_000)}Confidential\n`],
    ['300,000 lines of <br> and a comment (tags cut between the pieces read)', utf8, `会議\n秘${'<br>\n'.repeat(300_000)}<!-- x -->Confidential\n`],
  ])('%s: marked; the same gap before 書室 clean', async (_, encode, text) => {
    expect((await scanBlob(new Blob([encode(text)]), 'pad.txt')).verdict).toBe('marked');
    expect((await scanBlob(new Blob([encode(text.replace('Confidential', '書室 Confidential'))]), 'pad.txt')).verdict).toBe('clean');
  });
});

describe('the emoji shortcode :secret: in Markdown and JSON, which GitHub and Slack show as ㊙️ (text3 #6)', () => {
  it.each([
    ['Markdown', '# 報告\n\n:secret: Confidential\n', 'memo.md'],
    ['Markdown, bold', '# 報告\n\n**:secret:** **Confidential**\n', 'README.markdown'],
    ['Markdown, past 2 MB of text', `# 報告\n${'lorem ipsum\n'.repeat(200_000)}:secret:\nConfidential\n`, 'long.md'],
    ['a Slack export', '[{"type":"message","user":"U1","text":":secret: Confidential"}]\n', 'general/2024-01-01.json'],
    ['Markdown, 3,000 spaces after the shortcode', `# 報告\n:secret:${' '.repeat(3000)}Confidential\n`, 'pad.md'],
  ])('%s: marked; 秘書室 after it, or the shortcode alone, clean', async (_, text, name) => {
    expect(await scanBlob(new Blob([text]), name)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([text.replace(':secret:', ':secret:書室')]), name)).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob([text.replace('Confidential', '')]), name)).toMatchObject({ verdict: 'clean' });
  });
  it('in plain text the shortcode shows as written: clean', async () => {
    expect((await scanText(':secret: Confidential\n')).verdict).toBe('clean');
  });
});

// test/fixtures/text/sylk/make.sh: LibreOffice Calc's SYLK export writes a line break in a cell as ESC, space, colon,
// and Calc shows the cell on two lines when it opens the file (producer hunt prod11).
describe("a line break in a SYLK cell is read as one (LibreOffice's `\\x1B :`)", () => {
  const SYLK = join(__dirname, '../fixtures/text/sylk');
  const scanSylk = (name: string) => scanBlob(new Blob([readFileSync(join(SYLK, name))]), name);
  it('「秘」⏎「Confidential」 in one cell is marked', async () => {
    expect(await scanSylk('lo-cell-break-stamp.slk')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it.each(['lo-cell-break-trap.slk', 'lo-cell-break-trap2.slk'])('%s (「秘書室」, 「社外秘です」 above 「Confidential」) is clean', async (name) => {
    expect(await scanSylk(name)).toMatchObject({ verdict: 'clean' });
  });
});
