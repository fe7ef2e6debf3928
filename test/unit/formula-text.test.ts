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
import { readFormula, readXlsFormula, unread } from '../../src/detect/extract/formula-text.js';

const FIX = join(__dirname, '../fixtures/formula');
const files = readdirSync(FIX).filter((f) => /\.(xlsx|xls|ods|fods|gnumeric)$/.test(f));
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, opts);
/** Designated keywords make every extractor read the sheets whole (the other path). */
const WHOLE = { designated: { keywords: ['存在しない語'] } };
const part = (n: string) => (n.endsWith('.xlsx') ? 'xl/worksheets/sheet1.xml' : n.endsWith('.xls') ? 'Workbook' : n.endsWith('.ods') ? 'content.xml' : undefined);

describe('formulas with no computed value', () => {
  it('every producer wrote each case', () => {
    for (const p of ['openpyxl.xlsx', 'exceljs.xlsx', 'writeexcel.xls', 'sheetjs.ods', 'sheetjs.fods', 'calc.xlsx', 'calc.xls', 'calc.ods', 'gnumeric.gnumeric'])
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
      // A .gnumeric file's formulas are its XML's text: the literal is found there first, in no sheet.
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, ...(n.endsWith('.gnumeric') ? {} : { location: { sheet: '様式' } }) });
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
  /** unread-openpyxl.xlsx with its sheet edited; `recalc`: keep openpyxl's `<calcPr fullCalcOnLoad="1"/>`, else taken out. */
  const repacked = async (edit: (xml: string) => string, recalc = false) => {
    const { unzipSync, zipSync, strFromU8, strToU8 } = await import('fflate');
    const parts = unzipSync(readFileSync(join(FIX, 'unread-openpyxl.xlsx')));
    parts['xl/worksheets/sheet1.xml'] = strToU8(edit(strFromU8(parts['xl/worksheets/sheet1.xml'])));
    if (!recalc) parts['xl/workbook.xml'] = strToU8(strFromU8(parts['xl/workbook.xml']).replace(/ fullCalcOnLoad="1"/, ''));
    return scanBlob(new Blob([zipSync(parts)]), 'book.xlsx');
  };
  it('an empty text result (t="str", <v></v>, as Excel writes "") is computed: not unread', async () => {
    expect(await repacked((x) => x.replace('<c r="B2">', '<c r="B2" t="str">').replace('<v />', '<v></v>'))).toMatchObject({ verdict: 'clean' });
    expect(await repacked((x) => x.replace('<c r="B2">', '<c r="B2" t="str">'))).toMatchObject({ verdict: 'clean' });
  });
  it('a computed value other than text is kept as computed; openpyxl\'s empty <v/> with no type is none', async () => {
    const noJoin = (x: string) => x.replace('&amp;" Confidential"', '');
    expect(await repacked((x) => noJoin(x).replace('<v />', '<v>0</v>'))).toMatchObject({ verdict: 'clean' });
    expect(await repacked((x) => x)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
  it('the number 0 stored on a formula that joins text is a placeholder, not its value; another number was computed (red team docs4 #2)', async () => {
    expect(await repacked((x) => x.replace('<v />', '<v>0</v>'))).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(await repacked((x) => x.replace('<v />', '<v>5</v>'))).toMatchObject({ verdict: 'clean' });
  });
  it('a workbook computed on load (fullCalcOnLoad): no stored value is what shows (red team docs4 #2)', async () => {
    const noJoin = (x: string) => x.replace('&amp;" Confidential"', '');
    expect(await repacked((x) => noJoin(x).replace('<v />', '<v>0</v>'), true)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(await repacked((x) => x.replace('<c r="B2">', '<c r="B2" t="str">').replace('<v />', '<v></v>'), true)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
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
  it('the number 0 or an empty text a writer stores without calculating (xlwt always stores ""): unread; another number, a boolean: computed', async () => {
    expect(await withResult([0, 0, 0, 0, 0, 0, 0, 0])).toMatchObject({ verdict: 'unscannable', location: { cell: 'B2' } });
    expect(await withResult([0, 0, 0, 0, 0, 0, 0x14, 0x40])).toMatchObject({ verdict: 'clean' }); // 5.0
    expect(await withResult([3, 0, 0, 0, 0, 0, 0xff, 0xff])).toMatchObject({ verdict: 'unscannable', location: { cell: 'B2' } }); // "" (red team docs5 #3)
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
    // Numbers are not computed: any number shows as 0 (digits cannot make the stamp).
    ['SUM(1,2)', '0'],
    ['"秘"&', null],
  ])('%s → %s', (f, value) => {
    expect(readFormula(f).value).toBe(value);
  });
});

describe('formulas with no computed value that refer to other cells (refs/)', () => {
  const REFS = join(FIX, 'refs');
  const scanRef = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(REFS, n))]), n, opts);
  // The red team's files (clean before) and this fix's own cases: the cell that shows the stamp.
  const marked: [string, string, string][] = [
    ['exj-formula-noresult.xlsx', 'S', 'B1'],
    ['exj-formula-ref-concat.xlsx', 'S', 'C5'],
    ['exj-formula-two-refs.xlsx', 'S', 'D4'],
    ['exj-formula-other-sheet.xlsx', 'S', 'A1'],
    ['exj-formula-defname.xlsx', 'S', 'A1'],
    ['exj-formula-unichar.xlsx', 'S', 'A1'],
    ['opx-formula-ref.xlsx', 'Sheet', 'B3'],
    ['sheetjs-formula-ref-xlsx.xlsx', 'S', 'B2'],
    ['sheetjs-formula-ref-ods.ods', 'S', 'B2'],
    ['sheetjs-formula-ref-fods.fods', 'S', 'B2'],
    ['sheetjs-formula-ref-xlml.xml', 'S', 'B2'],
    ['exj-refs-chain.xlsx', 'S', 'C1'],
    ['exj-refs-textjoin.xlsx', 'S', 'D3'],
    ['exj-refs-trim.xlsx', 'S', 'D4'],
    ['exj-refs-char.xlsx', 'S', 'D5'],
    ['exj-refs-beside.xlsx', 'S', 'A6'],
  ];
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each(marked)(`%s → marked at %s!%s${how}`, async (n, sheet, cell) => {
      expect(await scanRef(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet, cell } });
    });
    it.each(['exj-refs-traps.xlsx', 'sheetjs-refs-traps.ods', 'sheetjs-refs-traps.xml'])(`%s (秘書室 by a formula, numeric formulas, an IF without 秘) → clean${how}`, async (n) => {
      expect(await scanRef(n, opts)).toMatchObject({ verdict: 'clean' });
    });
    it(`an IF that may show 秘, and an unknown value beside 秘 → unscannable, naming both${how}`, async () => {
      const r = await scanRef('exj-refs-unread.xlsx', opts);
      expect(r).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', location: { sheet: 'S', cell: 'C3' } });
      expect(JSON.stringify(r)).toContain('C3, B5');
    });
    it(`a formula this reader cannot spell out (SheetJS's ods Labels![.A1]) → unscannable${how}`, async () => {
      expect(await scanRef('sheetjs-refs-other-sheet.ods', opts)).toMatchObject({ verdict: 'unscannable', location: { sheet: 'S', cell: 'B2' } });
    });
  }

  it('a workbook that cannot show 秘 is not read for its formulas: numeric and text formulas stay clean', async () => {
    const { unzipSync, zipSync, strFromU8, strToU8 } = await import('fflate');
    const parts = unzipSync(readFileSync(join(REFS, 'exj-formula-two-refs.xlsx')));
    parts['xl/sharedStrings.xml'] = strToU8(strFromU8(parts['xl/sharedStrings.xml']).replace('秘', '社'));
    expect(await scanBlob(new Blob([zipSync(parts)]), 'book.xlsx')).toMatchObject({ verdict: 'clean' });
  });
});

describe('readFormula with cells', () => {
  const grid: Record<string, string> = { 'S!A1': '秘', 'S!A2': 'Confidential', 'Labels!A1': '秘', 'S!Z1': '秘' };
  const cells = {
    range: (sheet: string | null, r1: number, c1: number, r2: number, c2: number) => {
      const out: string[] = [];
      for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) out.push(grid[`${sheet ?? 'S'}!${String.fromCharCode(65 + c)}${r + 1}`] ?? '');
      return out;
    },
    name: (n: string) => (n === 'mark' ? 'S!$Z$1' : null),
  };
  it.each([
    ['A1&" Confidential"', '秘 Confidential'],
    ['$A$1&" "&A2', '秘 Confidential'],
    ["'Labels'!A1&\" Confidential\"", '秘 Confidential'],
    ['mark&" Confidential"', '秘 Confidential'],
    ['of:=[.A1]&" "&[.A2]', '秘 Confidential'],
    ['of:=CONCATENATE([$Labels.A1];" Confidential")', '秘 Confidential'],
    ['_xlfn.CONCAT(A1:A2)', '秘Confidential'],
    ['_xlfn.TEXTJOIN(" ",TRUE,A1:A3)', '秘 Confidential'],
    ['UPPER(A1&" confidential")', '秘 CONFIDENTIAL'],
    ['_xlfn.UNICHAR(31192)', '秘'],
    ['A1*2', '0'],
  ])('%s → %s', (f, value) => {
    expect(readFormula(f, cells).value).toBe(value);
  });
  it('R1C1 (SpreadsheetML 2003) is read from the formula\'s cell', () => {
    expect(readFormula('=R[-1]C&" "&R2C1', cells, { row: 1, col: 0 }).value).toBe('秘 Confidential');
  });
  it('a function not evaluated: unknown; it may show the stamp only when an argument may hold 秘', () => {
    expect(readFormula('IF(B1>0,A1,"")&" Confidential"', cells)).toMatchObject({ value: null, stamp: true });
    expect(readFormula('IF(B1>0,A2,"")', cells)).toMatchObject({ value: null, stamp: false });
    expect(readFormula('INDIRECT("A"&B1)', cells)).toMatchObject({ value: null, stamp: true });
  });
  it('without cells a reference is not known (and may hold 秘)', () => {
    expect(readFormula('A1&" Confidential"')).toMatchObject({ value: null, refers: true, stamp: true });
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

describe('hostile formulas', () => {
  it.each([
    ['100,000 nested parentheses', '('.repeat(100_000) + '"秘 Confidential"' + ')'.repeat(100_000)],
    ['a chain of 100,000 joins', Array(100_000).fill('"秘"').join('&')],
    ['100,000 signs', '-'.repeat(100_000) + '1'],
  ])('%s: a verdict, never a crash (unread where it may show 秘)', (_what, f) => {
    const r = readFormula(f);
    expect(r.value).toBeNull();
    if (f.includes('秘')) expect(unread(r)).toBe(true);
  });
});

describe('shared formulas, sheet-scoped names, 秘 taken out of a word (refs/, make-more.cjs and opx-names.py)', () => {
  const REFS = join(FIX, 'refs');
  const scanRef = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(REFS, n))]), n, opts);
  // Each was clean before: B2's <f t="shared" si="0"/> was not read; the workbook's `mark` was taken
  // for S's own; 秘 only inside 秘書室 / 極秘密 started no formula reading, and LEFT/MID were not evaluated.
  const marked: [string, string][] = [
    ['exj-more-shared.xlsx', 'B2'],
    ['opx-names-local.xlsx', 'A1'],
    ['exj-more-left.xlsx', 'B1'],
    ['exj-more-mid.xlsx', 'C2'],
    ['exj-more-right.xlsx', 'D3'],
    // Gnumeric's own format of the first (make-gnumeric.sh): B2 an empty cell naming B1's shared expression (ExprID).
    ['gnumeric-more-shared.gnumeric', 'B2'],
    // Gnumeric's own format of opx-names-local.xlsx: S's own `mark` in S's <gnm:Names>, the workbook's in the workbook's.
    ['gnumeric-names-local.gnumeric', 'A1'],
  ];
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each(marked)(`%s → marked at S!%s${how}`, async (n, cell) => {
      expect(await scanRef(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'S', cell } });
    });
    // The same constructions making 秘書室 Confidential, another sheet's name, LEFT(…,2), MID past 秘, RIGHT of 室.
    it.each(['exj-more-shared-trap.xlsx', 'opx-names-local-trap.xlsx', 'exj-more-left-traps.xlsx', 'gnumeric-more-shared-trap.gnumeric', 'gnumeric-names-local-trap.gnumeric'])(`%s → clean${how}`, async (n) => {
      expect(await scanRef(n, opts)).toMatchObject({ verdict: 'clean' });
    });
  }

  it('a Gnumeric name with a relative reference (moved with the cell that uses it) is not known: unscannable, never clean', async () => {
    const { gunzipSync, gzipSync } = await import('node:zlib');
    const xml = gunzipSync(readFileSync(join(REFS, 'gnumeric-names-local.gnumeric'))).toString('utf8');
    expect(xml).toContain('<gnm:value>S!$Z$1</gnm:value>');
    const moved = gzipSync(Buffer.from(xml.replace('<gnm:value>S!$Z$1</gnm:value>', '<gnm:value>S!Z1</gnm:value>')));
    expect(await scanBlob(new Blob([moved]), 'book.gnumeric')).toMatchObject({ verdict: 'unscannable', location: { cell: 'A1' } });
  });

  it('a shared formula whose group text is missing is not known: unscannable, never clean', async () => {
    const { unzipSync, zipSync, strFromU8, strToU8 } = await import('fflate');
    const parts = unzipSync(readFileSync(join(REFS, 'exj-more-shared.xlsx')));
    const sheet = 'xl/worksheets/sheet1.xml';
    parts[sheet] = strToU8(strFromU8(parts[sheet]).replace('si="0">', 'si="7">'));
    expect(await scanBlob(new Blob([zipSync(parts)]), 'book.xlsx')).toMatchObject({ verdict: 'unscannable', location: { cell: 'B2' } });
  });
});

describe('readFormula: shared formulas moved, LEFT/RIGHT/MID', () => {
  const cells = { range: (_s: string | null, r1: number, c1: number) => [r1 === 1 && c1 === 0 ? '秘書室' : r1 === 3 && c1 === 2 ? '秘' : ''] };
  it('relative parts move with the cell, $ parts stay', async () => {
    const { parseFormula, evaluateFormula } = await import('../../src/detect/extract/formula-text.js');
    expect(evaluateFormula(parseFormula('LEFT(A1,1)&"x"', undefined, { rows: 1, cols: 0 }), cells).value).toBe('秘x');
    expect(evaluateFormula(parseFormula('LEFT($A$1,1)&"x"', undefined, { rows: 1, cols: 0 }), cells).value).toBe('x');
    expect(evaluateFormula(parseFormula('LEFT($A2,1)&A2', undefined, { rows: 0, cols: 2 }), cells).value).toBe('秘');
    expect(evaluateFormula(parseFormula('A2', undefined, { rows: 2, cols: 2 }), cells).value).toBe('秘');
    // Moved before the first row: #REF!, not known.
    expect(evaluateFormula(parseFormula('A1&"x"', undefined, { rows: -1, cols: 0 }), cells)).toMatchObject({ value: null });
  });
  it('LEFT, RIGHT and MID count characters; a count not known leaves the value unknown', () => {
    expect(readFormula('LEFT("秘書室")&MID("秘書室",2,2)&RIGHT("秘書室",5)', cells).value).toBe('秘書室秘書室');
    expect(readFormula('LEFT("秘書室","x")', cells)).toMatchObject({ value: null, stamp: true });
    expect(readFormula('MID("秘書室",0,1)', cells)).toMatchObject({ value: null, stamp: true });
    expect(readFormula('LEFT("abc",Z9)', cells).value).toBe('');
  });
});

describe('xls formulas that refer to other cells (refs/, make-xls-refs.pl)', () => {
  const REFS = join(FIX, 'refs');
  const bytes = (n: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(REFS, n)));
  const scanXls = (b: Uint8Array<ArrayBuffer>, opts = {}) => scanBlob(new Blob([b]), 'book.xls', opts);
  // Each was clean: a reference was not followed, and only a literal with 秘 made a formula unread.
  it.each([
    ['wxl-ref.xls', 'S', 'B1'],
    ['wxl-left.xls', 'S', 'B1'],
    ['wxl-other-sheet.xls', 'S', 'A1'],
    ['wxl-mid.xls', 'S', 'C2'],
    ['wxl-char.xls', 'S', 'D5'],
  ])('%s → marked at %s!%s', async (n, sheet, cell) => {
    expect(await scanXls(bytes(n))).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet, cell } });
  });
  it('an IF that may show 秘 joined with Confidential → unscannable, naming C3', async () => {
    expect(await scanXls(bytes('wxl-unread.xls'))).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', location: { sheet: 'S', cell: 'C3' } });
  });
  it('wxl-traps.xls (秘書室 from a reference, LEFT of two, RIGHT of 室, numbers, an IF without 秘) → clean', async () => {
    expect(await scanXls(bytes('wxl-traps.xls'))).toMatchObject({ verdict: 'clean' });
  });

  /** The file with the FORMULA record of (row, col)'s stored result set to "text" (its STRING record, which WriteExcel never writes, missing). */
  const textResult = (n: string, row: number, col: number) => {
    const b = bytes(n);
    const at = b.findIndex((x, i) => x === 0x06 && b[i + 1] === 0 && b[i + 4] === row && b[i + 5] === 0 && b[i + 6] === col && b[i + 7] === 0);
    expect(at).toBeGreaterThan(0);
    b.set([0, 0, 0, 0, 0, 0, 0xff, 0xff], at + 4 + 6);
    return b;
  };
  it('a text result whose STRING record is missing is evaluated: 秘 & " Confidential" → marked; 秘書 & … → clean', async () => {
    expect(await scanXls(textResult('wxl-ref.xls', 0, 1))).toMatchObject({ verdict: 'marked', location: { cell: 'B1' } });
    expect(await scanXls(textResult('wxl-traps.xls', 4, 1))).toMatchObject({ verdict: 'clean' });
  });

  it('hostile tokens: 30,000 joins, or a function whose arguments are not on the stack → a verdict, at once', async () => {
    const { parseXlsFormula, evaluateFormula } = await import('../../src/detect/extract/formula-text.js');
    const str = [0x17, 1, 1, 0x18, 0x79];
    const joins = new Uint8Array([...str, ...Array.from({ length: 30_000 }, () => [...str, 0x08]).flat()]);
    expect(evaluateFormula(parseXlsFormula(joins, true, () => ''))).toMatchObject({ value: null, stamp: true });
    expect(evaluateFormula(parseXlsFormula(new Uint8Array([0x42, 9, 0x50, 0x01]), true, () => ''))).toMatchObject({ value: null });
  });
});

describe('UncomputedFormulas (whether the formula reading has anything to do), however the sheet is cut', () => {
  const rows = {
    computed: '<row r="1"><c r="A1"><f>B1*2</f><v>4</v></c><c r="B1"><f t="shared" si="0"/>\n <v>2</v></c><x:c r="C1"><x:f>1</x:f><x:v>1</x:v></x:c></row>',
    bare: '<row r="1"><c r="A1"><f>B1&amp;"x"</f></c></row>',
    emptyV: '<row r="1"><c r="A1"><f>B1</f><v/></c></row>',
    shared: '<row r="2"><c r="B2"><f t="shared" si="0"/></c></row>',
    prefixed: '<x:row r="1"><x:c r="A1"><x:f>B1</x:f></x:c></x:row>',
    atEnd: '<row r="1"><c r="A1"><f>B1</f>',
    // A number stored on a formula that joins text, or on an array formula, is a placeholder (XlsxWriter's 0); text is a value.
    cachedJoin: '<row r="1"><c r="A1"><f>B1&amp;" x"</f><v>0</v></c></row><row r="2"><c r="A2"><f>B2*2</f><v>0</v></c></row>',
    cachedArray: '<row r="1"><x:c r="A1" t="n"><x:f t="array" ref="A1">B1</x:f><x:v>0</x:v></x:c></row>',
    textJoin: '<row r="1"><c r="A1" t="str"><f>B1&amp;" x"</f><v>a x</v></c><c r="B1" t="e"><f>CONCAT(A1)</f><v>#N/A</v></c></row>',
  };
  const expected: Record<string, boolean> = {
    computed: false,
    bare: true,
    emptyV: true,
    shared: true,
    prefixed: true,
    atEnd: true,
    cachedJoin: true,
    cachedArray: true,
    textJoin: false,
  };
  it.each(Object.keys(rows))('%s', async (k) => {
    const { UncomputedFormulas } = await import('../../src/detect/extract/xlsx-formulas.js');
    const bytes = new TextEncoder().encode(`<worksheet><sheetData>${'<row r="9"><c r="A9" t="s"><v>0</v></c></row>'.repeat(40)}${rows[k as keyof typeof rows]}`);
    for (let cut = 0; cut <= bytes.length; cut += 7) {
      const signs = new UncomputedFormulas();
      signs.push(bytes.subarray(0, cut));
      signs.push(bytes.subarray(cut));
      expect(signs.finish(), `cut at ${cut}`).toBe(expected[k]);
    }
  });
  it('a workbook whose formulas are all computed is not read for them, even with 秘 in 秘密 (exj-more-left.xlsx with B1 computed: clean)', async () => {
    const { unzipSync, zipSync, strFromU8, strToU8 } = await import('fflate');
    const parts = unzipSync(readFileSync(join(FIX, 'refs/exj-more-left.xlsx')));
    const sheet = 'xl/worksheets/sheet1.xml';
    parts[sheet] = strToU8(strFromU8(parts[sheet]).replace('</f>', '</f><v>x Confidential</v>').replace('<c r="B1"', '<c r="B1" t="str"'));
    expect(await scanBlob(new Blob([zipSync(parts)]), 'book.xlsx')).toMatchObject({ verdict: 'clean' });
  });
});
