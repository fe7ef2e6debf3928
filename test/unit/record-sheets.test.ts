/**
 * SYLK and DIF sheets (SheetJS's bookType "sylk" and "dif"; Excel and LibreOffice open them as sheets):
 * neighbouring cells of a row stand side by side (extract/record-sheets.ts). Fixtures from
 * test/fixtures/record-sheets/make.cjs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/record-sheets');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('SYLK and DIF sheets', () => {
  it.each(['月次報告.slk', '月次報告.dif'])('%s: 「秘」 in A2 and 「Confidential」 in B2 → marked in its cells', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'cells', cell: 'A2' } });
  });

  it.each(['月次報告-traps.slk', '月次報告-traps.dif'])('%s: 社外秘 beside 「Strictly confidential」, 秘 and Confidential with a blank column between → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('SYLK records that leave out their row or column keep the last, and ;; is a ; of the text', async () => {
    const slk = 'ID;PWXL;N;E\r\nC;Y4;X2;K"x;;y"\r\nC;X3;K"秘"\r\nC;X4;K"Confidential"\r\nE\r\n';
    expect(await scanBlob(new Blob([slk]), 'a.slk')).toMatchObject({ verdict: 'marked', location: { cell: 'C4' } });
  });

  it('one over the size read on its grid is unscannable, saying so', async () => {
    const big = 'ID;PWXL;N;E\r\n' + 'C;Y1;X1;K"x"\r\n'.repeat((17 << 20) / 14);
    expect(await scanBlob(new Blob([big]), 'big.slk')).toMatchObject({ verdict: 'unscannable', reason: 'too-large' });
  });
});
