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
});
