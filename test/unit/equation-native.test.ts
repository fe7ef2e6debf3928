/**
 * Equations kept as Equation Editor 3.0 / MathType objects (test/fixtures/office-legacy/equation, make.sh: LibreOffice 7.4
 * with Math): each character of the equation is an MTEF record of its own, so the stamp was never in the bytes as a string
 * and a .doc with a formula 「秘 Confidential」 was clean, though LibreOffice and Word show it (producer hunt prod11).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { mtefText } from '../../src/detect/extract/mtef.js';

const DIR = join(__dirname, '../fixtures/office-legacy/equation');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('an equation object (Equation Native, MTEF 3) is read as the equation shows', () => {
  it('a .doc whose formula is 「秘 Confidential + x」 is marked; its trap 「秘書室 Confidential」 clean', async () => {
    expect(await scan('lo-formula.doc')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('lo-formula-trap.doc')).toMatchObject({ verdict: 'clean' });
  });

  it('a MathType file 「"秘" ~ "Confidential"」 (a MathType space between) is marked; its trap stays unscannable, as a kind not read', async () => {
    expect(await scan('lo-equation.mtf')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('lo-equation-trap.mtf')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });

  it('by hand: CHAR records in a run, a space typeface as a blank, any other record a line break; not MTEF 3 → nothing', () => {
    const header = new Uint8Array(28);
    header[0] = 28;
    const mtef = (...records: number[]) => new Uint8Array([...header, 3, 1, 1, 3, 0, ...records]);
    // LINE, 秘, a MathType space (typeface 24), C, o, END; then a template record, then x.
    const eq = mtef(0x01, 0x02, 0x81, 0xd8, 0x79, 0x02, 0x98, 0x05, 0xeb, 0x02, 0x81, 0x43, 0x00, 0x02, 0x81, 0x6f, 0x00, 0x00, 0x03, 0x02, 0x81, 0x78, 0x00);
    expect(mtefText(eq)).toBe('秘 Co\nx');
    expect(mtefText(new Uint8Array([...header, 5, 0, 0, 0x02, 0x81, 0xd8, 0x79]))).toBe('');
    expect(mtefText(new Uint8Array(10))).toBe('');
  });
});
