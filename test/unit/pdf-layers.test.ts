/**
 * Optional content (layers) a PDF opens with turned off is not shown by any reader: 「秘」, 「書室」 on such a
 * layer, then 「 Confidential」 shows 「秘   Confidential」 (pdftotext -layout). Fixtures: test/fixtures/js-producers
 * (make-pdf-layers.mjs, pdf-lib 1.17).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/js-producers');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('a layer that is off is also read as not there', () => {
  it('「書室」 on a layer the document turns off, between 「秘」 and 「 Confidential」: marked (it was clean)', async () => {
    expect(await scan('pdf-layers.pdf')).toMatchObject({ verdict: 'marked', rule: 1, location: { page: 1 } });
  });

  it('the same layer on: 「秘書室 Confidential」 is clean', async () => {
    expect(await scan('pdf-layers-trap.pdf')).toMatchObject({ verdict: 'clean' });
  });

  it('a comment (FreeText) on a layer that is off, or whose appearance stream is, is not drawn in that reading: 「秘」 in the page, 「書室からの連絡事項」 on the layer, a comment 「 Confidential」: marked (it was clean)', async () => {
    expect(await scan('pdf-layers-annot.pdf')).toMatchObject({ verdict: 'marked', rule: 1, location: { page: 1 } });
    expect(await scan('pdf-layers-appearance.pdf')).toMatchObject({ verdict: 'marked', rule: 1, location: { page: 1 } });
    expect(await scan('pdf-layers-annot-trap.pdf')).toMatchObject({ verdict: 'clean' });
  });
});
