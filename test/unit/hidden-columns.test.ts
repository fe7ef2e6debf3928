/**
 * Spreadsheets read as they show (red team docs5 #2, #4, #5; fixtures in test/fixtures/sheets-as-shown,
 * README there): a hidden column between 秘 and Confidential (hidden, collapsed outline, empty or not)
 * leaves the two side by side on screen; a merged cell's covered cells show nothing even when they
 * still hold text; a cell centred across selection stands over the blank cells after it like a merge.
 * Every m_ file was clean before, in each format its producer writes; the traps (秘書室) stay clean;
 * text in a hidden column is still read (x_: marked, as before).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { HiddenColumns, RowTexts, MergedCells, type TextCell } from '../../src/detect/extract/sheet-rows.js';

const FIX = join(__dirname, '../fixtures/sheets-as-shown');
const files = readdirSync(FIX).filter((n) => /^[mkx]_/.test(n));
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, opts);
/** Designated keywords make the xlsx reader read sheets whole (the other path). */
const WHOLE = { designated: { keywords: ['存在しない語'] } };

describe('spreadsheets read as they show', () => {
  it('has the fixtures', () => expect(files.length).toBeGreaterThan(50));
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each(files.filter((n) => !n.startsWith('k_')))(`%s → marked${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1 });
    });
    it.each(files.filter((n) => n.startsWith('k_')))(`%s → clean${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'clean' });
    });
  }
});

describe('a Gnumeric workbook: cells apart in the markup reading, neighbours joined by the row reading', () => {
  const gnumeric = async (sheet: string) => {
    const { gzipSync } = await import('node:zlib');
    const xml = `<?xml version="1.0"?><gnm:Workbook xmlns:gnm="http://www.gnumeric.org/v10.dtd"><gnm:Sheets><gnm:Sheet><gnm:Name>S</gnm:Name>${sheet}</gnm:Sheet></gnm:Sheets></gnm:Workbook>`;
    return scanBlob(new Blob([gzipSync(Buffer.from(xml))]), 'book.gnumeric');
  };
  const cell = (row: number, col: number, text: string) => `<gnm:Cell Row="${row}" Col="${col}" ValueType="60">${text}</gnm:Cell>`;
  const across = (c1: number, c2: number) => `<gnm:StyleRegion startCol="${c1}" startRow="0" endCol="${c2}" endRow="0"><gnm:Style HAlign="GNM_HALIGN_CENTER_ACROSS_SELECTION"/></gnm:StyleRegion>`;
  it('秘 over Confidential (another row) or with an empty column between is clean; side by side, or centred across the empty one, marked', async () => {
    expect(await gnumeric(`<gnm:Cells>${cell(0, 0, '秘')}${cell(1, 0, 'Confidential')}</gnm:Cells>`)).toMatchObject({ verdict: 'clean' });
    expect(await gnumeric(`<gnm:Cells>${cell(0, 0, '秘')}${cell(0, 2, 'Confidential')}</gnm:Cells>`)).toMatchObject({ verdict: 'clean' });
    expect(await gnumeric(`<gnm:Cells>${cell(0, 0, '秘')}${cell(0, 1, 'Confidential')}</gnm:Cells>`)).toMatchObject({ verdict: 'marked', location: { sheet: 'S' } });
    // Two regions side by side carry the centring on.
    const styles = `<gnm:Styles>${across(0, 0)}${across(1, 1)}</gnm:Styles>`;
    expect(await gnumeric(`${styles}<gnm:Cells>${cell(0, 0, '秘')}${cell(0, 2, 'Confidential')}</gnm:Cells>`)).toMatchObject({ verdict: 'marked', location: { sheet: 'S' } });
  });
  it('a thousand centred regions over 30,000 cells: unscannable (too large), at once', async () => {
    const styles = Array.from({ length: 1000 }, (_, i) => across(2 * i, 2 * i)).join('');
    const cells = Array.from({ length: 30_000 }, (_, i) => cell(0, i, i % 2 ? 'x' : '秘')).join('');
    const t = Date.now();
    expect(await gnumeric(`<gnm:Styles>${styles}</gnm:Styles><gnm:Cells>${cells}</gnm:Cells>`)).toMatchObject({ verdict: 'unscannable', reason: 'too-large' });
    // A guard against a blow-up (a quadratic walk takes minutes), not a speed figure: wide enough for a loaded CI.
    expect(Date.now() - t).toBeLessThan(20_000);
  });
});

describe('RowTexts with hidden columns and merges', () => {
  const cell = (col: number, text: string, covered = false): TextCell => ({ row: 0, col, text, sst: null, ...(covered ? { covered } : {}) });
  const texts = (rows: RowTexts) => rows.take().map((e) => (e.kind === 'text' ? e.text : ''));
  const hidden = (...runs: [number, number][]) => {
    const h = new HiddenColumns();
    for (const [a, b] of runs) h.add(a, b);
    return h;
  };
  it('hidden columns between two cells join them; the reading with every cell stays', () => {
    const rows = new RowTexts();
    rows.hidden = hidden([1, 1], [3, 5], [2, 2]);
    rows.add([cell(0, '秘'), cell(1, '書室'), cell(6, 'Confidential')], {});
    expect(texts(rows)).toEqual(['秘 書室\n|\nConfidential', '秘 Confidential']);
  });
  it('a visible column between them still keeps them apart', () => {
    const rows = new RowTexts();
    rows.hidden = hidden([1, 1]);
    rows.add([cell(0, '秘'), cell(3, 'Confidential')], {});
    expect(texts(rows).some((t) => t.includes('秘 Confidential'))).toBe(false);
  });
  it('a covered cell is left out of the row as shown', () => {
    const rows = new RowTexts();
    rows.add([cell(0, '秘'), cell(1, '秘'), cell(1, '書室', true), cell(2, 'Confidential')], {});
    expect(texts(rows)).toContain('秘 秘 Confidential');
  });
  it('a merge over a cell that holds text: the cell after the merge is the neighbour', () => {
    const rows = new RowTexts();
    const merges = new MergedCells();
    const row = [cell(0, '秘'), cell(1, '書室'), cell(2, 'Confidential')];
    rows.add(row, {});
    merges.want(row);
    merges.add(0, 0, 1);
    rows.joinMerged(merges);
    expect(texts(rows)).toEqual(['秘 書室 Confidential', '秘 Confidential']);
  });
  it('a merge that ends before a gap does not bridge it', () => {
    const rows = new RowTexts();
    const merges = new MergedCells();
    const row = [cell(0, '秘'), cell(3, 'Confidential')];
    rows.add(row, {});
    merges.want(row);
    merges.add(0, 0, 1);
    rows.joinMerged(merges);
    expect(texts(rows)).toEqual(['秘\n|\nConfidential']);
  });
});
