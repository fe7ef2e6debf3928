/**
 * Fields that show text of their own (test/fixtures/fields): a legacy drop-down form field shows the
 * entry picked from its list; MACROBUTTON shows the words after the macro's name; an RTF field result
 * written as an ignorable destination (`{\*\fldrslt}`, AbiWord's hyperlinks) is the text on the page;
 * an XML attribute whose name is not ASCII (UOF's 表:名称) is read like any other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { withFieldsShown } from '../../src/detect/extract/field-shown.js';
import { zip } from '../support/zip-build.js';
import { strToU8, unzipSync, zipSync } from 'fflate';

const DIR = join(__dirname, '../fixtures/fields');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);

const MARKED = [
  'word-formdropdown.docx',
  'lo-formdropdown.odt',
  'lo-formdropdown.rtf',
  'word-macrobutton-simple.docx',
  'lo-placeholder.rtf',
  'abiword-hyperlink.rtf',
  'lo-uof-sheetname.uos',
  'lo-uof-validation-error.uos',
  'exceljs-link-screentip.xlsx',
  'gnumeric-link-screentip.ods',
  'lo-docproperty-field.docx',
  'lo-docproperty-field.doc',
  'pydocx-header-title-field.docx',
  'lo-dropdown-field.doc',
  'word-enclosed-circle.docx',
  'word-enclosed-square-up.docx',
  'word-enclosed.rtf',
  'word-enclosed.doc',
];

describe('fields that show text of their own', () => {
  it.each(MARKED)('%s → marked (rule 1)', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(MARKED.map((n) => n.replace(/(\.\w+)$/, '-twin$1')))('%s (部 Confidential) → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('a drop-down shows the entry picked, not the others in its list', async () => {
    const rtf = bytes('lo-formdropdown.rtf').toString('latin1');
    expect(rtf).toContain('\\ffres1');
    const pick = (n: number) => scanBlob(new Blob([Buffer.from(rtf.replace('\\ffres1', `\\ffres${n}`), 'latin1')]), 'x.rtf');
    expect(await pick(0)).toMatchObject({ verdict: 'clean' }); // 公開 is shown
    expect(await pick(1)).toMatchObject({ verdict: 'marked' });

    const docx = (list: string) =>
      zip({
        '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        '_rels/.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        'word/document.xml': `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>区分：</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:ddList>${list}<w:listEntry w:val="公開"/><w:listEntry w:val="秘 Confidential"/></w:ddList></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMDROPDOWN </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body></w:document>`,
      });
    const word = (list: string) => scanBlob(new Blob([docx(list)]), 'x.docx');
    expect(await word('')).toMatchObject({ verdict: 'clean' }); // no result, no default: the first entry
    expect(await word('<w:default w:val="1"/>')).toMatchObject({ verdict: 'marked', excerpt: expect.stringMatching(/区分.秘 Confidential/) });
    expect(await word('<w:result w:val="0"/><w:default w:val="1"/>')).toMatchObject({ verdict: 'clean' });
  });

  it('another field instruction (HYPERLINK) shows nothing of its own', async () => {
    const rtf = '{\\rtf1\\ansi{\\field{\\*\\fldinst HYPERLINK "https://example.com/\\u31192?Confidential"}{\\fldrslt link}}\\par}';
    expect(await scanBlob(new Blob([rtf]), 'x.rtf')).toMatchObject({ verdict: 'clean' });
  });
});

describe('Word complex fields: the result is on the page, the instruction is not', () => {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  const run = (inner: string) => `<w:r>${inner}</w:r>`;
  const fld = (type: string) => run(`<w:fldChar w:fldCharType="${type}"/>`);
  const instr = (t: string) => run(`<w:instrText xml:space="preserve">${t}</w:instrText>`);
  const text = (t: string) => run(`<w:t xml:space="preserve">${t}</w:t>`);
  /** The python-docx fixture with its body replaced by one paragraph of `runs`. */
  const docx = (runs: string) => {
    const parts = unzipSync(bytes('pydocx-header-title-field-twin.docx'));
    parts['word/document.xml'] = strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body><w:p>${runs}</w:p></w:body></w:document>`);
    return scanBlob(new Blob([zipSync(parts)]), 'x.docx');
  };

  it('「秘 」 + { DOCPROPERTY } with the result 「Confidential」 is the stamp; a twin with 「部」 is not', async () => {
    const field = fld('begin') + instr(' DOCPROPERTY "Classification" \\* MERGEFORMAT ') + fld('separate') + text('Confidential') + fld('end');
    expect(await docx(text('秘 ') + field)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await docx(text('部 ') + field)).toMatchObject({ verdict: 'clean' });
  });

  it('an instruction split over runs, with a nested field in it, is taken out whole', async () => {
    const nested = fld('begin') + instr(' DOCPROPERTY ') + instr('"Class" ') + fld('separate') + text('x') + fld('end');
    const field = fld('begin') + instr(' IF ') + nested + instr(' = "x" "Confidential" "" ') + fld('separate') + text('Confidential') + fld('end');
    expect(await docx(text('秘 ') + field)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('a field with no result shows what its instruction shows of its own (MACROBUTTON), and nothing else', async () => {
    expect(await docx(fld('begin') + instr(' MACROBUTTON NoMacro ') + instr('秘 Confidential') + fld('end'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await docx(text('秘 ') + fld('begin') + instr(' HYPERLINK "https://example.com/Confidential" ') + fld('separate') + text('リンク') + fld('end'))).toMatchObject({ verdict: 'clean' });
  });
});


describe("a .doc's fields as Word shows them (withFieldsShown)", () => {
  it('blanks instructions (nested ones too) with NUL, keeps results and what an instruction shows, and never moves an offset', () => {
    const doc = '秘 \x13 DOCPROPERTY "Class" \x14Confidential\x15 / \x13 IF \x13 REF x \x14y\x15 = "y" "a" \x14a\x15 / \x13 SYMBOL 31192 \\u \x15';
    const shown = withFieldsShown(doc);
    expect(shown).toHaveLength(doc.length);
    expect(shown.replace(/[\0\x13-\x15]/g, '')).toBe('秘 Confidential / a / 秘');
  });

  it("shows ruby's base whatever the keyword before it (the field table types a .doc's field): a damaged EQ, a trap base", () => {
    const read = (doc: string) => withFieldsShown(doc).replace(/[\0\x13-\x15]/g, '');
    expect(read('\x13 ｅQ \\* jc3 \\* hps12 \\o\\al(\\s\\up 10(ひ),秘)\x15 Confidential')).toBe('秘 Confidential');
    expect(read('\x13 ｅQ \\o\\al(\\s\\up 10(ひしょ),秘書)\x15室 Confidential')).toBe('秘書室 Confidential');
    // No ruby drawn: the instruction shows nothing, however it starts.
    expect(read('\x13 ｅQ \\f(秘,2)\x15 Confidential')).toBe(' Confidential');
  });

  it('shows the character of a 囲い文字 (Enclose Characters: 秘 in a circle is ㊙), not its frame; traps stay traps', () => {
    const read = (doc: string) => withFieldsShown(doc).replace(/[\0\x13-\x15]/g, '');
    expect(read('\x13 eq \\o\\ac(○,秘)\x15 Confidential')).toBe('秘 Confidential');
    expect(read('\x13 EQ \\o\\ac(△,\\s\\up 1(秘))\x15Confidential')).toBe('秘Confidential');
    expect(read('社外\x13 eq \\o\\ac(○,秘)\x15 / \x13 eq \\o\\ac(○,秘)\x15書室 Confidential')).toBe('社外秘 / 秘書室 Confidential');
    // An overstrike that is no enclosing frame shows nothing of its own (as before).
    expect(read('\x13 eq \\o(秘,x)\x15 Confidential')).toBe(' Confidential');
  });
});
