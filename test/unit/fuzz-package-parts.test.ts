/**
 * Fuzzing the XML inside valid packages (fuzz-parts.ts: DOCX, XLSX, PPTX, ODF, EPUB): one part cut, an end tag dropped, a relationship
 * id broken or the part removed, the ZIP rebuilt around it. A mutant of a marked file is never clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzParts } from '../support/fuzz-parts.js';

const FIX = join(import.meta.dirname, '../fixtures');

describe('fuzz: the parts inside marked packages', () => {
  for (const [file, seed, only] of [
    // The stamp is a formula's result over shared strings: a sharedStrings.xml cut inside its XML
    // declaration was taken as whole, and a sheet whose r:id the workbook's relationships lack went unread.
    ['formula/refs/exj-formula-ref-concat.xlsx', 3],
    ['formula-cached/xlsxwriter-ref-far.xlsx', 5],
    // The stamp is the Company property (docProps/app.xml): removed, the package's own relationships
    // (_rels/.rels) still name it.
    ['properties/m-xlsxwriter-company.xlsx', 7],
    // 秘 in a shape, Confidential in the cell beside it: an undefined entity, a bare &, a forbidden character
    // reference or a NUL after the 秘 (which Excel refuses) was read as text between them; and the sheet's
    // relationships part removed, the drawing was read with no cell beside it.
    ['shape-positions/m_xw-shape-plus-cell.xlsx', 17],
    // 秘 in a cell, Confidential in its number format: a byte that is no UTF-8 after the 秘 (Excel refuses the
    // part) was read as U+FFFD between them.
    ['conditional-format/xlsxwriter-cf-numfmt-text.xlsx', 21],
    // A list's bullet 秘 before its paragraph's Confidential: the same damage in OpenDocument.
    ['list-labels/bullet.odt', 19],
    // The stamp is the book's subject, in its package document (EPUB/content.opf): removed, the book was read
    // as an archive that holds less; container.xml still names it.
    ['properties/m-pandoc-subject.epub', 23],
    // The stamp is the value of a custom XML part a content control is bound to: that part removed, or its
    // relationship to the properties that give it its id broken, the control's stored text was read instead.
    ['bindings/m_custom-xml.docx', 25, /^(?:customXml|word\/_rels)\//],
    // 秘 and Confidential in neighbouring shared-string cells: the 秘 cell's index made 99999, past the last
    // string, or a NUL in its type (Excel refuses both) showed no 秘, and the Confidential beside it was read alone.
    ['office/calc-split.xlsx', 27, /^xl\/worksheets\//],
    ['office/writer-footnote.docx', 9],
    // A deck's many layouts and masters are left alone: its slides, presentation and relationships are fuzzed.
    ['office/impress-slide2.pptx', 11, /^(?:ppt\/(?:presentation\.xml|slides\/|_rels\/)|_rels\/|\[Content_Types\])/],
    ['office/calc-sheet2.ods', 13],
    ['office/writer-footnote.odt', 15],
  ] as [string, number, RegExp?][]) {
    it(`part mutants of marked ${file} end marked or unscannable`, async () => {
      const counts = await fuzzParts(new Uint8Array(readFileSync(join(FIX, file))), file.split('/').pop()!, { seed, only });
      // Some mutants are told apart as damaged (the test would see a reader that never says so).
      expect(counts.unscannable ?? 0).toBeGreaterThan(0);
    }, 120_000);
  }
});
