/**
 * Text a spreadsheet cell shows that is not written as a paragraph or a plain run
 * (test/fixtures/cell-values): an ODS text cell's office:string-value, which LibreOffice shows (odfpy
 * writes no paragraph at all).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/cell-values');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);
const twin = (name: string) => name.replace(/(\.\w+)$/, '-twin$1');

/** A flat ODS of one sheet whose rows are `rows`. */
const fods = (rows: string) =>
  new Blob([
    `<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="S">${rows}</table:table></office:spreadsheet></office:body></office:document>`,
  ]);
const cell = (attrs: string, p = '') => `<table:table-row><table:table-cell ${attrs}>${p ? `<text:p>${p}</text:p>` : ''}</table:table-cell></table:table-row>`;

describe('ODS: a text cell shows its office:string-value', () => {
  const ODS = ['odfpy-string-value-plain.ods', 'odfpy-string-value-formula-cached.ods', 'odfpy-string-value-two-cells.ods'];

  it.each(ODS)('%s → marked (rule 1)', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'S', cell: 'A1' } });
  });

  it.each(ODS.map(twin))('%s (秘書室 Confidential) → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('over its paragraph, as LibreOffice 7.4 shows it; a number, date or boolean shows its value instead', async () => {
    const read = async (rows: string) => (await scanBlob(fods(rows), 'x.fods')).verdict;
    expect(await read(cell('office:value-type="string" office:string-value="秘 Confidential"', '公開'))).toBe('marked');
    expect(await read(cell('office:string-value="秘 Confidential"'))).toBe('marked'); // no type: text
    expect(await read(cell('office:value-type="float" office:value="3" office:string-value="秘 Confidential"'))).toBe('clean');
    expect(await read(cell('office:value-type="boolean" office:boolean-value="true" office:string-value="秘 Confidential"'))).toBe('clean');
    expect(await read(cell('office:value-type="string" office:string-value="秘"') + cell('office:value-type="string" office:string-value="Confidential"'))).toBe('clean'); // one above the other
  });
});
