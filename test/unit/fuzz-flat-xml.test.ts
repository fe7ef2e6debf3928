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
import { fuzz } from '../support/fuzz.js';

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
