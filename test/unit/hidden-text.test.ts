/**
 * Hidden text between 「秘」 and 「Confidential」 (test/fixtures/hidden-text, LibreOffice's conversions of a
 * hand-written flat ODT): the document shows and prints 「秘 Confidential」, so it is also read that way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/hidden-text');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('hidden text is also read as the page shows it', () => {
  it.each(['hidden.docx', 'hidden.odt', 'hidden.fodt', 'hidden.rtf', 'hidden.doc'])('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['trap.docx', 'trap.odt', 'trap.fodt', 'trap.rtf', 'trap.doc'])('%s (秘 + hidden 書室 + の Confidential) is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });
});

describe('ruby (a reading set above 「秘」) is read with its base on the line', () => {
  // ruby.fodt by hand (<text:ruby>), the rest LibreOffice 7.4's conversions: ODT as written, .docx with
  // <w:rt> before the base, .doc and .rtf as an EQ field (`EQ … \o\al(\s\up 10(ひ),秘)`) with no result.
  it.each(['ruby.fodt', 'ruby.odt', 'ruby.docx', 'ruby.doc', 'ruby.rtf'])('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
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
