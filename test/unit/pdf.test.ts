import { withGaps } from '../../src/detect/extract/pdf-content.js';
import { scanBlob } from '../../src/detect/index.js';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import { zlibSync } from 'fflate';
import { extractPdf, decodeTextString } from '../../src/detect/extract/pdf.js';
import { ScanError, type Extracted, type ExtractContext } from '../../src/detect/extract/types.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { aesCbcDecrypt, aesCbcEncrypt, hash2B, rc4 } from '../../src/detect/extract/pdf-crypt.js';
import { glyphToUnicode } from '../../src/detect/extract/pdf-font.js';
import { adobeJapan1 } from '../../src/detect/extract/adobe-japan1.js';
import { inflate } from '../../src/detect/extract/pdf-filters.js';
import { INPUT_SLICE } from '../../src/detect/extract/inflate.js';
import type { Limits } from '../../src/detect/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = resolve(HERE, '../fixtures/pdf');
const CORPUS = resolve(HERE, '../../../shared/corpus');

const LIMITS: Limits = {
  maxBytes: 100 * 1024 * 1024,
  maxDepth: 5,
  maxEntries: 10000,
  maxRatio: 100,
  maxExpandedBytes: 1024 * 1024 * 1024,
  timeBudgetMs: 10000,
};

function makeCtx(fullText = false, timeBudgetMs = LIMITS.timeBudgetMs): ExtractContext {
  const start = Date.now();
  let expanded = 0;
  let entries = 0;
  return {
    limits: { ...LIMITS, timeBudgetMs },
    depth: 0,
    fullText,
    checkTime() {
      if (Date.now() - start > timeBudgetMs) throw new ScanError('time-budget', 'time budget exceeded');
    },
    addExpanded(n: number) {
      expanded += n;
      if (expanded > LIMITS.maxExpandedBytes) throw new ScanError('expansion-ratio', 'too much expanded');
    },
    addEntry() {
      if (++entries > LIMITS.maxEntries) throw new ScanError('too-many-entries', 'too many entries');
    },
  };
}

async function extract(input: string | Uint8Array, fullText = false): Promise<Extracted[]> {
  const bytes = typeof input === 'string' ? await readFile(input) : input;
  const out: Extracted[] = [];
  for await (const it of extractPdf(new Blob([bytes as Uint8Array<ArrayBuffer>]), makeCtx(fullText))) out.push(it);
  return out;
}

/** Runs the extractor and returns the thrown error (or null). */
async function extractError(input: string | Uint8Array): Promise<unknown> {
  try {
    await extract(input);
    return null;
  } catch (e) {
    return e;
  }
}

type TextItem = Extract<Extracted, { kind: 'text' }>;
const texts = (items: Extracted[]) => items.filter((i): i is TextItem => i.kind === 'text');
/** Where each stamp hit is: `page:N` or `area:X`. */
function stampHits(items: Extracted[]): string[] {
  return texts(items)
    .filter((t) => findStamp(t.text))
    .map((t) => (t.where.page !== undefined ? `page:${t.where.page}` : `area:${t.where.area}`));
}
function pageText(items: Extracted[], page: number): string {
  return texts(items)
    .filter((t) => t.where.page === page)
    .map((t) => t.text)
    .join('');
}
const fix = (name: string) => join(FIX, name);

// ------------------------------------------------------------------ a tiny PDF writer for edge cases

const enc = new TextEncoder();
type Body = string | Uint8Array;

function concatBytes(parts: Body[]): Uint8Array {
  const bs = parts.map((p) => (typeof p === 'string' ? latin1Bytes(p) : p));
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of bs) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}
/** A stream object body; `flate` compresses the data. */
function stream(dict: string, data: Body, flate = true): Uint8Array {
  let d = typeof data === 'string' ? latin1Bytes(data) : data;
  let extra = '';
  if (flate) {
    d = zlibSync(d);
    extra = '/Filter/FlateDecode';
  }
  return concatBytes([`<<${dict}${extra}/Length ${d.length}>>\nstream\n`, d, '\nendstream']);
}
/** Objects are numbered from 1 in order. */
function buildPdf(objs: Body[], trailer: string): Uint8Array {
  const parts: Body[] = ['%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'];
  let off = parts[0].length;
  const offsets: number[] = [];
  objs.forEach((b, i) => {
    offsets.push(off);
    const head = `${i + 1} 0 obj\n`;
    const body = typeof b === 'string' ? latin1Bytes(b) : b;
    parts.push(head, body, '\nendobj\n');
    off += head.length + body.length + 8;
  });
  let xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  parts.push(xref, `trailer\n<</Size ${objs.length + 1}${trailer}>>\nstartxref\n${off}\n%%EOF\n`);
  return concatBytes(parts);
}
const hex16 = (s: string) =>
  Array.from(s)
    .map((c) => c.charCodeAt(0).toString(16).padStart(4, '0'))
    .join('');

/** ToUnicode CMap: 2-byte codes 0001.. mapped to the characters of `chars` (bfchar + bfrange array form). */
function toUnicodeCMap(chars: string): string {
  const list = Array.from(chars);
  const half = Math.ceil(list.length / 2);
  let bfchar = '';
  list.slice(0, half).forEach((c, i) => (bfchar += `<${(i + 1).toString(16).padStart(4, '0')}> <${hex16(c)}>\n`));
  const rest = list.slice(half);
  const lo = (half + 1).toString(16).padStart(4, '0');
  const hi = (half + rest.length).toString(16).padStart(4, '0');
  const arr = rest.map((c) => `<${hex16(c)}>`).join(' ');
  return `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
${half} beginbfchar
${bfchar}endbfchar
1 beginbfrange
<${lo}> <${hi}> [${arr}]
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end`;
}
/** Glyph codes (2-byte hex) for `s` under the CMap built from `chars`. */
function cidHex(chars: string, s: string): string {
  const list = Array.from(chars);
  return Array.from(s)
    .map((c) => (list.indexOf(c) + 1).toString(16).padStart(4, '0'))
    .join('');
}

/** A one-font document: pages given as content streams; resources shared. */
function docWith(contents: string[], opts: { fontObj?: Body; extraObjs?: Body[]; pageExtra?: string[]; resourcesExtra?: string; info?: string } = {}): Uint8Array {
  // 1 catalog, 2 pages, 3 font, 4 resources, then pages+contents, then extras
  const objs: Body[] = [];
  const n = contents.length;
  const kids = Array.from({ length: n }, (_, i) => `${5 + 2 * i} 0 R`).join(' ');
  objs.push('<</Type/Catalog/Pages 2 0 R>>');
  objs.push(`<</Type/Pages/Kids[${kids}]/Count ${n}/Resources 4 0 R/MediaBox[0 0 595 842]>>`);
  objs.push(opts.fontObj ?? '<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>');
  objs.push(`<</Font<</F1 3 0 R>>${opts.resourcesExtra ?? ''}>>`);
  contents.forEach((c, i) => {
    objs.push(`<</Type/Page/Parent 2 0 R/Contents ${6 + 2 * i} 0 R${opts.pageExtra?.[i] ?? ''}>>`);
    objs.push(stream('', c));
  });
  for (const e of opts.extraObjs ?? []) objs.push(e);
  return buildPdf(objs, `/Root 1 0 R${opts.info ?? ''}`);
}

// ------------------------------------------------------------------ corpus

describe('PDF corpus', () => {
  const has = existsSync(CORPUS);
  it.skipIf(!has)('技術資料_概要.pdf: stamp on page 3 only (LibreOffice TrueType subset + ToUnicode)', async () => {
    const items = await extract(join(CORPUS, '技術資料_概要.pdf'));
    expect(stampHits(items)).toEqual(['page:3']);
    expect(findStamp(pageText(items, 3))!.match).toBe('秘 Confidential');
    expect(items.some((i) => i.kind === 'unscannable')).toBe(false);
  });
  it.skipIf(!has)('技術資料_概要.pdf with fullText: pages 1 and 2 are read and clean', async () => {
    const items = await extract(join(CORPUS, '技術資料_概要.pdf'), true);
    expect(pageText(items, 1)).toContain('温湿度センサ THS-20');
    expect(pageText(items, 2)).toContain('評価結果');
    expect(stampHits(items)).toEqual(['page:3']);
  });
  it.skipIf(!has)('部品カタログ_印刷版.pdf: Type0 Identity-H + ToUnicode, page 1', async () => {
    const items = await extract(join(CORPUS, '部品カタログ_印刷版.pdf'));
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1)).toContain('チップ抵抗 RC-0603 シリーズ');
  });
  it.skipIf(!has)('CV—yamada.pdf and Ｃ－spec.pdf: content clean', async () => {
    for (const f of ['CV—yamada.pdf', 'Ｃ－spec.pdf']) {
      const items = await extract(join(CORPUS, f), true);
      expect(stampHits(items)).toEqual([]);
      expect(texts(items).length).toBeGreaterThan(1);
      expect(items.some((i) => i.kind === 'unscannable')).toBe(false);
    }
    const cv = await extract(join(CORPUS, 'CV—yamada.pdf'), true);
    expect(pageText(cv, 1)).toContain('山田 花子');
  });
  it.skipIf(!has)('受領書_pw.pdf: AES-256 user password → encrypted', async () => {
    const e = await extractError(join(CORPUS, '受領書_pw.pdf'));
    expect(e).toBeInstanceOf(ScanError);
    expect((e as ScanError).reason).toBe('encrypted');
    expect((e as ScanError).message).toMatch(/AES-256/);
  });
});

// ------------------------------------------------------------------ fixtures made with LibreOffice + qpdf

describe('PDF fixtures (LibreOffice, qpdf)', () => {
  it('stamp in the page header', async () => {
    const items = await extract(fix('header-stamp.pdf'));
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1)).toContain('設計レビュー議事録');
  });
  it('stamp split across two paragraphs (秘⏎Confidential)', async () => {
    const items = await extract(fix('split-lines.pdf'));
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1)).toMatch(/秘\nConfidential/);
  });
  it('trap: 秘密 / 社外秘 / 秘書室 / Confidential alone stay clean', async () => {
    const items = await extract(fix('trap-clean-ja.pdf'), true);
    expect(stampHits(items)).toEqual([]);
    const t = pageText(items, 1);
    expect(t).toContain('秘密保持契約書');
    expect(t).toContain('社外秘');
    expect(t).toContain('Strictly confidential');
  });
  it('multi-page: only page 2 of 3 (spans, U+3000)', async () => {
    const items = await extract(fix('multipage-p2.pdf'), true);
    expect(stampHits(items)).toEqual(['page:2']);
    expect(pageText(items, 1)).toContain('第 1 章 概要');
    expect(pageText(items, 3)).toContain('参考文献なし');
    expect(items.some((i) => i.kind === 'unscannable')).toBe(false);
  });
  it('xref stream and object streams (qpdf --object-streams=generate)', async () => {
    const items = await extract(fix('objstm-p2.pdf'), true);
    expect(stampHits(items)).toEqual(['page:2']);
    expect(pageText(items, 3)).toContain('参考文献なし');
  });
  it('stamp only in the Title property', async () => {
    const items = await extract(fix('title-only.pdf'));
    expect(stampHits(items)).toEqual(['area:properties']);
  });
  it('incremental update (/Prev chain): the new Info dictionary is read', async () => {
    const items = await extract(fix('incremental-title.pdf'), true);
    expect(stampHits(items)).toEqual(['area:properties']);
    expect(pageText(items, 1)).toContain('社外秘');
  });
  it('an incremental update cut off before its own %%EOF: truncated, not the revision before it read as clean', async () => {
    const whole = await readFile(fix('incremental-title.pdf'));
    const scan = (b: Uint8Array) => scanBlob(new Blob([new Uint8Array(b)]), 'x.pdf');
    const update = whole.lastIndexOf('14 0 obj');
    // Cut inside the object's number, inside the update's object, its xref table and its trailer.
    // The update's Info may still be found (a repair scan reads its object): marked is right too.
    for (const cut of [update + 2, update + 40, whole.lastIndexOf('xref') + 6, whole.lastIndexOf('trailer') + 12]) {
      const r = await scan(whole.subarray(0, cut));
      expect(r.verdict === 'marked' || (r.verdict === 'unscannable' && r.reason === 'corrupt'), `cut at ${cut}: ${r.verdict}`).toBe(true);
    }
    // Bytes after the last %%EOF that are not PDF syntax are not damage.
    const padded = Buffer.concat([whole, Buffer.from('\r\n\0\0 junk after the end', 'latin1')]);
    expect(await scan(padded)).toMatchObject({ verdict: 'marked' });
    const older = Buffer.concat([whole.subarray(0, update), Buffer.from('\0\0 junk', 'latin1')]);
    expect(await scan(older)).toMatchObject({ verdict: 'clean' });
  });
  it('broken xref offsets are repaired by scanning', async () => {
    const items = await extract(fix('bad-xref.pdf'), true);
    expect(stampHits(items)).toEqual(['page:2']);
    expect(pageText(items, 1)).toContain('第 1 章 概要');
  });

  for (const [file, label] of [
    ['owner-rc4-40.pdf', 'RC4 40-bit (R2)'],
    ['owner-rc4-128.pdf', 'RC4 128-bit (R3)'],
    ['owner-aes-128.pdf', 'AES-128 (V4 AESV2)'],
    ['owner-aes-256.pdf', 'AES-256 (R6)'],
    ['owner-aes-256-r5.pdf', 'AES-256 (R5)'],
    ['owner-aes-256-objstm.pdf', 'AES-256 with object streams'],
    // Rounds of Algorithm 2.B counted from 1: counted from 0, this file's key came out wrong (noise).
    ['owner-aes-256-round-count.pdf', 'AES-256 (R6) whose hash stops where E ends on the round number − 32'],
  ]) {
    it(`owner-password-only ${label}: decrypted, stamp on page 2`, async () => {
      const items = await extract(fix(file), true);
      expect(stampHits(items)).toEqual(['page:2']);
      expect(pageText(items, 1)).toContain('本資料はセンサ校正手順');
      expect(items.some((i) => i.kind === 'unscannable')).toBe(false);
    });
  }
  it('owner-password-only AES-128 with clear-text metadata: Title decrypted', async () => {
    const items = await extract(fix('owner-aes-128-title.pdf'), true);
    expect(stampHits(items)).toEqual(['area:properties']);
    expect(pageText(items, 1)).toContain('月次報告');
  });
  for (const [file, cipher] of [
    ['user-rc4-128.pdf', /RC4 128/],
    ['user-aes-256.pdf', /AES-256/],
  ] as const) {
    it(`user password ${file} → ScanError encrypted`, async () => {
      const e = await extractError(fix(file));
      expect(e).toBeInstanceOf(ScanError);
      expect((e as ScanError).reason).toBe('encrypted');
      expect((e as ScanError).message).toMatch(cipher);
    });
  }
  it('LibreOffice without a Japanese font (a server or container): the text is in /ActualText over fallback glyphs', async () => {
    // pdftotext reads 秘 Confidential from these; the fonts alone decode every Japanese character to one wrong glyph.
    expect(stampHits(await extract(fix('no-cjk-font-stamp.pdf')))).toEqual(['page:1']);
    expect(stampHits(await extract(fix('no-cjk-font-header.pdf')))).toEqual(['page:1']);
    const trap = await extract(fix('no-cjk-font-trap.pdf'), true);
    expect(pageText(trap, 1)).toContain('秘書室 Confidential');
    expect(stampHits(trap)).toEqual([]);
  });

  it('Chromium print-to-PDF with letter-spacing: every glyph placed on its own still reads as the word it spells', async () => {
    // Skia writes each glyph of tracked text with its own Td: by position alone, "C o n f i d e n t i a l".
    const spaced = await extract(fix('chromium-letter-spaced.pdf'), true);
    expect(pageText(spaced, 1)).toContain('C o n f i d e n t i a l');
    expect(stampHits(spaced)).toEqual(['page:1']);
    expect(stampHits(await extract(fix('chromium-vertical.pdf')))).toEqual(['page:1']);
    // Joined letter by letter, the traps stay what they are: 秘書室 Confidential, Strictly confidential.
    const trap = await extract(fix('chromium-letter-spaced-trap.pdf'), true);
    expect(pageText(trap, 1)).toContain('秘書室 Confidential の連絡');
    expect(pageText(trap, 1)).toContain('Strictly confidential');
    expect(pageText(trap, 1)).toContain('秘密保持契約書');
    expect(stampHits(trap)).toEqual([]);
  });

  it('Chromium: 秘 above a tracked-out CONFIDENTIAL (a round stamp\'s layout) is read as 秘, a line break, the word', async () => {
    const items = await extract(fix('chromium-tracked-word-below.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘\s*CONFIDENTIAL/);
    expect(stampHits(items)).toEqual(['page:1']);
    expect(stampHits(await extract(fix('chromium-tracked-word-below-twin.pdf'), true))).toEqual([]);
  });

  it('Chromium: 縦書き with upright letters (one string per glyph, each a character below the last) reads as one column', async () => {
    const items = await extract(fix('chromium-vertical-upright.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘\s*CONFIDENTIAL/);
    expect(stampHits(items)).toEqual(['page:1']);
    const twin = await extract(fix('chromium-vertical-upright-twin.pdf'), true);
    expect(pageText(twin, 1)).toMatch(/秘書室\s*CONFIDENTIAL/);
    expect(stampHits(twin)).toEqual([]);
  });

  it('Chromium: a small 「Confidential」 floated right of a big 秘, in one band but drawn first, is read after it', async () => {
    const items = await extract(fix('chromium-float-right-word.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘\s+Confidential/);
    expect(stampHits(items)).toEqual(['page:1']);
    expect(stampHits(await extract(fix('chromium-float-right-word-twin.pdf'), true))).toEqual([]);
  });

  it('Chromium: an emphasis mark (傍点) over 秘, drawn between 秘 and the word, is given after the line', async () => {
    const items = await extract(fix('chromium-emphasis-mark.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘 Confidential\s+﹅/);
    expect(stampHits(items)).toEqual(['page:1']);
    expect(stampHits(await extract(fix('chromium-emphasis-mark-twin.pdf'), true))).toEqual([]);
    // Small text that is not a mark is a line of its own, as drawn: a round stamp's big 秘 over its word.
    expect(stampHits(await extract(fix('chromium-svg-round-stamp.pdf'), true))).toEqual(['page:1']);
    expect(stampHits(await extract(fix('chromium-svg-round-stamp-twin.pdf'), true))).toEqual([]);
  });

  it('Ghostscript: a CMap embedded under its predefined name (UTF-8, UTF-32, JIS 78) and no ToUnicode is read by that name', async () => {
    for (const f of ['gs-utf8-stamp.pdf', 'gs-utf32-stamp.pdf', 'gs-78-h-stamp.pdf']) expect(stampHits(await extract(fix(f))), f).toEqual(['page:1']);
    const trap = await extract(fix('gs-utf8-trap.pdf'), true);
    expect(pageText(trap, 1)).toContain('秘書室 Confidential の連絡');
    expect(pageText(trap, 1)).toContain('社外秘');
    expect(stampHits(trap)).toEqual([]);
  });

  it("Ghostscript's rewrite of a ligature's map in UTF-16LE (<66006900>, 昀椀 as written) is read as its letters: 「Confidential」 with an fi ligature", async () => {
    const items = await extract(fix('gs-ligature-stamp.pdf'), true);
    expect(stampHits(items)).not.toEqual([]);
    expect(items.map((i) => (i.kind === 'text' ? i.text : '')).join('')).not.toMatch(/[昀椀]/);
    expect(stampHits(await extract(fix('gs-ligature-trap.pdf'), true))).toEqual([]);
    // A map to one code unit at U+xx00 stays what it says (昀 is a character); only a run of such units is read as letters.
    const { parseCMap } = await import('../../src/detect/extract/pdf-font.js');
    const cmap = (body: string) => new TextEncoder().encode(`begincmap 1 begincodespacerange <00> <ff> endcodespacerange ${body} endcmap`);
    const map = parseCMap(cmap('3 beginbfchar <01> <6600> <02> <66006900> <03> <79D8> endbfchar 1 beginbfrange <04> <04> <660066006c00> endbfrange'), () => {}).map;
    expect([1, 2, 3, 4].map((c) => map.get(c))).toEqual(['昀', 'fi', '秘', 'ffl']);
  });

  it('a line drawn out of order is also read left to right (ReportLab: the word first, 「秘」 moved in front)', async () => {
    const items = await extract(fix('reportlab-out-of-order.pdf'), true);
    expect(pageText(items, 1)).toContain('秘 Confidential');
    expect(stampHits(items)).toEqual(['page:1']);
    const trap = await extract(fix('reportlab-out-of-order-trap.pdf'), true);
    expect(pageText(trap, 1)).toContain('秘書室 Confidential');
    expect(stampHits(trap)).toEqual([]);
  });

  it('cairo (librsvg): a string set in front of the line by a kern back inside a TJ is read where it stands', async () => {
    // `(Confidential)Tj /f-0-1 1 Tf [()7447<0009>]TJ`: 「秘」 is drawn last, left of the word.
    const items = await extract(fix('rsvg-drawn-out-of-order.pdf'), true);
    expect(pageText(items, 1)).toContain('秘 Confidential');
    expect(stampHits(items)).toEqual(['page:1']);
    const trap = await extract(fix('rsvg-drawn-out-of-order-trap.pdf'), true);
    expect(pageText(trap, 1)).toContain('秘書室 Confidential');
    expect(stampHits(trap)).toEqual([]);
  });

  it('cairo (librsvg): on a line drawn out of order, a string a layout gap on in a TJ is read where it stands', async () => {
    // `(C)Tj [()2127<0001>]TJ ( )Tj [()-643(onfidential)]TJ`: 「onfidential」 goes back beside 「C」, after 「秘 」.
    const items = await extract(fix('rsvg-c-first.pdf'), true);
    expect(pageText(items, 1)).toContain('秘 Confidential');
    expect(stampHits(items)).toEqual(['page:1']);
    const trap = await extract(fix('rsvg-c-first-trap.pdf'), true);
    expect(pageText(trap, 1)).toContain('秘書室 Confidential');
    expect(stampHits(trap)).toEqual([]);
  });

  it('Chromium: text an SVG clip path is made of (drawn in a soft mask\'s group) is read', async () => {
    expect(stampHits(await extract(fix('chromium-svg-clip.pdf')))).toEqual(['page:1']);
    const twin = await extract(fix('chromium-svg-clip-twin.pdf'), true);
    expect(pageText(twin, 1)).toContain('部 Confidential');
    expect(stampHits(twin)).toEqual([]);
  });

  it('a LibreOffice hybrid PDF: the ODF document it carries (opened by LibreOffice in place of the PDF) is read', async () => {
    for (const name of ['libreoffice-hybrid-comment.pdf', 'libreoffice-hybrid-fontwork.pdf']) {
      const pdf = await readFile(fix(name));
      expect(pdf.includes('/AdditionalStreams'), name).toBe(true);
      const v = await scanBlob(new Blob([new Uint8Array(pdf)]), name);
      expect(v, name).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['source.odt'] } });
      const twin = await scanBlob(new Blob([new Uint8Array(await readFile(fix(name.replace('.pdf', '-twin.pdf'))))]), name);
      expect(twin, name).toMatchObject({ verdict: 'clean' });
    }
  });

  it('upLaTeX/pLaTeX + dvipdfmx: kanji drawn by Adobe-Japan1 CID with no ToUnicode map are read through Adobe\'s table (make-tex.sh)', async () => {
    for (const name of ['uplatex-dvipdfmx.pdf', 'uplatex-haranoaji.pdf', 'platex-tate.pdf']) {
      const items = await extract(fix(name), true);
      expect(pageText(items, 1), name).toContain('設計部の月次報告です');
      expect(stampHits(items), name).toEqual(['page:1']);
      const twin = await scanBlob(new Blob([new Uint8Array(await readFile(fix(name.replace('.pdf', '-twin.pdf'))))]), name);
      expect(twin, name).toMatchObject({ verdict: 'clean' });
    }
  });

  it('dvipdfmx bitmap (PK) fonts name glyphs by their code in hex (/x43): letters and digits are read (x43 was read as decimal 43, 「+」)', async () => {
    const items = await extract(fix('uplatex-pk-fonts.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘\s*CONFIDENTIAL/);
    expect(stampHits(items)).toEqual(['page:1']);
    expect(stampHits(await extract(fix('uplatex-pk-fonts-twin.pdf'), true))).toEqual([]);
  });

  it('Adobe-Japan1 table: 秘, ㊙, vertical forms, characters past the BMP and variation sequences; CID 0 (.notdef) names nothing', () => {
    const aj1 = adobeJapan1();
    expect(aj1.size).toBe(23059);
    expect([aj1.get(3455), aj1.get(8223), aj1.get(7887), aj1.get(7888)]).toEqual(['秘', '㊙', '、', '。']);
    expect(aj1.get(230)).toBe('0\uFE00');
    expect(aj1.get(0)).toBeUndefined();
    expect([...aj1.values()].filter((t) => t.codePointAt(0)! > 0xffff).length).toBeGreaterThan(500);
  });

  it('pdfLaTeX CJK Type 1 subfonts without ToUnicode: the encoding in the font program names the glyphs (uni79D8)', async () => {
    const items = await extract(fix('pdflatex-cjk-no-tounicode.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘\s*Con(?:fi|ﬁ)dential/);
    expect(stampHits(items)).toEqual(['page:1']);
    const twin = await extract(fix('pdflatex-cjk-no-tounicode-twin.pdf'), true);
    expect(pageText(twin, 1)).toMatch(/秘書室\s*Con(?:fi|ﬁ)dential/);
    expect(stampHits(twin)).toEqual([]);
  });

  it('lines of different sizes (pdfmake: every kanji its own text object): a small line under a large heading is another line, text of two sizes on one baseline is one', async () => {
    // 「秘書室」 in 28 pt over 「Confidential」 in 10 pt, 12 pt lower: with the larger size's half as the bound
    // it was one line, sorted into 「秘Confidential書室」 (make-pdfmake-letterheads.cjs).
    for (const name of ['pdfmake-letterhead-trap.pdf', 'pdfmake-dayori-trap.pdf']) expect(stampHits(await extract(fix(name), true))).toEqual([]);
    expect(stampHits(await extract(fix('pdfmake-mixed-sizes-stamp.pdf'), true))).toEqual(['page:1']);
  });

  it('lines drawn out of reading order: the line below is read after the one above it (Chromium, positioned blocks)', async () => {
    const items = await extract(fix('chromium-drawn-out-of-order.pdf'), true);
    expect(pageText(items, 1)).toMatch(/秘\s*Confidential/);
    expect(stampHits(items)).toEqual(['page:1']);
    const twin = await extract(fix('chromium-drawn-out-of-order-twin.pdf'), true);
    expect(stampHits(twin)).toEqual([]);
    // The same drawn by hand: 「Confidential」 first, then 「秘」 above it; joined only when 「秘」 is within
    // three lines' height above and overlaps it along the line.
    const chars = '秘Confidential';
    const font = `<</Type/Font/Subtype/Type0/BaseFont/ABCDEF+X/Encoding/Identity-H/ToUnicode 7 0 R/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/ABCDEF+X/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/DW 1000>>]>>`;
    const drawn = (x: number, y: number) =>
      extract(docWith([`BT /F1 12 Tf 72 600 Td <${cidHex(chars, 'Confidential')}> Tj ET BT /F1 12 Tf ${x} ${y} Td <${cidHex(chars, '秘')}> Tj ET`], { fontObj: font, extraObjs: [stream('', toUnicodeCMap(chars))] }));
    expect(stampHits(await drawn(72, 614))).toEqual(['page:1']);
    expect(stampHits(await drawn(72, 660))).toEqual([]); // five lines above
    expect(stampHits(await drawn(400, 614))).toEqual([]); // beside, not above
  });

  it('withGaps: layout gaps are spaces; a letter-spaced line is also given joined, before and after, other lines once', () => {
    const G = '\uffff';
    expect(withGaps(`Quarterly${G}report${G}2026\nnext`)).toBe('Quarterly report 2026\nnext');
    expect(withGaps(`秘 C${G}o${G}n${G}f${G}i${G}d${G}e${G}n${G}t${G}i${G}a${G}l`)).toBe('秘 Confidential\n秘 C o n f i d e n t i a l\n秘 Confidential');
    expect(withGaps('no gaps at all')).toBe('no gaps at all');
  });

  it('truncated file: only ScanError, quickly', async () => {
    const t0 = Date.now();
    const e = await extractError(fix('truncated.pdf'));
    expect(e).toBeInstanceOf(ScanError);
    expect((e as ScanError).reason).toBe('corrupt');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('byte-mutated file: no crash, reported as corrupt', async () => {
    const t0 = Date.now();
    let items: Extracted[] = [];
    try {
      items = await extract(fix('mutated.pdf'), true);
    } catch (e) {
      expect(e).toBeInstanceOf(ScanError);
      return;
    }
    expect(items.some((i) => i.kind === 'unscannable' && i.reason === 'corrupt')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

// ------------------------------------------------------------------ synthetic edge cases

describe('PDF synthetic documents', () => {
  const CHARS = '秘Confidential部品社外';
  const type0 = (cmapObj: number) =>
    `<</Type/Font/Subtype/Type0/BaseFont/ABCDEF+IPAGothic/Encoding/Identity-H/ToUnicode ${cmapObj} 0 R/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/ABCDEF+IPAGothic/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/DW 1000/W[1[1000]2 13 500]>>]>>`;

  it('Type0 Identity-H with bfchar + bfrange array; TJ kerning does not split the word', async () => {
    const c = `BT /F1 12 Tf 72 700 Td [<${cidHex(CHARS, '秘')}>] TJ [<${cidHex(CHARS, 'Confi')}> 30 <${cidHex(CHARS, 'dential')}>] TJ ET`;
    const pdf = docWith([c], { fontObj: type0(7), extraObjs: [stream('', toUnicodeCMap(CHARS))] });
    const items = await extract(pdf);
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1)).toContain('秘Confidential');
  });

  it('words drawn glyph by glyph on one line are joined; a new line gives \\n', async () => {
    const glyphs = Array.from('Confidential')
      .map((ch, i) => `1 0 0 1 ${100 + i * 6} 700 Tm <${cidHex(CHARS, ch)}> Tj`)
      .join('\n');
    const c = `BT /F1 12 Tf 1 0 0 1 72 720 Tm <${cidHex(CHARS, '秘')}> Tj ${glyphs} ET`;
    const pdf = docWith([c], { fontObj: type0(7), extraObjs: [stream('', toUnicodeCMap(CHARS))] });
    const items = await extract(pdf);
    expect(pageText(items, 1)).toMatch(/秘\nConfidential/);
    expect(stampHits(items)).toEqual(['page:1']);
  });

  it('a one-character line over a word that starts right under it is two lines; one character under another down a column is a word', async () => {
    const read = async (c: string) => pageText(await extract(docWith([c], { fontObj: type0(7), extraObjs: [stream('', toUnicodeCMap(CHARS))] })), 1);
    const g = (ch: string, x: number, y: number) => `1 0 0 1 ${x} ${y} Tm <${cidHex(CHARS, ch)}> Tj`;
    // 「秘」 alone, then 「Confidential」 drawn glyph by glyph on the next line from the same left edge (a wrapped cell).
    const lines = `BT /F1 12 Tf ${g('秘', 72, 720)} ${Array.from('Confidential', (ch, i) => g(ch, 72 + i * 6, 706)).join(' ')} ET`;
    expect(await read(lines)).toMatch(/^秘\nConfidential$/m);
    expect(await read(lines)).not.toContain('秘C');
    // The same characters each one under the last (縦書き with upright letters): one column, one word.
    const column = `BT /F1 12 Tf ${Array.from('秘Conf', (ch, i) => g(ch, 72, 720 - 14 * i)).join(' ')} ET`;
    expect(await read(column)).toContain('秘Conf');
  });

  it('a word split over two strings is not split when the font has no widths', async () => {
    const noW = `<</Type/Font/Subtype/Type0/BaseFont/X/Encoding/Identity-H/ToUnicode 7 0 R/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/X/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>>>]>>`;
    // glyphs really are ~0.5 em wide; the font claims nothing (DW 1000 by default)
    const c = `BT /F1 10 Tf 1 0 0 1 72 700 Tm <${cidHex(CHARS, '秘Confi')}> Tj 1 0 0 1 112 700 Tm <${cidHex(CHARS, 'dential')}> Tj ET`;
    const items = await extract(docWith([c], { fontObj: noW, extraObjs: [stream('', toUnicodeCMap(CHARS))] }));
    expect(pageText(items, 1)).toContain('秘Confidential');
  });

  it('a real gap between strings on one line (per widths) becomes a space; kerning does not', async () => {
    // /W gives 500 for codes 2..13: "Confi" is 2.5 em = 25 pt at 10 pt
    const c = `BT /F1 10 Tf 1 0 0 1 72 700 Tm <${cidHex(CHARS, 'Confi')}> Tj 1 0 0 1 97 700 Tm <${cidHex(CHARS, 'dential')}> Tj 1 0 0 1 200 700 Tm <${cidHex(CHARS, 'Conf')}> Tj ET`;
    const items = await extract(docWith([c], { fontObj: type0(7), extraObjs: [stream('', toUnicodeCMap(CHARS))] }), true);
    expect(pageText(items, 1)).toContain('Confidential Conf');
  });

  it('trap with CID font: 社外秘 then Confidential in another paragraph below is the stamp only when adjacent', async () => {
    const c = `BT /F1 12 Tf 72 700 Td <${cidHex(CHARS, '社外秘部品')}> Tj 0 -20 Td <${cidHex(CHARS, 'Confidential')}> Tj ET`;
    const pdf = docWith([c], { fontObj: type0(7), extraObjs: [stream('', toUnicodeCMap(CHARS))] });
    const items = await extract(pdf);
    expect(stampHits(items)).toEqual([]);
    expect(pageText(items, 1)).toContain('社外秘部品\nConfidential');
  });

  it('simple font with /Differences glyph names (uni79D8) and no ToUnicode', async () => {
    const font = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Type/Encoding/BaseEncoding/WinAnsiEncoding/Differences[1/uni79D8 2/space]>>>>';
    const c = 'BT /F1 12 Tf 72 700 Td (\\001\\002Confidential) Tj ET';
    const items = await extract(docWith([c], { fontObj: font }));
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1)).toContain('秘 Confidential');
  });

  it('glyph names no list knows that carry their code (Cairo\'s /a67 for C) read as that code, as poppler does', async () => {
    // Codes 1–4 named /a67 /a111 /a110 /a102 (C o n f): the names, not the codes, say which letters.
    const font = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1/uni79D8 2/space 3/a67/a111/a110/a102]>>>>';
    const c = 'BT /F1 12 Tf 72 700 Td (\\001\\002\\003\\004\\005\\006idential) Tj ET';
    const items = await extract(docWith([c], { fontObj: font }));
    expect(pageText(items, 1)).toContain('秘 Confidential');
    expect(stampHits(items)).toEqual(['page:1']);
  });

  it('under a Unicode CMap a code is its character, whatever a ToUnicode says (Ghostscript rewrites ReportLab\'s wrongly)', async () => {
    const font = '<</Type/Font/Subtype/Type0/BaseFont/HeiseiKakuGo-W5/Encoding/UniJIS-UCS2-H/ToUnicode 7 0 R/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/HeiseiKakuGo-W5/CIDSystemInfo<</Registry(Adobe)/Ordering(Japan1)/Supplement 2>>>>]>>';
    // What gs wrote: every code to a wrong character (秘 → b, C → b).
    const wrong = '/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <79D8> <0062> <0043> <0062> endbfchar endcmap end end';
    const c = `BT /F1 12 Tf 72 700 Td <${hex16('秘 Confidential')}> Tj ET`;
    const items = await extract(docWith([c], { fontObj: font, extraObjs: [stream('', wrong)] }));
    expect(stampHits(items)).toEqual(['page:1']);
  });

  it('predefined CMaps without ToUnicode: UniJIS-UCS2-H and 90ms-RKSJ-H', async () => {
    const ucs = '<</Type/Font/Subtype/Type0/BaseFont/KozMinPro-Regular/Encoding/UniJIS-UCS2-H/DescendantFonts[<</Type/Font/Subtype/CIDFontType0/BaseFont/KozMinPro-Regular/CIDSystemInfo<</Registry(Adobe)/Ordering(Japan1)/Supplement 4>>>>]>>';
    const c1 = `BT /F1 12 Tf 72 700 Td <${hex16('秘 Confidential')}> Tj ET`;
    expect(stampHits(await extract(docWith([c1], { fontObj: ucs })))).toEqual(['page:1']);
    const sjis = '<</Type/Font/Subtype/Type0/BaseFont/MS-Mincho/Encoding/90ms-RKSJ-H/DescendantFonts[<</Type/Font/Subtype/CIDFontType0/BaseFont/MS-Mincho/CIDSystemInfo<</Registry(Adobe)/Ordering(Japan1)/Supplement 2>>>>]>>';
    // 秘 in Shift_JIS is 94 E9, then " Confidential" as 1-byte codes
    const c2 = 'BT /F1 12 Tf 72 700 Td <94E920436F6E666964656E7469616C> Tj ET';
    const items = await extract(docWith([c2], { fontObj: sjis }));
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1)).toContain('秘 Confidential');
  });

  it('/ActualText over glyphs that decode to something else: inline, named in /Properties, in a form, and with no glyph at all', async () => {
    // A Helvetica (WinAnsi) font cannot produce 秘: only the marked content's ActualText can.
    const span = (text: string, shown: string) => `/Span<</ActualText<FEFF${hex16(text)}>>>BDC (${shown}) Tj EMC`;
    const inline = `BT /F1 12 Tf 72 700 Td ${span('秘', 'x')} ( Confidential) Tj ET`;
    expect(stampHits(await extract(docWith([inline])))).toEqual(['page:1']);

    const named = 'BT /F1 12 Tf 72 700 Td /Span /MC0 BDC (x) Tj EMC ( Confidential) Tj ET';
    const props = `/Properties<</MC0<</ActualText<FEFF${hex16('秘')}>>>>>`;
    expect(stampHits(await extract(docWith([named], { resourcesExtra: props })))).toEqual(['page:1']);

    // the page's own stream never names ActualText; its form does
    const form = stream('/Type/XObject/Subtype/Form/BBox[0 0 500 100]/Resources<</Font<</F1 3 0 R>>>>', `BT /F1 12 Tf 0 0 Td ${span('秘 Confidential', 'xx')} ET`);
    const viaForm = docWith(['q /Fm1 Do Q'], { resourcesExtra: '/XObject<</Fm1 7 0 R>>', extraObjs: [form] });
    expect(stampHits(await extract(viaForm))).toEqual(['page:1']);

    // a span that shows nothing (an image, a path) still has its text
    const empty = `BT /F1 12 Tf 72 700 Td /Span<</ActualText<FEFF${hex16('秘')}>>>BDC EMC ( Confidential) Tj ET`;
    expect(stampHits(await extract(docWith([empty])))).toEqual(['page:1']);
  });

  it('a damaged form looked at for /ActualText first still makes its page unscannable when it is drawn', async () => {
    const content = `BT /F1 12 Tf 0 0 Td /Span<</ActualText<FEFF${hex16('通常')}>>>BDC (x) Tj EMC ET ${Array.from({ length: 500 }, (_, i) => `${(i * 7919) % 10007} 0 m`).join(' ')}`;
    const whole = zlibSync(latin1Bytes(content));
    const cut = whole.subarray(0, Math.floor(whole.length * 0.7)); // its deflate stream ends early: read in part
    const form = concatBytes([`<</Type/XObject/Subtype/Form/BBox[0 0 500 100]/Resources<</Font<</F1 3 0 R>>>>/Filter/FlateDecode/Length ${cut.length}>>\nstream\n`, cut, '\nendstream']);
    const pdf = docWith(['q /Fm1 Do Q'], { resourcesExtra: '/XObject<</Fm1 7 0 R>>', extraObjs: [form] });
    const items = await extract(pdf);
    expect(items.some((i) => i.kind === 'unscannable' && i.reason === 'corrupt')).toBe(true);
  });

  it('/ActualText replaces its glyphs (the outermost span wins), and a trap given that way stays clean', async () => {
    const cmapFont = `<</Type/Font/Subtype/Type0/BaseFont/X/Encoding/Identity-H/ToUnicode 7 0 R/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/X/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/DW 1000>>]>>`;
    const chars = '秘書室 Confidential';
    // glyphs that decode to 秘 (a fallback glyph mapped to the first character, as LibreOffice does) under text that says 秘書室
    const c = `BT /F1 12 Tf 72 700 Td /Span<</ActualText<FEFF${hex16('秘書室')}>>>BDC /Span<</ActualText<FEFF${hex16('秘')}>>>BDC <${cidHex(chars, '秘')}> Tj EMC <${cidHex(chars, '秘秘')}> Tj EMC <${cidHex(chars, ' Confidential')}> Tj ET`;
    const items = await extract(docWith([c], { fontObj: cmapFont, extraObjs: [stream('', toUnicodeCMap(chars))] }), true);
    expect(pageText(items, 1)).toContain('秘書室 Confidential');
    expect(stampHits(items)).toEqual([]);
  });

  it('marked content opened and never closed, or closed too often, neither hangs nor loses text', async () => {
    const c = `BT /F1 12 Tf 72 700 Td ${'/P BMC '.repeat(5000)}/Span<</ActualText<FEFF${hex16('秘 Confidential')}>>>BDC (x) Tj ET ${'EMC '.repeat(6000)}BT /F1 12 Tf 72 600 Td /Span<</ActualText<FEFF${hex16('秘')}>>>BDC EMC ( Confidential) Tj ET`;
    const items = await extract(docWith([c]));
    expect(stampHits(items)).toEqual(['page:1']);
    expect(pageText(items, 1).match(/秘 ?Confidential/g)).toHaveLength(2);
  });

  it('Form XObject with the stamp, a self-referencing form and a page-tree cycle do not hang', async () => {
    // objects: 1 catalog, 2 pages, 3 font, 4 resources, 5 page, 6 content, 7 form, 8 cyclic form, 9 cmap
    const form = stream('/Type/XObject/Subtype/Form/BBox[0 0 500 100]/Resources<</Font<</F1 3 0 R>>/XObject<</Loop 8 0 R>>>>', `BT /F1 10 Tf 0 0 Td <${cidHex(CHARS, '秘 Confidential'.replace(' ', ''))}> Tj ET /Loop Do`);
    const loop = stream('/Type/XObject/Subtype/Form/BBox[0 0 1 1]/Resources<</XObject<</Self 8 0 R/Back 7 0 R>>>>', '/Self Do /Back Do');
    const objs: Body[] = [
      '<</Type/Catalog/Pages 2 0 R>>',
      '<</Type/Pages/Kids[5 0 R 2 0 R]/Count 1/MediaBox[0 0 595 842]>>',
      type0(9),
      '<</Font<</F1 3 0 R>>/XObject<</Fm1 7 0 R>>>>',
      '<</Type/Page/Parent 2 0 R/Resources 4 0 R/Contents 6 0 R>>',
      stream('', 'q 1 0 0 1 50 50 cm /Fm1 Do Q'),
      form,
      loop,
      stream('', toUnicodeCMap(CHARS)),
    ];
    const t0 = Date.now();
    const items = await extract(buildPdf(objs, '/Root 1 0 R'));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(stampHits(items)).toEqual(['page:1']);
  });

  it('annotation /Contents and form field values are read on their page', async () => {
    const annot = '<</Type/Annot/Subtype/Text/Rect[0 0 10 10]/Contents(\\376\\377' + Array.from('秘 Confidential').map((c) => {
      const u = c.charCodeAt(0);
      return '\\' + (u >> 8).toString(8).padStart(3, '0') + '\\' + (u & 255).toString(8).padStart(3, '0');
    }).join('') + ')>>';
    const widget = '<</Type/Annot/Subtype/Widget/FT/Tx/T(f1)/Rect[0 0 10 10]/V(plain value)>>';
    const pdf = docWith(['BT /F1 12 Tf 72 700 Td (page one) Tj ET', 'BT /F1 12 Tf 72 700 Td (page two) Tj ET'], {
      pageExtra: ['/Annots[10 0 R]', '/Annots[9 0 R]'],
      extraObjs: [annot, widget],
    });
    const items = await extract(pdf, true);
    expect(stampHits(items)).toEqual(['page:2']);
    expect(pageText(items, 1)).toContain('plain value');
    expect(pageText(items, 1)).toContain('page one');
  });

  it('annotation appearance streams (an Acrobat-style stamp) are read; hidden ones are not', async () => {
    // 1 catalog, 2 pages, 3 font, 4 resources, 5 page1, 6 content1, 7 page2, 8 content2, 9 cmap, 10 stamp AP, 11 annot, 12 hidden annot
    const ap = stream('/Type/XObject/Subtype/Form/BBox[0 0 100 30]/Resources<</Font<</S 3 0 R>>>>', `BT /S 14 Tf 5 8 Td <${cidHex(CHARS, '秘Confidential')}> Tj ET`);
    const pdf = docWith(['BT ET', 'BT ET'], {
      fontObj: type0(9),
      pageExtra: ['/Annots[12 0 R]', '/Annots[11 0 R]'],
      extraObjs: [
        stream('', toUnicodeCMap(CHARS)),
        ap,
        '<</Type/Annot/Subtype/Stamp/Rect[400 700 500 730]/Name/Confidential/AP<</N 10 0 R>>>>',
        '<</Type/Annot/Subtype/Stamp/F 2/Rect[400 700 500 730]/AP<</N 10 0 R>>>>',
      ],
    });
    const items = await extract(pdf);
    expect(stampHits(items)).toEqual(['page:2']);
  });

  // Asserts the budget outcome, not wall time (timed unit tests flake under load; speed is for `npm run bench -- limits`).
  it('a Flate bomb stops at the expansion limit: within a slice or two of the cap, and never read as complete', async () => {
    const bomb = zlibSync(new Uint8Array(64 * 1024 * 1024).fill(0x20), { level: 9 });
    const cap = 8 * 1024 * 1024;
    // The decoder itself: cut at the cap and marked partial. Everything it inflated is in one buffer
    // (the chunks joined), so its size shows it stopped within a slice or two of output (4 KiB in, ≤ ~1032× out)
    // of the cap instead of inflating all 64 MiB.
    const direct = inflate(bomb, cap);
    expect(direct.partial).toBe(true);
    expect(direct.data.length).toBe(cap);
    expect(direct.data.buffer.byteLength).toBeLessThanOrEqual(cap + 2 * 1032 * INPUT_SLICE);

    const objs: Body[] = [
      '<</Type/Catalog/Pages 2 0 R>>',
      '<</Type/Pages/Kids[3 0 R]/Count 1>>',
      '<</Type/Page/Parent 2 0 R/Contents 4 0 R>>',
      concatBytes([`<</Filter/FlateDecode/Length ${bomb.length}>>\nstream\n`, bomb, '\nendstream']),
    ];
    const ctx = makeCtx(true);
    ctx.limits.maxExpandedBytes = cap;
    let expanded = 0;
    let largest = 0;
    ctx.addExpanded = (n: number) => {
      expanded += n;
      largest = Math.max(largest, n);
      if (expanded > ctx.limits.maxExpandedBytes) throw new ScanError('expansion-ratio', 'too much');
    };
    const out: Extracted[] = [];
    let err: unknown = null;
    try {
      for await (const it of extractPdf(new Blob([buildPdf(objs, '/Root 1 0 R') as Uint8Array<ArrayBuffer>]), ctx)) out.push(it);
    } catch (e) {
      err = e;
    }
    // No stream was accounted past the cap, and the scan says it did not read everything.
    expect(largest).toBeLessThanOrEqual(cap);
    if (err) expect((err as ScanError).reason).toBe('expansion-ratio');
    else expect(out.some((i) => i.kind === 'unscannable')).toBe(true);
  });

  it('Info strings: UTF-16BE with BOM and PDFDocEncoding', async () => {
    const title = '<FEFF' + hex16('秘　CONFIDENTIAL') + '>';
    const pdf = docWith(['BT /F1 12 Tf 72 700 Td (x) Tj ET'], {
      extraObjs: [`<</Title${title}/Author(M\\374ller \\204 team)>>`],
      info: '/Info 7 0 R',
    });
    const items = await extract(pdf);
    expect(stampHits(items)).toEqual(['area:properties']);
    const props = texts(items).find((t) => t.where.area === 'properties')!.text;
    expect(props).toContain('Müller — team');
    expect(decodeTextString(new Uint8Array([0xfe, 0xff, 0x79, 0xd8]))).toBe('秘');
  });

  it('XMP metadata text is read as properties', async () => {
    const xmp = enc.encode('<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description><dc:title><rdf:Alt><rdf:li>&#x79D8; Confidential</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>');
    const objs: Body[] = [
      '<</Type/Catalog/Pages 2 0 R/Metadata 5 0 R>>',
      '<</Type/Pages/Kids[3 0 R]/Count 1>>',
      '<</Type/Page/Parent 2 0 R/Contents 4 0 R>>',
      stream('', 'BT ET'),
      stream('/Type/Metadata/Subtype/XML', xmp, false),
    ];
    expect(stampHits(await extract(buildPdf(objs, '/Root 1 0 R')))).toEqual(['area:properties']);
  });

  it('an inline image whose bytes hold "EI" (then a "(") is skipped by the length its dictionary gives', async () => {
    const font2 = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1/uni79D8]>>>>';
    const page = (pixels: string) => {
      const content = `BI /W 16 /H 4 /BPC 8 /CS /G ID ${pixels}\nEI\nBT /F2 12 Tf 72 700 Td (\\001 Confidential) Tj ET`;
      return buildPdf(['<</Type/Catalog/Pages 2 0 R>>', '<</Type/Pages/Kids[3 0 R]/Count 1>>', '<</Type/Page/Parent 2 0 R/Contents 4 0 R/Resources<</Font<</F2 5 0 R>>>>>>', stream('', content, false), font2], '/Root 1 0 R');
    };
    // 64 bytes of gray pixels, some of which read "\nEI\n(": a string opened there would run over the text.
    const pixels = 'a'.repeat(20) + '\nEI\n(' + 'b'.repeat(39);
    expect(pixels.length).toBe(64);
    expect(stampHits(await extract(page(pixels)))).toEqual(['page:1']);
    // Pixels without "EI": the same page, read as before.
    expect(stampHits(await extract(page('c'.repeat(64))))).toEqual(['page:1']);
  });

  it('ASCIIHex + ASCII85 content filters; inline images are skipped', async () => {
    const content = 'BI /W 4 /H 1 /BPC 8 /CS /G ID \x00\x28\x29EIX EI BT /F2 12 Tf 72 700 Td (\\001 Confidential) Tj ET';
    const hexData = Array.from(content).map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('') + '>';
    const font2 = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1/uni79D8]>>>>';
    const objs: Body[] = [
      '<</Type/Catalog/Pages 2 0 R>>',
      '<</Type/Pages/Kids[3 0 R 5 0 R]/Count 2>>',
      '<</Type/Page/Parent 2 0 R/Contents 4 0 R/Resources<</Font<</F2 7 0 R>>>>>>',
      stream('/Filter/ASCIIHexDecode', hexData, false),
      '<</Type/Page/Parent 2 0 R/Contents 6 0 R/Resources<</Font<</F2 7 0 R>>>>>>',
      // "BT /F2 12 Tf (\001x) Tj ET" in ASCII85, then LZW-encoded by hand would be long: A85 only
      stream('/Filter/ASCII85Decode', ascii85('BT /F2 9 Tf 10 10 Td (\\001CONFIDENTIAL) Tj ET') + '~>', false),
      font2,
    ];
    const items = await extract(buildPdf(objs, '/Root 1 0 R'));
    expect(stampHits(items)).toEqual(['page:1', 'page:2']);
  });

  it('a /Contents array split mid-line keeps the words whole; a page without /Parent uses the tree resources', async () => {
    const font = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1/uni79D8]>>>>';
    const objs: Body[] = [
      '<</Type/Catalog/Pages 2 0 R>>',
      '<</Type/Pages/Kids[3 0 R]/Count 1/Resources<</Font<</F1 6 0 R>>>>>>',
      '<</Type/Page/Contents[4 0 R 5 0 R]>>',
      stream('', 'BT /F1 12 Tf 72 700 Td (\\001 Confi) Tj'),
      stream('', '(dential) Tj ET'),
      font,
    ];
    const items = await extract(buildPdf(objs, '/Root 1 0 R'));
    expect(pageText(items, 1)).toBe('秘 Confidential\n');
  });

  it('LZW content stream', async () => {
    const font = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1/uni79D8]>>>>';
    // long and varied enough to pass the 9→10→11-bit code-length switches
    const filler = Array.from({ length: 600 }, (_, i) => `(w${i * 7919}) Tj`).join(' ');
    const data = lzwEncode(latin1Bytes(`BT /F1 12 Tf 72 700 Td ${filler} ET BT /F1 12 Tf 72 500 Td (\\001 Confidential Confidential Confidential) Tj ET`));
    expect(data.length).toBeGreaterThan(2000);
    const objs: Body[] = [
      '<</Type/Catalog/Pages 2 0 R>>',
      '<</Type/Pages/Kids[3 0 R]/Count 1>>',
      '<</Type/Page/Parent 2 0 R/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
      concatBytes([`<</Filter/LZWDecode/Length ${data.length}>>\nstream\n`, data, '\nendstream']),
      font,
    ];
    const items = await extract(buildPdf(objs, '/Root 1 0 R'));
    const t = pageText(items, 1);
    expect(t).toContain('w4743481');
    expect(t.endsWith('\n秘 Confidential Confidential Confidential\n')).toBe(true);
  });

  it('xref /Prev loop and a missing startxref target do not hang', async () => {
    const base = docWith(['BT /F1 12 Tf 72 700 Td (hello) Tj ET']);
    const s = new TextDecoder('latin1').decode(base);
    const xrefAt = s.lastIndexOf('xref\n0 ');
    const looped = s.replace(/trailer\n<</, `trailer\n<</Prev ${xrefAt}`);
    const items = await extract(latin1Bytes(looped), true);
    expect(pageText(items, 1)).toContain('hello');
    const wrong = s.replace(/startxref\n\d+/, 'startxref\n999999');
    const items2 = await extract(latin1Bytes(wrong), true);
    expect(pageText(items2, 1)).toContain('hello');
  });

  it('a Flate stream with a bad checksum or cut short still yields its text', async () => {
    const text = 'BT /F1 12 Tf 72 700 Td (\\001 Confidential) Tj ET';
    const z = zlibSync(latin1Bytes(text + ' '.repeat(2000) + 'BT (tail) Tj ET'));
    const bad = z.slice();
    bad[bad.length - 1] ^= 0xff; // adler32
    const cut = z.slice(0, Math.floor(z.length * 0.6));
    const font = '<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1/uni79D8]>>>>';
    for (const data of [bad, cut]) {
      const objs: Body[] = [
        '<</Type/Catalog/Pages 2 0 R>>',
        '<</Type/Pages/Kids[3 0 R]/Count 1>>',
        '<</Type/Page/Parent 2 0 R/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
        concatBytes([`<</Filter/FlateDecode/Length ${data.length}>>\nstream\n`, data, '\nendstream']),
        font,
      ];
      const items = await extract(buildPdf(objs, '/Root 1 0 R'));
      expect(stampHits(items)).toEqual(['page:1']);
    }
  });

  it('unknown security handler → encrypted', async () => {
    const pdf = docWith(['BT ET'], { extraObjs: ['<</Filter/Adobe.PubSec/V 4/R 4>>'] });
    const s = new TextDecoder('latin1').decode(pdf).replace('/Root 1 0 R', '/Root 1 0 R/Encrypt 7 0 R/ID[<00><00>]');
    const e = await extractError(latin1Bytes(s));
    expect(e).toBeInstanceOf(ScanError);
    expect((e as ScanError).reason).toBe('encrypted');
    expect((e as ScanError).message).toMatch(/Adobe\.PubSec/);
  });

  it('not a PDF at all → ScanError corrupt', async () => {
    for (const junk of [new Uint8Array(0), enc.encode('hello world'), new Uint8Array(5000).fill(7)]) {
      const e = await extractError(junk);
      expect(e).toBeInstanceOf(ScanError);
      expect((e as ScanError).reason).toBe('corrupt');
    }
  });

  it('a long page is split into overlapping chunks', async () => {
    const line = 'BT /F1 10 Tf 72 700 Td (' + 'x'.repeat(5000) + ') Tj ET\n';
    const items = await extract(docWith([line.repeat(300) + 'BT /F1 10 Tf 72 100 Td (end) Tj ET']), true);
    const page = texts(items).filter((t) => t.where.page === 1);
    expect(page.length).toBeGreaterThan(1);
    expect(page.every((t) => t.text.length <= 1 << 20)).toBe(true);
  });
});

/** LZW encoder (PDF variant: 9..12-bit codes, EarlyChange 1, clear at start, EOD at end). */
function lzwEncode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let bitBuf = 0;
  let bitCnt = 0;
  let codeLen = 9;
  const put = (code: number) => {
    bitBuf = (bitBuf << codeLen) | code;
    bitCnt += codeLen;
    while (bitCnt >= 8) {
      out.push((bitBuf >>> (bitCnt - 8)) & 0xff);
      bitCnt -= 8;
    }
    bitBuf &= (1 << bitCnt) - 1;
  };
  const dict = new Map<string, number>();
  let next = 258;
  put(256);
  let w = '';
  for (const b of data) {
    const wc = w + String.fromCharCode(b);
    if (wc.length === 1 || dict.has(wc)) {
      w = wc;
      continue;
    }
    put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
    dict.set(wc, next++);
    if (next + 1 > 1 << codeLen && codeLen < 12) codeLen++;
    w = String.fromCharCode(b);
  }
  if (w) put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
  put(257);
  if (bitCnt > 0) out.push((bitBuf << (8 - bitCnt)) & 0xff);
  return Uint8Array.from(out);
}

function ascii85(s: string): string {
  const b = latin1Bytes(s);
  let out = '';
  for (let i = 0; i < b.length; i += 4) {
    const chunk = [b[i], b[i + 1] ?? 0, b[i + 2] ?? 0, b[i + 3] ?? 0];
    let v = ((chunk[0] << 24) | (chunk[1] << 16) | (chunk[2] << 8) | chunk[3]) >>> 0;
    const n = Math.min(4, b.length - i);
    const digits: string[] = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(String.fromCharCode(33 + (v % 85)));
      v = Math.floor(v / 85);
    }
    out += digits.slice(0, n + 1).join('');
  }
  return out;
}

// ------------------------------------------------------------------ primitives

describe('PDF attachments named twice', () => {
  it('the name tree\'s key counts for rule 2 beside the file spec\'s name (viewers differ in which they list)', async () => {
    const v = await scanBlob(new Blob([await readFile(fix('attachment-key-name.pdf'))]), 'x.pdf');
    expect(v).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—計画.txt'] } });
  });
});

describe('a ToUnicode map that a PDF rewriter wrote wrong is a damaged text layer, never clean', () => {
  const damaged = (items: Extracted[]) => items.filter((i) => i.kind === 'unscannable' && i.reason === 'corrupt' && /text layer is damaged/.test((i as { detail: string }).detail));
  const verdict = async (name: string) => scanBlob(new Blob([await readFile(fix(name))]), name);

  it.each([
    ['gs-tounicode-array-stamp.pdf', 'Ghostscript 10.00 rewrites wkhtmltopdf\'s [<79D8> …] array as <00f9>: 「ù Confidential」'],
    ['mutool-convert-c1-stamp.pdf', '`mutool convert` maps ReportLab\'s 秘 to U+0085, a C1 control'],
  ])('%s (%s): the page shows 「秘 Confidential」, the file is unscannable', async (name) => {
    const items = await extract(fix(name));
    expect(stampHits(items)).toEqual([]);
    expect(damaged(items)).toEqual([expect.objectContaining({ where: { page: 1 } })]);
    expect(await verdict(name)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('their traps (秘書室 Confidential, 社外秘の資料) are damaged too, never marked', async () => {
    for (const name of ['gs-tounicode-array-trap.pdf', 'mutool-convert-c1-trap.pdf']) expect(await verdict(name), name).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('the same rewriters\' right maps read clean: a Japanese font for Latin-1 text (café, gs) and for ASCII (mutool)', async () => {
    for (const name of ['gs-tounicode-array-latin.pdf', 'mutool-convert-c1-ascii.pdf']) {
      const items = await extract(fix(name));
      expect(damaged(items), name).toEqual([]);
      expect(await verdict(name), name).toMatchObject({ verdict: 'clean' });
    }
    expect(pageText(await extract(fix('gs-tounicode-array-latin.pdf'), true), 1)).toMatch(/Café\s+résumé/);
  });

  it('an accented letter is damaged only drawn full-width (its /W width, or /DW), a C1 control always', async () => {
    const chars = 'éConfidential';
    const font = (w: string) =>
      `<</Type/Font/Subtype/Type0/BaseFont/ABCDEF+IPAGothic/Encoding/Identity-H/ToUnicode 7 0 R/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/ABCDEF+IPAGothic/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/DW 1000${w}>>]>>`;
    const shown = [`BT /F1 12 Tf 72 700 Td <${cidHex(chars, 'éConfidential')}> Tj ET`];
    const read = (w: string, map = toUnicodeCMap(chars)) => extract(docWith(shown, { fontObj: font(w), extraObjs: [stream('', map)] }));
    expect(damaged(await read('/W[1[500]2 13 500]'))).toEqual([]);
    expect(damaged(await read('/W[2 13 500]'))).toHaveLength(1);
    expect(damaged(await read('/W[1[1000]2 13 500]'))).toHaveLength(1);
    expect(damaged(await read('/W[1[500]2 13 500]', toUnicodeCMap(chars).replace('<00e9>', '<0085>')))).toHaveLength(1);
    // × (JIS X 0208's full-width multiplication sign) and Æ (as wide as an em in some fonts) are characters.
    for (const wide of ['<00d7>', '<00c6>']) expect(damaged(await read('/W[2 13 500]', toUnicodeCMap(chars).replace('<00e9>', wide))), wide).toEqual([]);
  });
});

describe('text in fonts that do not say which characters they draw is unscannable, never clean', () => {
  const unreadable = (items: Extracted[]) => items.filter((i) => i.kind === 'unscannable' && i.reason === 'unsupported');

  it.each([
    ['lo-no-tounicode-stamp.pdf', 'LibreOffice\'s symbolic TrueType subset, its ToUnicode map deleted'],
    ['lo-tounicode-gap-stamp.pdf', 'the same map with only 「秘」\'s entry deleted'],
    ['chromium-no-tounicode-stamp.pdf', 'Chromium\'s Type0 Identity-H fonts without their maps'],
    ['gs-roundtrip-stamp.pdf', 'Ghostscript PDF → PostScript → PDF'],
    ['mutool-convert-stamp.pdf', '`mutool convert`: a map to control codes'],
  ])('%s (%s)', async (name) => {
    const items = await extract(fix(name));
    expect(stampHits(items)).toEqual([]);
    const u = unreadable(items);
    expect(u).toHaveLength(1);
    expect(u[0]).toMatchObject({ where: { page: 1 } });
    expect((u[0] as { detail: string }).detail).toMatch(/character\(s\), from page 1 on/);
  });

  it('every font of the other fixtures says what it draws: none of them is unreadable', async () => {
    for (const name of ['header-stamp.pdf', 'trap-clean-ja.pdf', 'multipage-p2.pdf', 'chromium-vertical.pdf', 'chromium-letter-spaced-trap.pdf', 'chromium-svg-clip-twin.pdf', 'gs-utf8-trap.pdf', 'reportlab-out-of-order-trap.pdf', 'no-cjk-font-trap.pdf']) {
      expect(unreadable(await extract(fix(name))), name).toEqual([]);
    }
  });

  it('cairo (pdftocairo): a map that sends glyphs to U+FFFD (the replacement character) says no character: not read', async () => {
    const items = await extract(fix('pdftocairo-fffd-stamp.pdf'));
    const u = unreadable(items);
    expect(u).toHaveLength(1);
    expect((u[0] as { detail: string }).detail).toMatch(/^17 character\(s\), from page 1 on/);
    expect(unreadable(await extract(fix('pdftocairo-trap-clean-ja.pdf')))).toEqual([]);
    expect(await scanBlob(new Blob([await readFile(fix('pdftocairo-trap-clean-ja.pdf'))]), 'x.pdf')).toMatchObject({ verdict: 'clean' });
  });

  const CHARS = '秘Confidential';
  const identity = (toUnicode: string) =>
    `<</Type/Font/Subtype/Type0/BaseFont/ABCDEF+X/Encoding/Identity-H${toUnicode}/DescendantFonts[<</Type/Font/Subtype/CIDFontType2/BaseFont/ABCDEF+X/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/DW 1000>>]>>`;
  const shown = `BT /F1 12 Tf 72 700 Td <${cidHex(CHARS, '秘 Confidential'.replace(' ', ''))}> Tj ET`;

  it('an Identity font: each code its map leaves out is a character not read; a full map reads clean text', async () => {
    const full = await extract(docWith([shown], { fontObj: identity('/ToUnicode 7 0 R'), extraObjs: [stream('', toUnicodeCMap(CHARS))] }));
    expect(unreadable(full)).toEqual([]);
    expect(stampHits(full)).toEqual(['page:1']);
    const none = await extract(docWith([shown], { fontObj: identity('') }));
    expect(unreadable(none)[0]).toMatchObject({ detail: expect.stringMatching(/^13 character/) });
    // The map without 「秘」 (code 1): the rest reads, the one glyph does not.
    const gap = toUnicodeCMap(CHARS).replace('<0001> <79d8>\n', '').replace(/^7 beginbfchar$/m, '6 beginbfchar');
    expect(gap).not.toContain('79d8');
    const items = await extract(docWith([shown], { fontObj: identity('/ToUnicode 7 0 R'), extraObjs: [stream('', gap)] }), true);
    expect(pageText(items, 1)).toContain('Confidential');
    expect(unreadable(items)[0]).toMatchObject({ detail: expect.stringMatching(/^1 character/) });
  });

  it('a simple font: a /Differences name no list knows is unread; .notdef and known names are not', async () => {
    const font = (names: string) => `<</Type/Font/Subtype/Type1/BaseFont/Foo/Encoding<</Differences[1${names}]>>>>`;
    const c = 'BT /F1 12 Tf 72 700 Td (\\001\\002Confidential) Tj ET';
    expect(unreadable(await extract(docWith([c], { fontObj: font('/g17/space') })))).toHaveLength(1);
    expect(unreadable(await extract(docWith([c], { fontObj: font('/.notdef/space') })))).toEqual([]);
    expect(unreadable(await extract(docWith([c], { fontObj: font('/uni79D8/space') })))).toEqual([]);
  });

  it('a standard font showing a tab or a control code is not unreadable (only fonts that number their glyphs are)', async () => {
    const c = 'BT /F1 12 Tf 72 700 Td (Meeting\\tnotes\\001) Tj ET';
    expect(unreadable(await extract(docWith([c])))).toEqual([]);
  });

  it('a form field\'s appearance may be unreadable (its value is read from the field); a stamp annotation\'s may not', async () => {
    const annot = (subtype: string) =>
      docWith(['BT /F1 12 Tf 72 700 Td ET'], {
        fontObj: identity(''),
        pageExtra: ['/Annots[7 0 R]'],
        extraObjs: [`<</Type/Annot/Subtype/${subtype}/FT/Tx/T(f)/V(x)/Rect[0 0 100 20]/AP<</N 8 0 R>>>>`, stream('/Type/XObject/Subtype/Form/BBox[0 0 100 20]/Resources 4 0 R', `BT /F1 10 Tf <${cidHex(CHARS, 'Conf')}> Tj ET`)],
      });
    expect(unreadable(await extract(annot('Widget')))).toEqual([]);
    expect(unreadable(await extract(annot('Stamp')))).toHaveLength(1);
  });

  it('glyphs covered by /ActualText are read through it, so they are not unread', async () => {
    const c = `BT /F1 12 Tf 72 700 Td /Span<</ActualText(Meeting notes)>>BDC <${cidHex(CHARS, 'Conf')}> Tj EMC ET`;
    const items = await extract(docWith([c], { fontObj: identity('') }), true);
    expect(pageText(items, 1)).toContain('Meeting notes');
    expect(unreadable(items)).toEqual([]);
  });

  it('a stamp found elsewhere (the document title) still marks the file; without it the file is unscannable', async () => {
    const title = `<FEFF${hex16('秘 Confidential')}>`;
    const withTitle = docWith([shown], { fontObj: identity(''), extraObjs: [`<</Title${title}>>`], info: '/Info 7 0 R' });
    expect(await scanBlob(new Blob([withTitle as Uint8Array<ArrayBuffer>]), 'a.pdf')).toMatchObject({ verdict: 'marked', rule: 1 });
    const without = docWith([shown], { fontObj: identity('') });
    expect(await scanBlob(new Blob([without as Uint8Array<ArrayBuffer>]), 'a.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
});

describe('PDF crypto primitives', () => {
  // MD5, SHA-2 and AES are @noble's (tested there); these check RC4, our AES-CBC framing and algorithm 2.B.
  it('RC4 test vector', () => {
    expect(Buffer.from(rc4(enc.encode('Key'), enc.encode('Plaintext'))).toString('hex')).toBe('bbf316e8d940af0ad3');
  });
  it('AES-128/256-CBC decryption matches WebCrypto', async () => {
    for (const len of [16, 32]) {
      const key = webcrypto.getRandomValues(new Uint8Array(len));
      const iv = webcrypto.getRandomValues(new Uint8Array(16));
      const plain = webcrypto.getRandomValues(new Uint8Array(1000));
      const k = await webcrypto.subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['encrypt']);
      const ct = new Uint8Array(await webcrypto.subtle.encrypt({ name: 'AES-CBC', iv }, k, plain));
      const pt = aesCbcDecrypt(key, iv, ct);
      expect(Buffer.from(pt.subarray(0, 1000)).equals(Buffer.from(plain))).toBe(true);
      expect(pt[1000]).toBe(8); // PKCS#7 padding left in place
      // A ragged tail (a damaged stream) is cut to whole blocks, not an error.
      expect(aesCbcDecrypt(key, iv, ct.subarray(0, 1005)).length).toBe(1000 - (1000 % 16));
    }
  });
  it('AES-128-CBC encryption matches WebCrypto; R6 hash matches a WebCrypto reference', async () => {
    const s = webcrypto.subtle;
    const key = webcrypto.getRandomValues(new Uint8Array(16));
    const iv = webcrypto.getRandomValues(new Uint8Array(16));
    const plain = webcrypto.getRandomValues(new Uint8Array(2048));
    const k = await s.importKey('raw', key, { name: 'AES-CBC' }, false, ['encrypt']);
    const ref = new Uint8Array(await s.encrypt({ name: 'AES-CBC', iv }, k, plain)).subarray(0, 2048);
    expect(Buffer.from(aesCbcEncrypt(key, iv, plain)).equals(Buffer.from(ref))).toBe(true);
    // Algorithm 2.B with WebCrypto
    async function ref2B(pw: Uint8Array, salt: Uint8Array, u: Uint8Array): Promise<Uint8Array> {
      const cat = (...a: Uint8Array[]) => Uint8Array.from(a.flatMap((x) => Array.from(x)));
      let kk = new Uint8Array(await s.digest('SHA-256', cat(pw, salt, u)));
      for (let i = 0; ; i++) {
        const one = cat(pw, kk, u);
        const k1 = new Uint8Array(one.length * 64);
        for (let j = 0; j < 64; j++) k1.set(one, j * one.length);
        const ck = await s.importKey('raw', kk.slice(0, 16), { name: 'AES-CBC' }, false, ['encrypt']);
        const e = new Uint8Array(await s.encrypt({ name: 'AES-CBC', iv: kk.slice(16, 32) }, ck, k1)).subarray(0, k1.length);
        const m = e.subarray(0, 16).reduce((a, b) => a + b, 0) % 3;
        kk = new Uint8Array(await s.digest(m === 0 ? 'SHA-256' : m === 1 ? 'SHA-384' : 'SHA-512', e));
        // ISO 32000-2, 7.6.4.3.4 step e: after at least 64 rounds, stop when E's last byte is at most
        // the round number (counted from 1) minus 32.
        const round = i + 1;
        if (round >= 64 && e[e.length - 1] <= round - 32) break;
      }
      return kk.subarray(0, 32);
    }
    const salt = webcrypto.getRandomValues(new Uint8Array(8));
    for (const pw of [new Uint8Array(0), enc.encode('owner-pw')]) {
      const mine = hash2B(6, pw, salt, new Uint8Array(0));
      expect(Buffer.from(mine).toString('hex')).toBe(Buffer.from(await ref2B(pw, salt, new Uint8Array(0))).toString('hex'));
    }
  });
  it('glyph names', () => {
    expect(glyphToUnicode('uni79D8')).toBe('秘');
    expect(glyphToUnicode('u1F600')).toBe('😀');
    expect(glyphToUnicode('eacute')).toBe('é');
    expect(glyphToUnicode('f_i')).toBe('fi');
    expect(glyphToUnicode('A.sc')).toBe('A');
    expect(glyphToUnicode('g123')).toBe('');
  });
});

// ------------------------------------------------------------------ robustness

describe('PDF robustness', () => {
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 0x100000000;
    };
  }
  async function survives(bytes: Uint8Array): Promise<void> {
    try {
      const out: Extracted[] = [];
      for await (const it of extractPdf(new Blob([bytes as Uint8Array<ArrayBuffer>]), makeCtx(true, 3000))) out.push(it);
    } catch (e) {
      if (!(e instanceof ScanError)) throw e;
    }
  }
  it('random byte mutations and truncations throw nothing but ScanError', async () => {
    const files = ['multipage-p2.pdf', 'objstm-p2.pdf', 'owner-aes-128.pdf', 'owner-rc4-128.pdf', 'owner-aes-256-objstm.pdf'];
    const r = rng(12345);
    const t0 = Date.now();
    for (const f of files) {
      const data = new Uint8Array(await readFile(fix(f)));
      for (let iter = 0; iter < 40; iter++) {
        const m = data.slice();
        const n = 1 + Math.floor(r() * 20);
        for (let k = 0; k < n; k++) m[Math.floor(r() * m.length)] = Math.floor(r() * 256);
        await survives(m);
        await survives(data.subarray(0, Math.floor(r() * data.length)));
      }
    }
    expect(Date.now() - t0).toBeLessThan(30000);
  });
  it('the time budget surfaces as ScanError time-budget, not corrupt', async () => {
    for (const f of ['multipage-p2.pdf', 'bad-xref.pdf', 'owner-aes-256.pdf']) {
      const data = await readFile(fix(f));
      let err: unknown = null;
      try {
        for await (const _ of extractPdf(new Blob([data]), makeCtx(true, -1))) void _;
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ScanError);
      expect((err as ScanError).reason).toBe('time-budget');
    }
  });
  it('every cut point of a small file ends quickly', async () => {
    const data = docWith(['BT /F1 12 Tf 72 700 Td (hello) Tj ET', 'BT /F1 12 Tf 72 700 Td (world) Tj ET']);
    for (let cut = 0; cut < data.length; cut += 7) await survives(data.subarray(0, cut));
  });
});

describe('limits of the PDF reader end unread, never clean', () => {
  const unscannable = (items: Extracted[]) => items.filter((i) => i.kind === 'unscannable');
  it('a form past the 4,000 drawn per page is not drawn: the page is read in part', async () => {
    const plain = stream('/Type/XObject/Subtype/Form/BBox[0 0 10 10]/Resources<</Font<</F1 3 0 R>>>>', 'BT /F1 10 Tf 0 0 Td (x) Tj ET');
    const form = stream('/Type/XObject/Subtype/Form/BBox[0 0 500 100]/Resources<</Font<</F1 3 0 R>>>>', `BT /F1 12 Tf 0 0 Td /Span<</ActualText<FEFF${hex16('秘 Confidential')}>>>BDC (xx) Tj EMC ET`);
    const content = `${'q /Fm0 Do Q '.repeat(4000)}q /Fm1 Do Q`;
    const items = await extract(docWith([content], { resourcesExtra: '/XObject<</Fm0 7 0 R/Fm1 8 0 R>>', extraObjs: [plain, form] }));
    expect(stampHits(items)).toEqual([]);
    // A limit, not damage: said as such.
    expect(unscannable(items)).toMatchObject([{ reason: 'too-large', detail: expect.stringMatching(/1 page.*more forms or annotations/) }]);
    // Under the limit the same page is read whole.
    const fewer = await extract(docWith([`${'q /Fm0 Do Q '.repeat(100)}q /Fm1 Do Q`], { resourcesExtra: '/XObject<</Fm0 7 0 R/Fm1 8 0 R>>', extraObjs: [plain, form] }));
    expect(stampHits(fewer)).toEqual(['page:1']);
  });
  it('more than 10,000 annotations on a page: read in part', async () => {
    const annots = Array.from({ length: 10_001 }, () => '7 0 R').join(' ');
    const items = await extract(docWith(['BT /F1 12 Tf 72 700 Td (x) Tj ET'], { pageExtra: [`/Annots[${annots}]`], extraObjs: ['<</Type/Annot/Subtype/Text/Rect[0 0 1 1]/Contents(note)>>'] }));
    expect(unscannable(items)).toMatchObject([{ reason: 'too-large' }]);
  });
  it('a form field with more than 100,000 options: the form is unread, said', async () => {
    const opts = '(a)'.repeat(100_001);
    const pdf = buildPdf(
      [
        '<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[4 0 R]>>>>',
        '<</Type/Pages/Kids[3 0 R]/Count 1>>',
        '<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>',
        `<</FT/Ch/T(f)/Opt[${opts}(秘 Confidential)]>>`,
      ],
      '/Root 1 0 R',
    );
    expect(unscannable(await extract(pdf))).toMatchObject([{ detail: 'PDF form fields could not be read', where: { area: 'form' } }]);
  });
  it('objects nested past 64 deep are not read: the part they are in is unread, said (they were returned empty)', async () => {
    const info = (n: number) => `<</Keywords ${'['.repeat(n)}(x)${']'.repeat(n)} /Title (Minutes)>>`;
    const page = 'BT /F1 12 Tf 72 700 Td (x) Tj ET';
    expect(unscannable(await extract(docWith([page], { info: '/Info 7 0 R', extraObjs: [info(70)] })))).toMatchObject([{ reason: 'corrupt', where: { area: 'properties' } }]);
    expect(unscannable(await extract(docWith([page], { info: '/Info 7 0 R', extraObjs: [info(10)] })))).toEqual([]);
  });
  it('more than 10,000 content streams on a page: read in part', async () => {
    const refs = Array.from({ length: 10_001 }, () => '6 0 R').join(' ');
    const pdf = docWith(['BT /F1 12 Tf 72 700 Td (x) Tj ET'], { pageExtra: [`/Contents[${refs}]`] });
    // The page dictionary names /Contents twice; the array (written last) is the one read.
    expect(unscannable(await extract(pdf))).toHaveLength(1);
  });
});

describe('XFA forms (what Acrobat shows in place of the pages of a dynamic form)', () => {
  const placeholder = 'BT /F1 12 Tf 72 700 Td (Please wait...) Tj ET';
  const xfaPdf = (xfa: string, split: boolean) => {
    const xml = (s: string) => stream('', new TextEncoder().encode(s));
    const template = '<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="form1"><field name="class"><caption><value><text>区分</text></value></caption></field></subform></template>';
    const datasets = `<xfa:datasets xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"><xfa:data><form1><class>${xfa}</class></form1></xfa:data></xfa:datasets>`;
    const whole = `<?xml version="1.0" encoding="UTF-8"?><xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/">${template}${datasets}</xdp:xdp>`;
    return buildPdf(
      [
        `<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[]/XFA ${split ? '[(template) 5 0 R (datasets) 6 0 R]' : '5 0 R'}>>>>`,
        '<</Type/Pages/Kids[3 0 R]/Count 1>>',
        '<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>',
        stream('', placeholder),
        split ? xml(template) : xml(whole),
        xml(datasets),
      ],
      '/Root 1 0 R',
    );
  };

  it('a value in its datasets is read, whether the XFA is one stream or named packets', async () => {
    for (const split of [false, true]) expect(stampHits(await extract(xfaPdf('秘 Confidential', split))), String(split)).toEqual(['area:form']);
    expect(stampHits(await extract(xfaPdf('秘書室', true)))).toEqual([]);
  });

  it('a packet that is not a stream leaves the form unread, said', async () => {
    const bad = buildPdf(
      ['<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[]/XFA[(datasets) 4 0 R]>>>>', '<</Type/Pages/Kids[3 0 R]/Count 1>>', '<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>', '(not a stream)'],
      '/Root 1 0 R',
    );
    expect((await extract(bad)).filter((i) => i.kind === 'unscannable')).toMatchObject([{ reason: 'corrupt', where: { area: 'form' } }]);
  });
});

describe('what a viewer shows around a comment (Ghostscript pdfmark: make-annotations.sh)', () => {
  const scanFixture = async (name: string) => scanBlob(new Blob([await readFile(fix(name))]), name);
  it.each(['annot-author-stamp.pdf', 'annot-subject-stamp.pdf', 'annot-richtext-stamp.pdf'])('%s: the stamp in the author, subject or rich text marks it', async (name) => {
    expect(await scanFixture(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { page: 1 } });
  });
  it('the author 秘書室 over a note beginning 「Confidential」 is clean', async () => {
    expect(await scanFixture('annot-author-trap.pdf')).toMatchObject({ verdict: 'clean' });
  });
});

describe("a tagged PDF's alternative text (LibreOffice 7.4; qpdf's object streams and encryption)", () => {
  it.each(['lo-tagged-alt-stamp.pdf', 'qpdf-objstm-alt-stamp.pdf', 'owner-aes-256-alt-stamp.pdf'])('%s: a picture\'s alt text 「秘 Confidential」 marks it', async (name) => {
    const r = await scanBlob(new Blob([await readFile(fix(name))]), name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'alternative text' } });
  });
  it('only the alt text is read so: not keys that begin like /Alt or /E, nor bytes of fonts and images', async () => {
    const alt = (items: Extracted[]) => items.flatMap((x) => (x.kind === 'text' && x.where?.area === 'alternative text' ? [x.text] : []));
    expect(alt(await extract(fix('lo-tagged-alt-stamp.pdf')))).toEqual(['秘 Confidential - 秘 Confidential 図面']);
    expect(alt(await extract(fix('qpdf-objstm-alt-stamp.pdf')))).toEqual(['秘 Confidential - 秘 Confidential 図面']);
  });
});

describe('a page whose content stream lost its /Filter key (compressed bytes read as content)', () => {
  const fixture = (name: string) => readFile(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf', name));
  /** The file with the first /Filter key that sits in the page content's dictionary spelled /Fxlter. */
  const damaged = (b: Uint8Array, nth: number) => {
    const latin = new TextDecoder('latin1').decode(b);
    let at = -1;
    for (let i = 0; i <= nth; i++) at = latin.indexOf('/Filter', at + 1);
    const out = b.slice();
    out[at + 2] = 0x78; // x
    return out;
  };
  it('is read as what it was, and never called whole: marked stays marked, clean becomes unscannable', async () => {
    expect(await scanBlob(new Blob([damaged(await fixture('header-stamp.pdf'), 0)]), 'x.pdf')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([damaged(await fixture('gs-utf8-trap.pdf'), 0)]), 'x.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scanBlob(new Blob([await fixture('gs-utf8-trap.pdf')]), 'x.pdf')).toMatchObject({ verdict: 'clean' });
  });
});

describe('a page whose compressed content is damaged (make-damaged-flate.sh)', () => {
  const fixture = async (name: string) => new Blob([await readFile(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf', name))]);
  it('inflates to the end as noise: its Adler-32 fails, and the page is not called read', async () => {
    expect(await scanBlob(await fixture('damaged-flate-p2.pdf'), 'x.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(/1 page/) });
  });
  it('overwritten with zeros: no zlib header, nothing inflated, and the page is not called read', async () => {
    expect(await scanBlob(await fixture('zeroed-flate-p2.pdf'), 'x.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(/1 page/) });
  });
});

describe('a content stream cut before its end-of-data marker (make-cut-streams.sh)', () => {
  it('ASCII hex without its `>`: what it holds is read, and the page is not called read', async () => {
    const cut = new Blob([await readFile(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf', 'ascii-hex-cut-p2.pdf'))]);
    expect(await scanBlob(cut, 'x.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(/1 page/) });
  });
});

describe('text drawn in a font, or from resources, that cannot be read (a damaged object header)', () => {
  const fixture = (name: string) => readFile(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf', name));
  /** The file with object `n`'s `obj` keyword damaged, so it cannot be read. */
  const damagedObject = (b: Uint8Array, n: number) => {
    const latin = new TextDecoder('latin1').decode(b);
    const at = latin.indexOf(`\n${n} 0 obj`);
    const out = b.slice();
    out[latin.indexOf('obj', at)] = 0x78; // x
    return out;
  };
  it('is not called clean: the page is not read whole (LibreOffice file: font 9, font list 10, resources 11)', async () => {
    const pdf = await fixture('header-stamp.pdf');
    for (const n of [9, 10, 11]) {
      expect(await scanBlob(new Blob([damagedObject(pdf, n)]), 'x.pdf'), `object ${n}`).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
  });
});

describe('a PDF header after other bytes', () => {
  it('is still a PDF after a BOM or an HTTP header (readers take it anywhere in the first KiB)', async () => {
    const pdf = new Uint8Array(await readFile(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf', 'header-stamp.pdf')));
    for (const before of ['\ufeff', 'HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n', 'junk ']) {
      const v = await scanBlob(new Blob([before, pdf]), 'x.pdf');
      expect(v, JSON.stringify(before)).toMatchObject({ verdict: 'marked', format: 'pdf' });
    }
  });
});
