/**
 * A page's header and footer print at its top and bottom: read apart, 「社外秘」 in one and 「Confidential 2024」
 * in the other are no stamp (test/fixtures/page-margins: LibreOffice's odt and doc, XlsxWriter's xlsx).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

const scan = (n: string) => scanBlob(new Blob([readFileSync(join(__dirname, '../fixtures/page-margins', n))]), n, {});

describe('header and footer read apart', () => {
  it.each(['header-footer-trap.fodt', 'header-footer-trap.odt', 'header-footer-trap.xlsx'])('%s → clean', async (n) => {
    expect(await scan(n)).toMatchObject({ verdict: 'clean' });
  });

  // The .doc's header stories lie one after the other in its text stream, a paragraph mark between: the
  // stories are read apart, and the byte search over the stream passes their text over.
  it('header-footer-trap.doc → clean; a .doc stamp in one story still marks it', async () => {
    expect(await scan('header-footer-trap.doc')).toMatchObject({ verdict: 'clean' });
    const doc = (n: string) => scanBlob(new Blob([readFileSync(join(__dirname, '../fixtures/office-legacy', n))]), n, {});
    expect(await doc('doc-header-only.doc')).toMatchObject({ verdict: 'marked', location: { area: 'header' } });
    expect(await doc('doc-footer-only.doc')).toMatchObject({ verdict: 'marked', location: { area: 'footer' } });
  });

  it('a stamp inside one header or footer still reads whole', () => {
    expect(xmlToText('<style:header><text:p>秘</text:p><text:p>Confidential</text:p></style:header><style:footer><text:p>x</text:p></style:footer>')).toMatch(/秘\nConfidential/);
    expect(xmlToText('<oddHeader>&amp;L秘 Confidential</oddHeader><oddFooter>x</oddFooter>')).toContain('秘 Confidential');
  });
});
