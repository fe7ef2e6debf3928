/**
 * Fuzzing one-file XML office documents: Excel's XML Spreadsheet 2003 and flat OpenDocument (.fods,
 * .fodt). A cut file is not well-formed (Excel and LibreOffice refuse it), so a cut of a marked file is
 * never clean, unless the cut falls before the root element starts (no document is left at all). A
 * flipped byte in a text format may change the document itself (an attribute's name, a header's code),
 * so flips only have to end within the budget.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz, prng } from '../support/fuzz.js';
import { stampRanges, xmlPartMutants, type PartMutant } from '../support/fuzz-parts.js';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(import.meta.dirname, '../fixtures');

describe('fuzz: one-file XML office documents', () => {
  for (const [file, root, prngSeed] of [
    // The stamp in the page setup's footer or header, near the end: a cut before it was clean.
    ['xml-spreadsheet/月次報告-footer.xls', '<Workbook', 3],
    ['xml-spreadsheet/月次報告-header.xls', '<Workbook', 5],
    ['xml-spreadsheet/月次報告-textformat.xls', '<Workbook', 7],
    ['office/flat/calc-sheet2.fods', '<office:document', 9],
    ['office/src/writer-footer-only.fodt', '<office:document', 11],
  ] as const) {
    it(`cuts of marked ${file} end marked or unscannable`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const rootAt = Buffer.from(seed).indexOf(root);
      expect(rootAt).toBeGreaterThan(0);
      const counts = await fuzz(seed, { name: file.split('/').pop()!, n: 25, seed: prngSeed, exclude: () => true, excludeCut: (length) => length <= rootAt });
      expect(counts.unscannable ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe('fuzz: one-file XML office documents, damaged as their markup', () => {
  // The mutants of a package's part (fuzz-parts.ts) on the whole file: an end tag dropped, a broken
  // reference, a NUL or bytes that are no UTF-8 after a 秘, cuts. None is clean, save a cut before the
  // root element or a mutation inside the stamp's own bytes.
  for (const [file, root, prngSeed] of [
    // The stamp is a formula's result (=[.A1]&" Confidential"): the row holding it lost its end tag.
    ['formula/refs/sheetjs-formula-ref-fods.fods', '<office:document', 29],
    ['office/src/writer-footer-only.fodt', '<office:document', 31],
    ['xml-spreadsheet/月次報告-textformat.xls', '<Workbook', 33],
  ] as const) {
    it(`markup mutants of marked ${file} end marked or unscannable`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const name = file.split('/').pop()!;
      const rootAt = Buffer.from(seed).indexOf(root);
      const stamp = stampRanges(seed);
      const leaks: string[] = [];
      let unscannable = 0;
      // And each end tag dropped in turn, past the root's start (a small file has a few hundred).
      const dropped: PartMutant[] = [];
      for (let i = seed.indexOf(0x3c, rootAt + 1); i >= 0; i = seed.indexOf(0x3c, i + 1)) {
        if (seed[i + 1] !== 0x2f) continue;
        const end = seed.indexOf(0x3e, i) + 1;
        dropped.push({ part: name, what: `end tag at ${i} dropped`, bytes: new Uint8Array([...seed.subarray(0, i), ...seed.subarray(end)]), at: i });
      }
      for (const m of [...xmlPartMutants(name, seed, prng(prngSeed), 6), ...dropped]) {
        if (!m.bytes || (m.at !== undefined && m.bytes.length < seed.length && m.at <= rootAt)) continue;
        const r = await scanBlob(new Blob([m.bytes as Uint8Array<ArrayBuffer>]), name, { limits: { timeBudgetMs: 4000 } });
        if (r.verdict === 'unscannable') unscannable++;
        const inStamp = m.at !== undefined && stamp.some(([a, b]) => m.at! > a && m.at! < b);
        if (r.verdict === 'clean' && !inStamp) leaks.push(m.what);
      }
      expect(leaks, `mutants of marked ${name} reported clean: ${leaks.join('; ')}`).toEqual([]);
      expect(unscannable).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe('fuzz: a flat OpenDocument file whose root is damaged', () => {
  // A NUL put into `<office:document` or one of its letters flipped: the file is no longer told apart as
  // flat OpenDocument and was read as other XML, so a stamp made by a formula (=[.A1]&" Confidential")
  // was never computed: clean. It declares OpenDocument's namespace, and its markup is damaged.
  for (const file of ['formula/refs/sheetjs-formula-ref-fods.fods', 'office/src/writer-footer-only.fodt']) {
    it(`${file}: never clean`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const rootAt = Buffer.from(seed).indexOf('<office:document') + 1;
      const verdicts: string[] = [];
      for (let i = 0; i < 'office:document'.length; i++) {
        const nul = new Uint8Array([...seed.subarray(0, rootAt + i), 0, ...seed.subarray(rootAt + i)]);
        const flipped = seed.slice();
        flipped[rootAt + i] ^= 0x01;
        for (const m of [nul, flipped]) verdicts.push((await scanBlob(new Blob([m as Uint8Array<ArrayBuffer>]), file.split('/').pop()!)).verdict);
      }
      expect(verdicts.filter((v) => v === 'clean'), verdicts.join(' ')).toEqual([]);
    }, 60_000);
  }
});
