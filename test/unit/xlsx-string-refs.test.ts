/**
 * A worksheet's shared-string cell whose index lies past the last shared string (xlsx-string-refs.ts):
 * Excel refuses the workbook, and read as it stood the cell showed nothing. LibreOffice's calc-split.xlsx
 * holds 秘 (string 4) and Confidential (string 5) in the neighbouring cells B2 and C2 of its second sheet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { QUOTED_S, SharedStringCount, SharedStringRefs } from '../../src/detect/extract/xlsx-string-refs.js';
import { NeedleGroups } from '../../src/detect/extract/needle-groups.js';

const enc = new TextEncoder();
const SEED = unzipSync(new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/office/calc-split.xlsx'))));
const SHEET = 'xl/worksheets/sheet2.xml';

/** calc-split.xlsx with its parts' text replaced (`[part, from, to]`). */
async function scan(...edits: [string, string, string][]) {
  const parts = { ...SEED };
  for (const [part, from, to] of edits) {
    const text = new TextDecoder().decode(parts[part]);
    expect(text).toContain(from);
    parts[part] = enc.encode(text.replace(from, to));
  }
  return scanBlob(new Blob([zipSync(parts)]), 'calc-split.xlsx');
}

/** Every split of `xml` into two chunks gives the same highest index and cell. */
function refsOf(xml: string): { max: number; cell: string } {
  const bytes = enc.encode(xml);
  const seen = new Set<string>();
  for (let cut = 0; cut <= bytes.length; cut++) {
    const refs = new SharedStringRefs();
    refs.push(bytes.subarray(0, cut));
    refs.push(bytes.subarray(cut));
    refs.finish();
    seen.add(`${refs.max} ${refs.cell}`);
  }
  expect(seen.size).toBe(1);
  const refs = new SharedStringRefs();
  refs.push(bytes);
  refs.finish();
  return { max: refs.max, cell: refs.cell };
}

describe('shared string indexes past the last string', () => {
  it('the highest index of the t="s" cells, whatever the chunks, quoting or prefix', () => {
    const pad = 'x'.repeat(600);
    expect(refsOf(`<row r="1"><c r="A1" t="s"><v>3</v></c><c r="B1" s="2" t="s"><v>12</v></c><c r="C1"><v>99999</v></c></row>`)).toEqual({ max: 12, cell: 'B1' });
    expect(refsOf(`<x:row><x:c r='D7' t = 's' ><x:v> 40 </x:v></x:c>${pad}<x:c r="E7" t="s"><x:v>39</x:v></x:c></x:row>`)).toEqual({ max: 40, cell: 'D7' });
    // Not a cell's type: a string's text, a shared formula, another element's t, a cell with no value.
    expect(refsOf(`<c r="A1" t="inlineStr"><is><t> t="s"&gt;<v>77</v></t></is></c><c r="B1"><f t="shared" si="0"/><v>80</v></c><tc t="s"><v>81</v></tc><c r="C1" t="s"/>`)).toEqual({ max: -1, cell: '' });
  });

  it('long chunks are searched where they lie: every cell is seen, whatever the chunk sizes and seams', () => {
    // Cells whose index rises row by row, each one the highest so far, in markup a few KB long: every seam
    // of chunks of 2 KB and more (searched in place) and of short ones (joined) falls in or beside a cell.
    const rows: string[] = [];
    for (let r = 1; r <= 400; r++) rows.push(`<row r="${r}"><c r="A${r}" s="1"><v>${r * 7}</v></c><c r="B${r}" t="s"><v>${r}</v></c><x:c r='C${r}' t = 's'><x:v>${r}</x:v></x:c></row>`);
    const bytes = enc.encode(`<sheetData>${rows.join('\n')}</sheetData>`);
    expect(bytes.length).toBeGreaterThan(30_000);
    for (const sizes of [[bytes.length], [2048], [2049, 100], [3000, 7, 5000], [4096, 513, 1], [65536]]) {
      for (let shift = 0; shift < 600; shift += 37) {
        const refs = new SharedStringRefs();
        let at = 0;
        for (let k = 0; at < bytes.length; k++) {
          const size = k === 0 ? Math.max(1, sizes[0] - shift) : sizes[k % sizes.length];
          refs.push(bytes.subarray(at, at + size));
          at += size;
        }
        refs.finish();
        expect(`${refs.max} ${refs.cell}`, `chunks ${sizes.join(',')}, first ${shift} shorter`).toBe('400 B400');
      }
    }
    // The highest in the middle of the data, not at its end.
    const mid = enc.encode(`<sheetData>${rows.join('\n')}<row r="500"><c r="Q500" t="s"><v>90000</v></c></row>${rows.join('\n')}</sheetData>`);
    for (const size of [2048, 2500, 5000, 65536]) {
      const refs = new SharedStringRefs();
      for (let at = 0; at < mid.length; at += size) refs.push(mid.subarray(at, at + size));
      refs.finish();
      expect(`${refs.max} ${refs.cell}`).toBe('90000 Q500');
    }
  });

  it('a chunk the worksheet search says holds no quoted "s" is searched only at its seams, and no cell is lost there', () => {
    // Rows without shared strings, and one shared-string cell cut by a chunk's end or lying in a chunk's
    // first or last bytes: the chunks around it hold no whole "s" (NeedleGroups says so), their seams do.
    const groups = new NeedleGroups([QUOTED_S]);
    const filler = (n: number) => Array.from({ length: n }, (_, r) => `<row r="${r + 1}" spans="1:1" ht="15"><c r="A${r + 1}"><v>${r}</v></c></row>`).join('');
    const cell = '<c r="B9" t="s"><v>77</v></c>';
    const head = enc.encode(filler(60));
    for (let at = head.length - 300; at < head.length + 40; at += 3) {
      const bytes = enc.encode(new TextDecoder().decode(head.subarray(0, at)) + cell + filler(60));
      for (const size of [at, at - 1, at + 2, at + 14, at + 30, 4096]) {
        if (size < 2048) continue;
        const refs = new SharedStringRefs();
        let skipped = 0;
        for (let i = 0; i < bytes.length; i += size) {
          const chunk = bytes.subarray(i, i + size);
          const none = groups.in(chunk) === 0;
          if (none) skipped++;
          refs.push(chunk, none);
        }
        refs.finish();
        expect(`${refs.max} ${refs.cell}`, `cell at ${at}, chunks of ${size}`).toBe('77 B9');
        expect(skipped).toBeGreaterThan(0);
      }
    }
  });

  it('counts the items of a shared string part, whatever the chunks', () => {
    const bytes = enc.encode(`<sst count="3"><si><t>a</t></si><x:si><x:t>b</x:t></x:si><si ><t>sisi</t></si><sis/></sst>`);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const c = new SharedStringCount();
      c.push(bytes.subarray(0, cut));
      c.push(bytes.subarray(cut));
      expect(c.count).toBe(3);
    }
  });

  it('a cell that shows a string past the last one is damaged; the last one is read', async () => {
    expect((await scan()).verdict).toBe('marked');
    // Seven strings: 7 is one past the last; the 秘 cell's index changed, the Confidential beside it was read alone, clean.
    for (const index of ['7', '99999']) {
      const detail = `cell B2 shows shared string ${Number(index) + 1}, but xl/sharedStrings.xml holds 7`;
      expect(await scan([SHEET, '<v>4</v>', `<v>${index}</v>`])).toMatchObject({ verdict: 'unscannable', detail: expect.stringContaining(detail) });
    }
    // String 6 (以上) is the last one: no damage, and the stamp is gone (its 秘 cell now shows 以上).
    expect((await scan([SHEET, '<v>4</v>', '<v>6</v>'])).verdict).toBe('clean');
  });

  it('also when the shared strings are not read (none may hold the stamp)', async () => {
    const plain = ['xl/sharedStrings.xml', '>秘<', '>甲<'] as [string, string, string];
    expect((await scan(plain)).verdict).toBe('clean');
    const detail = 'cell B2 shows shared string 8, but xl/sharedStrings.xml holds 7';
    expect(await scan(plain, [SHEET, '<v>4</v>', '<v>7</v>'])).toMatchObject({ verdict: 'unscannable', detail: expect.stringContaining(detail) });
  });
});
