/**
 * Hidden text between 「秘」 and 「Confidential」 (test/fixtures/hidden-text, LibreOffice's conversions of a
 * hand-written flat ODT): the document shows and prints 「秘 Confidential」, so it is also read that way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/hidden-text');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('hidden text is also read as the page shows it', () => {
  it.each(['hidden.docx', 'hidden.odt', 'hidden.fodt', 'hidden.rtf', 'hidden.doc', 'hidden.abw'])('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['trap.docx', 'trap.odt', 'trap.fodt', 'trap.rtf', 'trap.doc', 'trap.abw'])('%s (秘 + hidden 書室 + の Confidential) is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });
});

describe('text hidden through a style is also left out of the page as shown (fixtures in styles/)', () => {
  // styles/README.md: python-docx's hidden character style, and LibreOffice 7.4's conversions of flat ODT
  // sources hiding 「書室」 by a named character style, a style inheriting one, a paragraph style, a section
  // (.doc: the style's sprmCFVanish in the stylesheet, named by the run's sprmCIstd or the paragraph's istd).
  const styled = (name: string) => scan(`styles/${name}`);
  it.each([
    // Word's order: document defaults, paragraph style, character style, the run (both were clean).
    'pydocx-defaults.docx',
    'pydocx-charstyle-over-para.docx',
    // LibreOffice's .odt and .doc of it: a span or run of a character style that shows, in a paragraph whose style hides (both were clean).
    'lo-charstyle-over-para.odt',
    'lo-charstyle-over-para.doc',
    // RTF text hidden by its \cs or \s style alone (both were clean).
    'lo-hidden-cs.rtf',
    'lo-hidden-ps.rtf',
    'pydocx-hidden-charstyle.docx',
    'w-hidden-charstyle.docx',
    'w-hidden-parent.docx',
    'w-hidden-parastyle.docx',
    'w-hidden-charstyle.odt',
    'w-hidden-parent.odt',
    'w-hidden-parastyle.odt',
    'w-hidden-section.odt',
    'w-hidden-parent.fodt',
    'w-hidden-parastyle.fodt',
    'w-hidden-section.fodt',
    'w-hidden-paragraph.fodt',
    'w-hidden-charstyle.doc',
    'w-hidden-parent.doc',
    'w-hidden-parastyle.doc',
  ])('%s is marked', async (name) => {
    expect(await styled(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each([
    'w-hidden-paragraph-trap.fodt',
    'pydocx-defaults-trap.docx',
    'pydocx-charstyle-over-para-trap.docx',
    'lo-charstyle-over-para-trap.odt',
    'lo-charstyle-over-para-trap.doc',
    'lo-hidden-cs-trap.rtf',
    'lo-hidden-ps-trap.rtf',
    'pydocx-hidden-charstyle-trap.docx',
    'w-hidden-charstyle-trap.docx',
    'w-hidden-parent-trap.docx',
    'w-hidden-parastyle-trap.docx',
    'w-hidden-charstyle-trap.odt',
    'w-hidden-parent-trap.odt',
    'w-hidden-parastyle-trap.odt',
    'w-hidden-section-trap.odt',
    'w-hidden-charstyle-trap.fodt',
    'w-hidden-parent-trap.fodt',
    'w-hidden-parastyle-trap.fodt',
    'w-hidden-section-trap.fodt',
    'w-hidden-charstyle-trap.doc',
    'w-hidden-parent-trap.doc',
    'w-hidden-parastyle-trap.doc',
  ])('%s (hidden 書室, then の Confidential) is clean', async (name) => {
    expect(await styled(name)).toMatchObject({ verdict: 'clean' });
  });

  /** pydocx-hidden-charstyle.docx with its styles and body rewritten. */
  function docx(edit: (part: string, xml: string) => string): Blob {
    const parts = unzipSync(new Uint8Array(readFileSync(join(DIR, 'styles/pydocx-hidden-charstyle.docx'))));
    for (const part of ['word/styles.xml', 'word/document.xml']) parts[part] = strToU8(edit(part, strFromU8(parts[part])));
    return new Blob([zipSync(parts)]);
  }
  const HIDDEN_STYLE = '<w:style w:type="character" w:customStyle="1" w:styleId="HiddenNote">';

  it("a Word style hides through w:basedOn; the run's own w:vanish w:val=\"0\" shows it all the same", async () => {
    // HiddenNote itself says nothing, but is based on a hidden style.
    const based = docx((part, xml) =>
      part === 'word/styles.xml'
        ? xml.replace(HIDDEN_STYLE, `<w:style w:type="character" w:styleId="Base"><w:rPr><w:vanish/></w:rPr></w:style>${HIDDEN_STYLE}<w:basedOn w:val="Base"/>`).replace(/(w:styleId="HiddenNote">[\s\S]*?)<w:vanish\/>/, '$1')
        : xml,
    );
    expect(await scanBlob(based, 'based.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    const shown = docx((part, xml) => (part === 'word/document.xml' ? xml.replace('<w:rStyle w:val="HiddenNote"/>', '<w:rStyle w:val="HiddenNote"/><w:vanish w:val="0"/>') : xml));
    expect(await scanBlob(shown, 'shown.docx')).toMatchObject({ verdict: 'clean' });
  });

  it('a loop of w:basedOn hides nothing and ends', async () => {
    const loop = docx((part, xml) =>
      part === 'word/styles.xml'
        ? xml.replace(HIDDEN_STYLE, `<w:style w:type="character" w:styleId="A"><w:basedOn w:val="HiddenNote"/></w:style>${HIDDEN_STYLE}<w:basedOn w:val="A"/>`).replace(/(w:styleId="HiddenNote">[\s\S]*?)<w:vanish\/>/, '$1')
        : xml,
    );
    expect(await scanBlob(loop, 'loop.docx')).toMatchObject({ verdict: 'clean' });
  });
});

describe('a tracked deletion is also left out, as with the changes accepted (fixtures in deleted/)', () => {
  // LibreOffice 7.4's .doc (sprmCFRMarkDel) and .rtf (\\deleted) of 「秘」, a deleted 「書室」, 「 Confidential」.
  it.each(['w-deleted-middle.doc', 'w-deleted-middle.rtf'])('%s is marked', async (name) => {
    expect(await scan(`deleted/${name}`)).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it.each(['w-deleted-middle-trap.doc', 'w-deleted-middle-trap.rtf'])('%s (deleted 書室, then の Confidential) is clean', async (name) => {
    expect(await scan(`deleted/${name}`)).toMatchObject({ verdict: 'clean' });
  });
  it('in RTF \\deleted0 and \\plain end a deletion', async () => {
    const rtf = (s: string) => scanBlob(new Blob([new TextEncoder().encode(`{\\rtf1\\ansi\\uc1 \\u31192?${s} Confidential\\par}`)]), 'x.rtf');
    expect(await rtf('{\\deleted \\u26360?\\u23460?}')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await rtf('\\deleted \\u26360?\\deleted0 \\u23460?')).toMatchObject({ verdict: 'clean' });
    expect(await rtf('\\deleted \\u26360?\\plain \\u23460?')).toMatchObject({ verdict: 'clean' });
  });
});

describe('ruby (a reading set above 「秘」) is read with its base on the line', () => {
  // ruby.fodt by hand (<text:ruby>), the rest LibreOffice 7.4's conversions: ODT as written, .docx with
  // <w:rt> before the base, .doc and .rtf as an EQ field (`EQ … \o\al(\s\up 10(ひ),秘)`) with no result.
  it.each(['ruby.fodt', 'ruby.odt', 'ruby.docx', 'ruby.doc', 'ruby.rtf'])('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it("ruby.doc whose EQ keyword lost a byte (E → U+FF45 ｅ): LibreOffice takes the field's type from the field table and still shows 秘", async () => {
    const b = readFileSync(join(DIR, 'ruby.doc'));
    const at = 6084; // the E of ` EQ \* jc3 …` in the text, UTF-16LE
    expect(b.subarray(at, at + 4)).toEqual(Buffer.from('E\0Q\0', 'latin1'));
    b[at + 1] = 0xff;
    expect(await scanBlob(new Blob([b]), 'ruby.doc')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  const rtf = (field: string) => new TextEncoder().encode(`{\\rtf1\\ansi\\uc1 {${field}} Confidential\\par}`);
  const scanRtf = (field: string) => scanBlob(new Blob([rtf(field)]), 'x.rtf');
  it("in RTF only ruby's base shows: the reading, another field's instruction and a trap base do not make a stamp", async () => {
    expect(await scanRtf('\\field{\\*\\fldinst { EQ \\\\* jc2 \\\\* hps10 \\\\o\\\\ad(\\\\s\\\\up 9(\\u12402?),\\u31192?)}}{\\fldrslt {}}')).toMatchObject({ verdict: 'marked', rule: 1 });
    // The base 「秘書」 (secretary): a trap, not the stamp.
    expect(await scanRtf('\\field{\\*\\fldinst { EQ \\\\o\\\\al(\\\\s\\\\up 10(\\u12402?),\\u31192?\\u26360?)}}{\\fldrslt {}}')).toMatchObject({ verdict: 'clean' });
    // An instruction is not on the page: a link's target, with its result 「link」 shown.
    expect(await scanRtf('\\field{\\*\\fldinst { HYPERLINK "https://example.com/\\u31192?"}}{\\fldrslt {link}}')).toMatchObject({ verdict: 'clean' });
  });
});

describe('text a right-to-left override reverses is read as shown (bidi.ts)', () => {
  const scanTxt = (s: string) => scanBlob(new Blob([s]), 'memo.txt');
  it('「秘 ‮laitnedifnoC」 shows as 秘 Confidential: marked; what shows reversed as no stamp stays clean', async () => {
    expect(await scanTxt('取扱：秘 \u202elaitnedifnoC\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanTxt('\u202elaitnedifnoC 秘\u202c 以上\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanTxt('\u202eConfidential 秘\n')).toMatchObject({ verdict: 'clean' });
    expect(await scanTxt('秘\u202eConfidential\n')).toMatchObject({ verdict: 'clean' });
  });
});

describe('an equation’s phantom is read as not drawn (docx MathPhantom, test/fixtures/js-producers)', () => {
  const js = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, '../js-producers', name))]), name);
  it('「秘 」, a phantom 「書室」, 「 Confidential」 is marked (Word and LibreOffice show the stamp; it was clean)', async () => {
    expect(await js('docx-math-phantom.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('「秘」, the phantom, 「の Confidential」 is clean', async () => {
    expect(await js('docx-math-phantom-trap.docx')).toMatchObject({ verdict: 'clean' });
  });
  it('a phantom that says it shows is also read without it (LibreOffice draws none); plain math text stays', async () => {
    // docx-math-phantom.docx with its paragraph replaced: 「秘」, an equation, 「 Confidential」.
    const files = unzipSync(new Uint8Array(readFileSync(join(DIR, '../js-producers/docx-math-phantom.docx'))));
    const xml = strFromU8(files['word/document.xml']);
    const docx = (math: string) => {
      const p = `<w:p><w:r><w:t>秘</w:t></w:r><m:oMath>${math}</m:oMath><w:r><w:t xml:space="preserve"> Confidential</w:t></w:r></w:p>`;
      return new Blob([zipSync({ ...files, 'word/document.xml': strToU8(xml.replace(/<w:p>[\s\S]*<\/w:p>/, p)) })]);
    };
    const shown = '<m:phant><m:phantPr><m:show m:val="1"/></m:phantPr><m:e><m:r><m:t>書室</m:t></m:r></m:e></m:phant>';
    expect(await scanBlob(docx(shown), 'shown.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(docx('<m:r><m:t>書室</m:t></m:r>'), 'plain.docx')).toMatchObject({ verdict: 'clean' });
  });
});
