/**
 * Characters written by their code rather than as text: a Word symbol (<w:sym w:char="79D8"/>, the
 * docx package's SymbolRun, test/fixtures/symbols/make.cjs), an RTF SYMBOL field whose result is empty,
 * the label of a WordPad / Word 95 list ({\pntext}), and `\xHH` in a YAML or JavaScript string. Each was
 * clean with 秘 shown (a red team's round 3); each twin (秘書室) stays clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { MarkupWindows } from '../../src/detect/extract/markup-windows.js';

const FIX = join(__dirname, '../fixtures/symbols');
const scan = (name: string, data: string | Uint8Array<ArrayBuffer>) => scanBlob(new Blob([data]), name);
const file = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(FIX, name)));

describe('characters written by their code', () => {
  it.each(['symbol.docx', 'symbol-long.docx'])('%s: a Word symbol is its character, also where the part is ASCII only', async (name) => {
    expect(await scan(name, file(name))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(name, file(name.replace('.docx', '-twin.docx')))).toMatchObject({ verdict: 'clean' });
  });

  it('a symbol font\'s own glyphs (F000–F0FF: Wingdings, Symbol) are not characters', async () => {
    const w = new MarkupWindows(undefined, true);
    w.push(new TextEncoder().encode('<w:p><w:r><w:sym w:font="Wingdings" w:char="F0A7"/></w:r><w:r><w:t>Confidential</w:t></w:r></w:p>'));
    expect(w.finish().join('')).toBe('Confidential\n');
  });

  it('a Word part read in chunks: `w:char=` split across two chunks at every place is found', () => {
    const xml = new TextEncoder().encode(`<w:p>${'<w:r><w:t>plain words </w:t></w:r>'.repeat(50)}<w:r><w:sym w:font="MS Mincho" w:char="79D8"/></w:r><w:r><w:t> Confidential</w:t></w:r></w:p>`);
    const at = new TextDecoder().decode(xml).indexOf('w:char=');
    for (let cut = at - 2; cut <= at + 8; cut++) {
      const w = new MarkupWindows(undefined, true);
      w.push(xml.subarray(0, cut));
      w.push(xml.subarray(cut));
      expect(w.finish().join(''), `cut at ${cut - at}`).toContain('秘 Confidential');
    }
  });

  it('an RTF SYMBOL field with an empty result shows its character (\\u Unicode, \\j or two bytes Shift_JIS); one with a result is read once', async () => {
    const rtf = (field: string, after = ' Confidential') =>
      `{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0\\fnil\\fcharset128 MS Mincho;}}\n\\pard{\\field{\\*\\fldinst ${field}}{\\fldrslt }}${after}\\par\n}`;
    for (const field of ['SYMBOL 31192 \\\\f "MS Mincho" \\\\u', 'SYMBOL 0x94E9 \\\\j', 'SYMBOL 38121 \\\\f "MS Mincho"']) {
      expect(await scan('memo.rtf', rtf(field)), field).toMatchObject({ verdict: 'marked', rule: 1 });
    }
    expect(await scan('memo.rtf', rtf('SYMBOL 31192 \\\\u', "\\'8f\\'91\\'8e\\'ba Confidential"))).toMatchObject({ verdict: 'clean' });
    const withResult = `{\\rtf1\\ansi{\\field{\\*\\fldinst SYMBOL 31192 \\\\u}{\\fldrslt \\u31192?}} Confidential\\par}`;
    expect(await scan('memo.rtf', withResult)).toMatchObject({ verdict: 'marked', rule: 1, excerpt: expect.not.stringContaining('秘秘') });
  });

  it('an RTF list label written the WordPad / Word 95 way ({\\pntext}) is read before its paragraph', async () => {
    const rtf = (label: string) => `{\\rtf1\\ansi\\ansicpg932{\\fonttbl{\\f0\\fnil\\fcharset128 MS Mincho;}}\n\\pard{\\pntext\\f0 ${label}\\tab}{\\*\\pn\\pnlvlblt\\pnf0{\\pntxtb ${label}}}Confidential\\par\n}`;
    expect(await scan('memo.rtf', rtf("\\'94\\'e9"))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('memo.rtf', rtf("\\'81\\'9c"))).toMatchObject({ verdict: 'clean' });
  });

  it('`\\xHH` in a YAML double-quoted string is a character', async () => {
    expect(await scan('notes.yaml', 'title: report\nnote: "\\u79D8\\x20Confidential"\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('notes.yaml', 'title: report\nnote: "\\u79D8\\u66F8\\u5BA4\\x20Confidential"\n')).toMatchObject({ verdict: 'clean' });
  });

  it('`\\u{…}` (a code point in braces: JavaScript since ES2015, Rust, Swift) is a character', async () => {
    expect(await scan('labels.js', 'export const label = "\\u{79D8} Confidential";\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('labels.rs', 'const LABEL: &str = "\\u{3299}\\u{20}Confidential";\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('labels.js', 'export const label = "\\u{79D8}\\u{66F8}\\u{5BA4} Confidential";\n')).toMatchObject({ verdict: 'clean' }); // 秘書室
  });
});
