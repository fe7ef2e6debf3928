import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRtf } from '../../src/detect/extract/rtf.js';
import { ScanError, type Extracted } from '../../src/detect/extract/types.js';
import { collect as collectFrom } from '../support/extract.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import type { Where } from '../../src/detect/types.js';

const FIX = join(__dirname, '../fixtures/rtf');

const collect = (bytes: Uint8Array | string) => collectFrom(extractRtf, bytes);
function stampWhere(items: Extracted[]): Where | null {
  for (const x of items) if (x.kind === 'text' && findStamp(x.text)) return x.where;
  return null;
}
const fixture = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));

describe('extractRtf fixtures', () => {
  it.each([
    ['cp932-hh.rtf', {}],
    ['fcharset128-hh.rtf', {}],
    ['unicode-uc.rtf', {}],
    ['unicode-split.rtf', {}],
    ['lo-header-only.rtf', { area: 'header' }],
    ['lo-comment.rtf', { area: 'comments' }],
    ['lo-title-only.rtf', { part: 'title', area: 'properties' }],
    ['lo-shape.rtf', { area: 'drawing' }],
  ])('%s is marked at %j', async (name, where) => {
    expect(stampWhere(await collect(fixture(name)))).toEqual(where);
  });
  it.each(['traps.rtf', 'lo-clean-traps.rtf'])('%s is clean', async (name) => {
    const items = await collect(fixture(name));
    expect(items.some((x) => x.kind === 'text' && x.text.includes('秘密保持契約書'))).toBe(true);
    expect(stampWhere(items)).toBeNull();
  });
  it('decodes two \\\'hh bytes as one CP932 character and skips \\uc fallbacks', async () => {
    const text = (await collect(fixture('cp932-hh.rtf'))).map((x) => (x.kind === 'text' ? x.text : '')).join('');
    expect(text).toBe('納品書\n取扱：秘\u3000Confidential\n');
    const uc = (await collect(fixture('unicode-uc.rtf'))).map((x) => (x.kind === 'text' ? x.text : '')).join('');
    expect(uc).toBe('Label: 秘 ＣONFIDENTIAL\n');
  });
  it('text after \\bin data is still read', async () => {
    const items = await collect(fixture('traps.rtf'));
    expect(items.some((x) => x.kind === 'text' && x.text.includes('after bin'))).toBe(true);
  });
  it('WordArt and text watermarks (\\sp gtextUNICODE) are read; other shape properties are not text', async () => {
    const watermark = '{\\rtf1\\ansi body{\\shp{\\*\\shpinst{\\sp{\\sn shapeType}{\\sv 136}}{\\sp{\\sn gtextUNICODE}{\\sv \\u31192\\\'3f Confidential}}{\\sp{\\sn fillColor}{\\sv 12632256}}}}\\par}';
    expect(stampWhere(await collect(watermark))).toEqual({ area: 'drawing' });
    const named = '{\\rtf1\\ansi body{\\shp{\\*\\shpinst{\\sp{\\sn wzName}{\\sv \\u31192? Confidential}}{\\sp{\\sn gtextUNICODE}{\\sv \\u31192?\\u26360?\\u23460?}}}}\\par}';
    const items = await collect(named);
    expect(stampWhere(items)).toBeNull();
    expect(items.some((x) => x.kind === 'text' && x.text.includes('秘書室'))).toBe(true);
  });
  it('a shape\'s alternative text (\\sp wzDescription, LibreOffice\'s description) is read apart', async () => {
    expect(stampWhere(await collect(fixture('lo-alt-text.rtf')))).toEqual({ area: 'alternative text' });
    const trap = await collect(fixture('lo-alt-text-trap.rtf'));
    expect(stampWhere(trap)).toBeNull();
    expect(trap.some((x) => x.kind === 'text' && x.text.includes('秘書室 Confidential'))).toBe(true);
  });
  it("an inline picture's alternative text (\\picprop wzDescription, and its title as wzName: LibreOffice) is read apart; the picture's data is not", async () => {
    // make-picture-alt.py: python-docx docPr descr / title, LibreOffice 7.4 → RTF (was clean: \\pict was skipped whole).
    expect(stampWhere(await collect(fixture('lo-picture-alt.rtf')))).toEqual({ area: 'alternative text' });
    expect(stampWhere(await collect(fixture('lo-picture-title.rtf')))).toEqual({ area: 'alternative text' });
    const trap = await collect(fixture('lo-picture-alt-trap.rtf'));
    expect(stampWhere(trap)).toBeNull();
    expect(trap.some((x) => x.kind === 'text' && x.text.includes('秘書室 Confidential'))).toBe(true);
    // Other picture properties, and the picture's hex data, are no text.
    const other = '{\\rtf1\\ansi body{\\*\\shppict{\\pict{\\*\\picprop{\\sp{\\sn fillColor}{\\sv \\u31192? Confidential}}}\\pngblip 89504e47}}\\par}';
    expect(stampWhere(await collect(other))).toBeNull();
  });
  it('a formula (RTF math: {\\mmath{\\*\\moMath{\\mr …}}}, as LibreOffice and Word write one) is read; the picture beside it is not', async () => {
    // make-formula.sh: a Writer formula 「秘 Confidential」 → RTF by LibreOffice 7.4 (was clean: \\moMath is an ignorable destination).
    expect(stampWhere(await collect(fixture('lo-formula.rtf')))).not.toBeNull();
    const trap = await collect(fixture('lo-formula-trap.rtf'));
    expect(stampWhere(trap)).toBeNull();
    expect(trap.some((x) => x.kind === 'text' && x.text.includes('秘書室 Confidential'))).toBe(true);
    const word = '{\\rtf1\\ansi{\\mmath{\\*\\moMathPara{\\*\\moMath{\\mr \\u31192?}{\\mr  Confidential}}}}\\par}';
    expect(stampWhere(await collect(word))).not.toBeNull();
  });
  it('custom properties (\\userprops) are properties', async () => {
    const rtf = '{\\rtf1\\ansi{\\info{\\title x}}{\\*\\userprops {\\propname \\u20998?\\u39006?}\\proptype30{\\staticval \\u31192? Confidential}}body\\par}';
    expect(stampWhere(await collect(rtf))).toEqual({ part: 'custom property', area: 'properties' });
    // Each its own field: 社外秘 in one, Confidential in the next, is no stamp (LibreOffice's k-lo-keywords-custom.rtf too).
    const two = '{\\rtf1\\ansi{\\*\\userprops {\\propname A}\\proptype30{\\staticval \\u31038?\\u22806?\\u31192?}{\\propname B}\\proptype30{\\staticval Confidential}}body\\par}';
    expect(stampWhere(await collect(two))).toBeNull();
  });
  it('an OLE object in \\objdata is handed back as a member', async () => {
    const xls = new Uint8Array(readFileSync(join(__dirname, '../fixtures/office-legacy/xls-sheet2.xls')));
    const ole1 = Uint8Array.of(1, 5, 0, 0, 2, 0, 0, 0, 8, 0, 0, 0, ...new TextEncoder().encode('Excel.Sheet.8\0'), 0, 0, 0, 0, 0, 0, 0, 0);
    const hex = Array.from([...ole1, ...xls], (v) => v.toString(16).padStart(2, '0')).join('');
    const rtf = `{\\rtf1\\ansi body{\\object\\objemb{\\*\\objclass Excel.Sheet.8}{\\*\\objdata ${hex.replace(/(.{128})/g, '$1\n')}}}\\par}`;
    const items = await collect(rtf);
    const m = items.find((x) => x.kind === 'member');
    expect(m).toBeDefined();
    const data = new Uint8Array(await (m as { data: Blob }).data.arrayBuffer());
    expect(Array.from(data.subarray(0, 4))).toEqual([0xd0, 0xcf, 0x11, 0xe0]);
    expect(data.length).toBe(xls.length);
  });
});

describe('extractRtf robustness', () => {
  it('a document whose outer group closes early (damage) is not clean: the RTF after it is read on', async () => {
    // As a block of NULs over a list table leaves it: two braces lost, the body after the "end".
    const damaged = '{\\rtf1\\ansi{\\*\\listtable{\\list\\listid1}}}}\0\0\0{\\pard 区分 \\u31192? Confidential\\par}}';
    const items = await collect(damaged);
    expect(items).toContainEqual(expect.objectContaining({ kind: 'unscannable', reason: 'corrupt' }));
    expect(stampWhere(items)).not.toBeNull();
    const trap = await collect(damaged.replace('\\u31192?', '\\u31192?\\u26360?\\u23460?'));
    expect(trap).toContainEqual(expect.objectContaining({ kind: 'unscannable' }));
    // What writers and mail gateways leave after the last brace is nothing.
    const tail = await collect('{\\rtf1\\ansi 議事録\\par}\r\n\0\0 ');
    expect(tail.filter((x) => x.kind === 'unscannable')).toEqual([]);
  });
  it('a block overwritten by zeros inside the document is damage, wherever the braces fall (found by mutating marked fixtures)', async () => {
    // LibreOffice Writer's two text boxes, 「秘」 in one and 「Confidential」 in another beside it on the page:
    // 512 zeros over the second box's end and the third's start left the braces balanced, the third box's
    // position gone and its text in the second's, so no pair was found: clean, where LibreOffice still shows both.
    const orig = new Uint8Array(readFileSync(join(__dirname, '../fixtures/shape-positions/m_writer-two-shapes-page.rtf')));
    const zeroed = orig.slice();
    zeroed.fill(0, 3431, 3943);
    expect(stampWhere(await collect(orig))).not.toBeNull();
    expect(await collect(zeroed)).toContainEqual(expect.objectContaining({ kind: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('NUL') }));
    // A few zeros in a trap's body too: not clean. \bin data may hold NULs, and after the last brace they are nothing.
    expect(await collect('{\\rtf1\\ansi \\u31192?\\u26360?\\u23460? Confidential\0\0\0\0 議事録\\par}')).toContainEqual(expect.objectContaining({ kind: 'unscannable', reason: 'corrupt' }));
    const bin = await collect('{\\rtf1\\ansi {\\*\\blipuid {\\bin4 \0\0\0\0}}議事録\\par}\0\0');
    expect(bin.filter((x) => x.kind === 'unscannable')).toEqual([]);
  });
  it('a \\* whose control word lost its first letter ({\\*\\<0x8A>serprops}) stars nothing after it (found by mutating, seed 7373)', async () => {
    // The star waited for the next control word, the document's own \\deftab, and the rest of the document
    // was skipped as an unknown destination: the shape 「秘 Confidential」 and the body were never read.
    const b = fixture('lo-shape.rtf');
    expect(String.fromCharCode(...b.subarray(1418, 1431))).toBe('{\\*\\userprops');
    b[1422] = 0x8a;
    expect(stampWhere(await collect(b))).not.toBeNull();
    expect((await collect(b)).map((x) => (x.kind === 'text' ? x.text : '')).join('')).toContain('通常の本文です');
  });
  it('not RTF → corrupt', async () => {
    await expect(collect('hello')).rejects.toMatchObject({ reason: 'corrupt' });
  });
  it('deep nesting and huge \\bin counts end quickly', async () => {
    const deep = '{\\rtf1 ' + '{'.repeat(200_000) + '\\u31192? Confidential' + '}'.repeat(200_000) + '}';
    const t0 = Date.now();
    await collect(deep);
    await collect('{\\rtf1 {\\bin99999999999 abc}} \\u31192? Confidential');
    await collect('{\\rtf1 \\uc99999999 \\u-99999999999 \\\'zz \\');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it.each(['lo-header-only.rtf', 'cp932-hh.rtf', 'traps.rtf'])('truncations and mutations of %s', async (name) => {
    const orig = fixture(name);
    for (let len = 0; len < orig.length; len += 7) {
      const e = await collect(orig.subarray(0, len)).then(() => null, (err) => err);
      if (e) expect(e).toBeInstanceOf(ScanError);
    }
    let x = 42;
    for (let k = 0; k < 300; k++) {
      const b = orig.slice();
      for (let f = 0; f < 8; f++) {
        x = (x * 1103515245 + 12345) >>> 0;
        b[x % b.length] = '{}\\\'0u-9 a'.charCodeAt((x >>> 8) % 10);
      }
      const e = await collect(b).then(() => null, (err) => err);
      if (e) expect(e).toBeInstanceOf(ScanError);
    }
  });
});

describe('RTF styles that hide text (\\cs, \\s, from the stylesheet)', () => {
  const SHEET = String.raw`{\stylesheet{\s0 Normal;}{\*\cs10 \v Hidden;}{\*\cs11 \sbasedon10 Child;}{\s20 \v HiddenPara;}}`;
  const doc = (body: string) => new Blob([`{\\rtf1\\ansi\\ansicpg932${SHEET}\\pard\\plain ${body}\\par}`]);
  const scan = async (body: string) => (await import('../../src/detect/index.js')).scanBlob(doc(body), 'x.rtf');
  it('a run in a hidden character style (or one based on it) is left out as shown: 秘, 書室 hidden, Confidential → marked', async () => {
    expect(await scan(String.raw`\u31192?{\cs10 \u26360?\u23460?} Confidential`)).toMatchObject({ verdict: 'marked' });
    expect(await scan(String.raw`\u31192?{\cs11 \u26360?\u23460?} Confidential`)).toMatchObject({ verdict: 'marked' });
  });
  it("the run's own \\v0 shows it over its style; \\plain ends the style; a paragraph after \\pard is no longer the hidden one", async () => {
    expect(await scan(String.raw`\u31192?{\cs10\v0 \u26360?\u23460?} Confidential`)).toMatchObject({ verdict: 'clean' });
    expect(await scan(String.raw`\u31192?{\cs10\plain \u26360?\u23460?} Confidential`)).toMatchObject({ verdict: 'clean' });
    expect(await scan(String.raw`\u31192?\par\s20 x\par\pard \u26360?\u23460?\par Confidential`)).toMatchObject({ verdict: 'clean' });
  });
  it('a hidden paragraph style hides its paragraph; a run in a character style that says shown (\\v0) stays', async () => {
    const sheet = String.raw`{\stylesheet{\s20 \v HiddenPara;}{\*\cs12 \v0 Shown;}}`;
    const blob = (body: string) => new Blob([`{\\rtf1\\ansi${sheet}\\pard\\plain ${body}\\par}`]);
    const { scanBlob } = await import('../../src/detect/index.js');
    expect(await scanBlob(blob(String.raw`\s20{\cs12 \u31192?}\u26360?\u23460?{\cs12  Confidential}`), 'x.rtf')).toMatchObject({ verdict: 'marked' });
    expect(await scanBlob(blob(String.raw`\s20{\cs12 \u31192?\u26360?\u23460?}{\cs12  Confidential}`), 'x.rtf')).toMatchObject({ verdict: 'clean' });
  });
});
