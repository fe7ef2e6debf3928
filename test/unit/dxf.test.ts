/**
 * AutoCAD DXF (test/fixtures/cad: ezdxf 0.18 writes R12, R2000 in Windows-1252 and in Shift_JIS, R2018 in
 * UTF-8). Read as plain text, 11 of the 16 stamped drawings were clean: 秘 as `\U+79D8`, MTEXT codes
 * between the words, or the two words as two TEXT entities.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { dxfText } from '../../src/detect/extract/dxf.js';

const DIR = join(__dirname, '../fixtures/cad');
const files = readdirSync(DIR).filter((f) => f.endsWith('.dxf'));
const scanFile = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
const scanText = (text: string, name = '図面.dxf') => scanBlob(new Blob([text]), name);

/** A minimal drawing as AutoCAD writes it (CRLF, right-aligned group codes), with `entities` in its ENTITIES section. */
function drawing(entities: string[][]): string {
  const pairs = [['0', 'SECTION'], ['2', 'HEADER'], ['9', '$ACADVER'], ['1', 'AC1015'], ['9', '$DWGCODEPAGE'], ['3', 'ANSI_1252'], ['0', 'ENDSEC'], ['0', 'SECTION'], ['2', 'ENTITIES'], ...entities, ['0', 'ENDSEC'], ['0', 'EOF']];
  return pairs.map(([c, v]) => `${c.padStart(3)}\r\n${v}\r\n`).join('');
}
const text = (value: string, y = 10, x = 10) => [['0', 'TEXT'], ['8', '0'], ['10', String(x)], ['20', String(y)], ['40', '5'], ['1', value]];
const mtext = (...chunks: string[]) => [['0', 'MTEXT'], ['8', '0'], ['10', '0'], ['20', '0'], ...chunks.slice(0, -1).map((c) => ['3', c]), ['1', chunks[chunks.length - 1]]];
const flat = (...e: string[][][]) => e.flat();

describe('DXF drawings from ezdxf', () => {
  it.each(files.filter((f) => f.startsWith('marked-')))('%s is marked, in the drawing', async (name) => {
    expect(await scanFile(name)).toMatchObject({ verdict: 'marked', rule: 1, format: 'dxf', location: { area: 'drawing' } });
  });

  it.each(files.filter((f) => f.startsWith('clean-')))('%s (秘密保持契約書, 社外秘 / Strictly confidential) is clean', async (name) => {
    expect(await scanFile(name)).toMatchObject({ verdict: 'clean', format: 'dxf' });
  });
});

describe('DXF text as it reads on the sheet', () => {
  it.each([
    ['\\U+79D8 Confidential', false, '秘 Confidential'],
    ['\\M+194E9 Confidential', false, '秘 Confidential'], // Shift_JIS 94 E9
    ['%%u秘 Confidential%%u 45%%d', false, '秘 Confidential 45°'],
    ['{\\fMS Gothic|b1|i0|c128|p49;秘}\\P{\\H2.5x;\\LConfidential\\l}', true, '秘\nConfidential'],
    ['\\A1;秘\\~Confidential \\S1^2;', true, '秘\u00A0Confidential 1 2'],
    ['C:\\\\drawings\\\\{A}', true, 'C:\\drawings\\A'],
    ['C:\\drawings\\P', false, 'C:\\drawings\\P'], // TEXT has no formatting codes
  ])('%j', (raw, isMtext, want) => {
    expect(dxfText(raw, isMtext)).toBe(want);
  });
});

describe('DXF structure', () => {
  it('a stamp split over MTEXT chunks (group 3, then 1) is joined', async () => {
    expect(await scanText(drawing(mtext('xxx 秘', ' Confidential')))).toMatchObject({ verdict: 'marked' });
  });

  it('two TEXT entities on one baseline join; on lines apart with text between, they do not', async () => {
    expect(await scanText(drawing(flat(text('秘', 10, 10), text('Confidential', 10, 16))))).toMatchObject({ verdict: 'marked' });
    expect(await scanText(drawing(flat(text('秘', 10), text('図面番号 A-100', 30), text('Confidential', 50))))).toMatchObject({ verdict: 'clean' });
  });

  it('a layer name, a comment and extended data are read too, each apart', async () => {
    expect(await scanText(`999\r\n\\U+79D8 Confidential\r\n${drawing([])}`)).toMatchObject({ verdict: 'marked' });
    const xdata = [['0', 'LINE'], ['8', '秘'], ['1001', 'ACAD'], ['1000', 'Confidential'], ['10', '0'], ['20', '0']];
    expect(await scanText(drawing(xdata))).toMatchObject({ verdict: 'clean' });
    expect(await scanText(drawing([['0', 'LINE'], ['8', '秘 Confidential'], ['10', '0'], ['20', '0']]))).toMatchObject({ verdict: 'marked' });
  });

  it('an object embedded through OLE is a member: a stamped Word document in it marks the drawing', async () => {
    const doc = readFileSync(join(__dirname, '../fixtures/office-legacy/doc-header-only.doc'));
    const data = Buffer.concat([Buffer.alloc(0x80, 0x41), doc]).toString('hex').toUpperCase();
    const chunks = data.match(/.{1,254}/g)!.map((h) => ['310', h]);
    const ole = [['0', 'OLE2FRAME'], ['8', '0'], ['10', '0'], ['20', '0'], ['90', String(data.length / 2)], ...chunks, ['1', 'OLE']];
    expect(await scanText(drawing(ole))).toMatchObject({ verdict: 'marked', location: { path: ['(embedded object 1)'] } });
    const unknown = [['0', 'OLE2FRAME'], ['8', '0'], ['310', '00112233']];
    expect(await scanText(drawing(unknown))).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });

  it('damage and binary DXF are unscannable, never clean', async () => {
    expect(await scanText(drawing(text('plan')).replace('\r\n 40\r\n', '\r\nxx\r\n'))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const binary = new Uint8Array([...new TextEncoder().encode('AutoCAD Binary DXF\r\n\x1a\0'), 0, 0, 0x53, 0x45]);
    expect(await scanBlob(new Blob([binary]), 'x.dxf')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });

  it('a large drawing is read across slices: a stamp after 4 MiB of entities', async () => {
    const many = Array.from({ length: 80_000 }, (_, i) => text(`部品 ${i}`, i));
    const big = drawing(flat(...many, text('秘', 1e9), text('Confidential', 1e9)));
    expect(big.length).toBeGreaterThan(4 << 20);
    expect(await scanText(big)).toMatchObject({ verdict: 'marked' });
  });
});
