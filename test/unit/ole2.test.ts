import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractOle2, parseOle10Native } from '../../src/detect/extract/ole2.js';
import { ScanError, type Extracted } from '../../src/detect/extract/types.js';
import { collect as collectFrom } from '../support/extract.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import type { Where } from '../../src/detect/types.js';

const FIX = join(__dirname, '../fixtures/office-legacy');
const CORPUS = join(__dirname, '../../../shared/corpus');


const collect = (bytes: Uint8Array) => collectFrom(extractOle2, bytes);
/** Where the first stamp is, or null. */
function stampWhere(items: Extracted[]): Where | null {
  for (const x of items) if (x.kind === 'text' && findStamp(x.text)) return x.where;
  return null;
}
async function errorOf(bytes: Uint8Array): Promise<unknown> {
  try {
    await collect(bytes);
    return null;
  } catch (e) {
    return e;
  }
}
const fixture = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const corpus = (n: string) => new Uint8Array(readFileSync(join(CORPUS, n)));

describe('extractOle2: Word', () => {
  it('corpus 旧見積書.doc: stamp in the body', async () => {
    expect(stampWhere(await collect(corpus('旧見積書.doc')))).toEqual({ part: 'WordDocument', area: 'body' });
  });
  it.each([
    ['doc-header-only.doc', { part: 'WordDocument', area: 'header' }],
    ['doc-footer-only.doc', { part: 'WordDocument', area: 'footer' }],
    ['doc-footnote.doc', { part: 'WordDocument', area: 'footnotes' }],
    ['doc-comment.doc', { part: 'WordDocument', area: 'comments' }],
    ['doc-split-runs.doc', { part: 'WordDocument', area: 'body' }],
    ['doc-title-only.doc', { part: 'SummaryInformation: title', area: 'properties' }],
    ['doc-custom-prop.doc', { part: 'DocumentSummaryInformation: 分類', area: 'properties' }],
  ])('%s', async (name, where) => {
    expect(stampWhere(await collect(fixture(name)))).toEqual(where);
  });
  it('header-only: the body run is clean', async () => {
    const items = await collect(fixture('doc-header-only.doc'));
    const body = items.find((x) => x.kind === 'text' && x.where.area === 'body');
    expect(body && body.kind === 'text' && body.text).toContain('本文には印はありません');
    expect(body && body.kind === 'text' && findStamp(body.text)).toBeNull();
  });
  it('embedded spreadsheet in ObjectPool', async () => {
    expect(stampWhere(await collect(fixture('doc-embedded-xls.doc')))).toMatchObject({
      part: expect.stringMatching(/^ObjectPool\/_\d+\/Workbook$/),
      sheet: 'S',
      cell: 'A1',
    });
  });
  it('clean traps', async () => {
    const items = await collect(fixture('doc-clean-traps.doc'));
    expect(items.some((x) => x.kind === 'text' && x.text.includes('秘密保持契約書'))).toBe(true);
    expect(stampWhere(items)).toBeNull();
  });
  it('FIB fEncrypted → encrypted', async () => {
    const b = fixture('doc-header-only.doc');
    const at = findWordFib(b);
    b[at + 0x0b] |= 0x01;
    const e = await errorOf(b);
    expect(e).toBeInstanceOf(ScanError);
    expect((e as ScanError).reason).toBe('encrypted');
  });
  it('damaged piece table → byte-level fallback still finds the stamp', async () => {
    const b = fixture('doc-split-runs.doc');
    const at = findWordFib(b);
    // lcbClx (pair 33 of FibRgFcLcb97, at 0x1A6) → 0
    b.set([0, 0, 0, 0], at + 0x1a6);
    expect(stampWhere(await collect(b))).toEqual({ part: expect.stringMatching(/^WordDocument offset \d+$/), area: 'body' });
  });
});

/** Offset of the WordDocument stream's FIB (wIdent A5EC at a sector or mini-sector start). */
function findWordFib(b: Uint8Array): number {
  for (let o = 512; o < b.length; o += 64) if (b[o] === 0xec && b[o + 1] === 0xa5) return o;
  throw new Error('no FIB');
}

describe('extractOle2: Excel', () => {
  it('stamp in a cell of sheet 2', async () => {
    expect(stampWhere(await collect(fixture('xls-sheet2.xls')))).toEqual({ part: 'Workbook', sheet: '明細', cell: 'C3' });
  });
  it('clean traps (sheet named 秘書室)', async () => {
    const items = await collect(fixture('xls-clean-traps.xls'));
    expect(items.some((x) => x.kind === 'text' && x.where.sheet === '秘書室')).toBe(true);
    expect(stampWhere(items)).toBeNull();
  });
  it('秘 | Confidential in neighbouring cells of a row (LibreOffice) → marked at the 秘 cell, as in xlsx', async () => {
    expect(stampWhere(await collect(fixture('xls-split.xls')))).toEqual({ part: 'Workbook', sheet: '様式', cell: 'B2' });
  });
  it('cells that are no stamp side by side (社外秘 | 注意 | Confidential, 秘 | (empty) | Confidential, 秘 above Confidential) → clean', async () => {
    const items = await collect(fixture('xls-split-traps.xls'));
    expect(items.some((x) => x.kind === 'text' && x.text.includes('Strictly confidential'))).toBe(true);
    expect(stampWhere(items)).toBeNull();
  });
  it('a merged cell (MERGEDCELLS, LibreOffice): 秘 merged over B2:C2 beside Confidential in D2 → marked at B2; without the merge → clean', async () => {
    const b = fixture('xls-merged.xls');
    expect(stampWhere(await collect(b))).toEqual({ part: 'Workbook', sheet: '様式', cell: 'B2' });
    // The same file with its MERGEDCELLS record renamed to an unknown type (E5 00 → E4 00): 秘 | (empty) | Confidential, no stamp.
    let at = -1;
    for (let i = 512; i < b.length - 12; i++) if (b[i] === 0xe5 && b[i + 1] === 0 && b[i + 2] === 10 && b[i + 3] === 0 && b[i + 4] === 1 && b[i + 5] === 0) at = i;
    expect(at).toBeGreaterThan(0);
    const unmerged = b.slice();
    unmerged[at] = 0xe4;
    expect(stampWhere(await collect(unmerged))).toBeNull();
  });
  it('merges that do not bring 秘 next to Confidential (a gap left, other cells merged, a cell between, Confidential merged) → clean', async () => {
    expect(stampWhere(await collect(fixture('xls-merged-traps.xls')))).toBeNull();
  });
  it('FILEPASS → encrypted', async () => {
    const b = fixture('xls-sheet2.xls');
    // The Workbook stream starts with BOF (09 08 10 00 00 06); turn the next record into FILEPASS (2F 00).
    let o = -1;
    for (let i = 512; i < b.length; i += 64) if (b[i] === 0x09 && b[i + 1] === 0x08 && b[i + 4] === 0x00 && b[i + 5] === 0x06) { o = i; break; }
    expect(o).toBeGreaterThan(0);
    const next = o + 4 + (b[o + 2] | (b[o + 3] << 8));
    b[next] = 0x2f;
    b[next + 1] = 0x00;
    expect(((await errorOf(b)) as ScanError).reason).toBe('encrypted');
  });
  it('corpus 価格表_pw.xlsx (encrypted OOXML in OLE2) → encrypted', async () => {
    const e = await errorOf(corpus('価格表_pw.xlsx'));
    expect(e).toBeInstanceOf(ScanError);
    expect((e as ScanError).reason).toBe('encrypted');
    expect((e as ScanError).message).toBe('password-protected Office document');
  });
});

describe('extractOle2: PowerPoint', () => {
  it('stamp in speaker notes of slide 2', async () => {
    expect(stampWhere(await collect(fixture('ppt-notes.ppt')))).toEqual({
      part: 'PowerPoint Document',
      area: 'notes',
      slide: 2,
      notes: true,
    });
  });
  it('stamp in slide 1 text', async () => {
    expect(stampWhere(await collect(fixture('ppt-slide.ppt')))).toEqual({ part: 'PowerPoint Document', area: 'body', slide: 1 });
  });
  it('clean traps', async () => {
    const items = await collect(fixture('ppt-clean-traps.ppt'));
    expect(items.some((x) => x.kind === 'text' && x.text.includes('秘書室'))).toBe(true);
    expect(stampWhere(items)).toBeNull();
  });
});

describe('extractOle2: embedded native objects', () => {
  it('parses \\x01Ole10Native', () => {
    const enc = new TextEncoder();
    const payload = enc.encode('秘 Confidential\n');
    const parts = [
      new Uint8Array(4),
      Uint8Array.of(2, 0),
      enc.encode('秘—memo.txt\0'),
      enc.encode('C:\\tmp\\秘—memo.txt\0'),
      new Uint8Array(8),
      enc.encode('C:\\temp\\x.txt\0'),
      Uint8Array.of(payload.length, 0, 0, 0),
      payload,
    ];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    const m = parseOle10Native(all);
    expect(m.name).toBe('秘—memo.txt');
    expect(new TextDecoder().decode(m.data)).toBe('秘 Confidential\n');
  });
});

describe('extractOle2: robustness', () => {
  const names = ['doc-header-only.doc', 'xls-sheet2.xls', 'doc-embedded-xls.doc', 'ppt-notes.ppt'];
  it('not a compound file → corrupt', async () => {
    expect(((await errorOf(new TextEncoder().encode('hello'))) as ScanError).reason).toBe('corrupt');
  });
  it.each(names)('truncations of %s never throw anything but ScanError', async (name) => {
    const b = fixture(name);
    for (const len of [0, 8, 511, 512, 513, 1024, 1536, 2048, 4096, b.length >> 1, b.length - 512, b.length - 1]) {
      const e = await errorOf(b.subarray(0, Math.max(0, len)));
      if (e !== null) expect(e, `${name} @${len}: ${e}`).toBeInstanceOf(ScanError);
    }
  });
  it.each(names)('random mutations of %s never hang or throw anything but ScanError', async (name) => {
    const orig = fixture(name).subarray(0, 64 * 1024); // the header, FAT, directory and main streams
    let x = 987654321;
    const rnd = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
    const t0 = Date.now();
    for (let k = 0; k < 150; k++) {
      const b = orig.slice();
      const flips = 1 + Math.floor(rnd() * 16);
      for (let f = 0; f < flips; f++) {
        // Bias towards the header and directory, where damage hurts most.
        const at = rnd() < 0.5 ? Math.floor(rnd() * 512) : Math.floor(rnd() * b.length);
        b[at] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
      }
      const e = await errorOf(b);
      if (e !== null) expect(e, `${name} mutation ${k}: ${e}`).toBeInstanceOf(ScanError);
    }
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
  it('a FAT chain that loops on itself ends', async () => {
    const b = fixture('doc-header-only.doc');
    const dv = new DataView(b.buffer);
    const fatSector = dv.getUint32(76, true);
    const fatOff = (fatSector + 1) * 512;
    // Point every FAT entry at itself.
    for (let i = 0; i < 128; i++) dv.setUint32(fatOff + i * 4, i, true);
    const e = await errorOf(b);
    if (e !== null) expect(e).toBeInstanceOf(ScanError);
  });
});
