/**
 * Formulas in a CSV file (red team text A10): Excel and LibreOffice evaluate a field that starts with `=`
 * when they open the file, so 「="秘 "&"Confidential"」 shows the stamp although the bytes hold it apart.
 */
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { parseCsv } from '../../src/detect/extract/csv-formulas.js';

const scan = (text: string, name = 'list.csv') => scanBlob(new Blob([text]), name);

describe('CSV formulas', () => {
  it('a formula joining literals shows the stamp: marked; the same joining 秘書 and 室 clean', async () => {
    expect(await scan('項目,値\r\n表題,"=""秘 ""&""Confidential"""\r\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('項目,値\r\n表題,"=""秘書""&""室 Confidential"""\r\n')).toMatchObject({ verdict: 'clean' });
  });

  it('a formula referring to a field (秘 in B1, =B1&" Confidential" in B2), in a semicolon CSV and a TSV too', async () => {
    expect(await scan('a,秘\nb,"=B1&"" Confidential"""\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('a;秘\nb;"=B1&"" Confidential"""\n')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('a\t秘\nb\t=B1&" Confidential"\n', 'list.tsv')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('a formula that may show 秘 but is not evaluated (IF) is unscannable, never clean', async () => {
    expect(await scan('a,1\nb,"=IF(B1>0,""秘"",""-"")&"" Confidential"""\n')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });

  /** UTF-16LE with a byte order mark: what Excel saves as "Unicode Text" (tab-separated) and opens as a sheet. */
  const unicodeText = (text: string) => new Uint8Array([0xff, 0xfe, ...Array.from(text).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
  const scanBytes = (b: Uint8Array, name: string) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name);

  it('a Unicode Text .txt (UTF-16 with a BOM, tab-separated) has its formulas read like a CSV (red team docs5 #7)', async () => {
    // As red team docs5's gen/csv.py writes it: the field quoted, as Excel does.
    expect(await scanBytes(unicodeText('"=""秘""&"" Confidential"""\r\n'), 'm.txt')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBytes(unicodeText('a\t秘\r\nb\t=B1&" Confidential"\r\n'), 'm.txt')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBytes(unicodeText('"=""秘書室""&"" Confidential"""\r\n'), 'k.txt')).toMatchObject({ verdict: 'clean' });
  });

  it('ordinary text: a UTF-16 .txt line that starts with = and cannot be evaluated stays clean (not unscannable); a UTF-8 .txt is not read as a sheet', async () => {
    expect(await scanBytes(unicodeText('=== 秘書室 ===\r\nConfidential memo\r\n=IF(A1,"秘","")\r\n'), 'notes.txt')).toMatchObject({ verdict: 'clean' });
    expect(await scan('"=""秘""&"" Confidential"""\r\n', 'notes.txt')).toMatchObject({ verdict: 'clean' });
  });

  it('formulas that cannot make 秘 (sums, no 秘 anywhere) leave a CSV clean', async () => {
    expect(await scan('a,1\nb,2\nc,=SUM(B1:B2)\n')).toMatchObject({ verdict: 'clean' });
  });

  it('parses quoted fields with delimiters, quotes and line breaks', () => {
    expect(parseCsv('a,"b,c","d""e"\r\n"f\ng",h\n', ',')).toEqual([['a', 'b,c', 'd"e'], ['f\ng', 'h']]);
  });
});
