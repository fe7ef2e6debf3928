/**
 * Formulas stored with no computed value (formula-text.ts), from the producers that write them so
 * (test/fixtures/formula/README.md): openpyxl and ExcelJS xlsx, SheetJS ods and fods,
 * Spreadsheet::WriteExcel xls (its stored value is 0), and LibreOffice's conversions of the same
 * sheets (which do compute the value):
 *  - `="秘"&" Confidential"`, `CONCATENATE(…)` and 秘 | Confidential as two formulas of one row: marked at B2;
 *  - a formula that joins text with 秘 but cannot be evaluated here (IF): unscannable, naming B2;
 *  - a formula that cannot be evaluated holding the whole stamp as a literal: marked (its literals are text);
 *  - traps (秘書室, 社外秘, 秘密保持契約書, 秘・Confidential, a number, an IF without 秘, an empty column between): clean.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { readFormula, readXlsFormula } from '../../src/detect/extract/formula-text.js';

const FIX = join(__dirname, '../fixtures/formula');
const files = readdirSync(FIX).filter((f) => /\.(xlsx|xls|ods|fods)$/.test(f));
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, opts);
/** Designated keywords make every extractor read the sheets whole (the other path). */
const WHOLE = { designated: { keywords: ['存在しない語'] } };
const part = (n: string) => (n.endsWith('.xlsx') ? 'xl/worksheets/sheet1.xml' : n.endsWith('.xls') ? 'Workbook' : n.endsWith('.ods') ? 'content.xml' : undefined);

describe('formulas with no computed value', () => {
  it('every producer wrote each case', () => {
    for (const p of ['openpyxl.xlsx', 'exceljs.xlsx', 'writeexcel.xls', 'sheetjs.ods', 'sheetjs.fods', 'calc.xlsx', 'calc.xls', 'calc.ods'])
      for (const c of ['amp', 'concat', 'split', 'unread', 'literal', 'traps']) expect(files).toContain(`${c}-${p}`);
  });

  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each(files.filter((f) => /^(amp|concat|split)-/.test(f)))(`%s → marked at 様式!B2${how}`, async (n) => {
      const r = await scan(n, opts);
      // LibreOffice's xlsx stores the computed text (t="str"): found in the sheet's text, named by sheet only.
      const cell = /^(amp|concat)-calc\.xlsx$/.test(n) ? {} : { cell: 'B2' };
      expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式', ...cell } });
      if (part(n)) expect(r).toMatchObject({ location: { part: part(n) } });
    });

    // The ods and fods read clean before: their formulas (attributes) were never read.
    it.each(files.filter((f) => /^literal-/.test(f)))(`%s → marked on 様式${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式' } });
    });

    it.each(files.filter((f) => /^traps-/.test(f)))(`%s → clean${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'clean' });
    });

    // LibreOffice computed the IF (A1 is not empty): " Confidential", stored; the others store none.
    it.each(files.filter((f) => /^unread-/.test(f)))(`%s → unscannable at B2, or clean with LibreOffice's computed value${how}`, async (n) => {
      const r = await scan(n, opts);
      if (n.includes('-calc.')) expect(r.verdict).toBe('clean');
      else expect(r).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', location: { sheet: '様式', cell: 'B2' } });
    });
  }
});

describe('xlsx: what counts as a computed value', () => {
  const repacked = async (edit: (xml: string) => string) => {
    const { unzipSync, zipSync, strFromU8, strToU8 } = await import('fflate');
    const parts = unzipSync(readFileSync(join(FIX, 'unread-openpyxl.xlsx')));
    parts['xl/worksheets/sheet1.xml'] = strToU8(edit(strFromU8(parts['xl/worksheets/sheet1.xml'])));
    return scanBlob(new Blob([zipSync(parts)]), 'book.xlsx');
  };
  it('an empty text result (t="str", <v></v>, as Excel writes "") is computed: not unread', async () => {
    expect(await repacked((x) => x.replace('<c r="B2">', '<c r="B2" t="str">').replace('<v />', '<v></v>'))).toMatchObject({ verdict: 'clean' });
    expect(await repacked((x) => x.replace('<c r="B2">', '<c r="B2" t="str">'))).toMatchObject({ verdict: 'clean' });
  });
  it('a computed value other than text is kept as computed; openpyxl\'s empty <v/> with no type is none', async () => {
    expect(await repacked((x) => x.replace('<v />', '<v>0</v>'))).toMatchObject({ verdict: 'clean' });
    expect(await repacked((x) => x)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
});

describe('xls: what counts as a computed value', () => {
  /** unread-writeexcel.xls with B2's stored result (FormulaValue, 8 bytes) replaced. */
  const withResult = (value: number[]) => {
    const b = new Uint8Array(readFileSync(join(FIX, 'unread-writeexcel.xls')));
    // The FORMULA record of B2: type 6, then row 1, column 1 (the record lies whole in one sector of this small file).
    const at = b.findIndex((x, i) => x === 0x06 && b[i + 1] === 0 && b[i + 3] === 0 && b[i + 4] === 1 && b[i + 5] === 0 && b[i + 6] === 1 && b[i + 7] === 0);
    expect(at).toBeGreaterThan(0);
    b.set(value, at + 4 + 6);
    return scanBlob(new Blob([b]), 'book.xls');
  };
  it('the number 0 a writer stores without calculating: unread; another number, an empty text, a boolean: computed', async () => {
    expect(await withResult([0, 0, 0, 0, 0, 0, 0, 0])).toMatchObject({ verdict: 'unscannable', location: { cell: 'B2' } });
    expect(await withResult([0, 0, 0, 0, 0, 0, 0x14, 0x40])).toMatchObject({ verdict: 'clean' }); // 5.0
    expect(await withResult([3, 0, 0, 0, 0, 0, 0xff, 0xff])).toMatchObject({ verdict: 'clean' }); // ""
    expect(await withResult([1, 0, 1, 0, 0, 0, 0xff, 0xff])).toMatchObject({ verdict: 'clean' }); // TRUE
  });
});

describe('ods: what counts as a computed value', () => {
  it('a stored empty result (office:string-value="") is computed: not unread', async () => {
    const xml = readFileSync(join(FIX, 'unread-sheetjs.fods'), 'utf8');
    const computed = xml.replace(/(table:formula="[^"]*")/, '$1 office:string-value=""');
    expect(computed).not.toBe(xml);
    expect(await scanBlob(new Blob([computed]), 'book.fods')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob([xml]), 'book.fods')).toMatchObject({ verdict: 'unscannable' });
  });
});

describe('readFormula', () => {
  it.each([
    ['"秘"&" Confidential"', '秘 Confidential'],
    ['CONCATENATE("秘"," Confidential")', '秘 Confidential'],
    ['_xlfn.CONCAT("秘", " ", "Confidential")', '秘 Confidential'],
    ['of:=CONCATENATE("秘";" Confidential")', '秘 Confidential'],
    ['("秘")&(" Confidential")', '秘 Confidential'],
    ['"say ""秘"""&1', 'say "秘"1'],
    ['IF(A1="","秘","")&" Confidential"', null],
    ['"秘"&A1', null],
    ['SUM(1,2)', null],
    ['"秘"&', null],
  ])('%s → %s', (f, value) => {
    expect(readFormula(f).value).toBe(value);
  });
});

describe('readXlsFormula', () => {
  const str = (s: string) => [0x17, s.length, 1, ...[...s].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];
  it('ptgStr ptgStr ptgConcat, and CONCATENATE as ptgFuncVar', () => {
    expect(readXlsFormula(new Uint8Array([...str('秘'), ...str(' Confidential'), 0x08]), true, () => '').value).toBe('秘 Confidential');
    expect(readXlsFormula(new Uint8Array([...str('秘'), ...str(' Confidential'), 0x42, 2, 0x50, 0x01]), true, () => '').value).toBe('秘 Confidential');
  });
  it('a reference, or an unknown token, leaves the value unknown (the literals read are kept)', () => {
    const ref = readXlsFormula(new Uint8Array([...str('秘'), 0x44, 0, 0, 0, 0, 0x08]), true, () => '');
    expect(ref).toMatchObject({ value: null, literals: ['秘'], joins: true, whole: true });
    expect(readXlsFormula(new Uint8Array([...str('秘'), 0x18, 0x01, 0x08]), true, () => '')).toMatchObject({ value: null, whole: false });
  });
});
