/**
 * ODF fields a reader fills in on opening (test/fixtures/odf-fields/make.py, odfpy writes them empty): a
 * title field from the metadata, a custom property field, a user field from its declaration, and in a flat
 * document a variable from where it was set. 「秘 」 + the field reads 「秘 Confidential」; twins stay clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/odf-fields');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
const NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"';
const flat = (meta: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><office:document ${NS} office:version="1.3"><office:meta>${meta}</office:meta><office:body><office:text>${body}</office:text></office:body></office:document>`;

describe('fields whose value comes from elsewhere in the document', () => {
  it.each(['title-field', 'user-field', 'custom-property-field'])('%s.odt → marked; its twin → clean', async (name) => {
    expect(await scan(`${name}.odt`)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(`${name}-twin.odt`)).toMatchObject({ verdict: 'clean' });
  });

  it('a flat document: the title field and a variable set earlier in the text', async () => {
    const title = flat('<dc:title>Confidential</dc:title>', '<text:p>秘 <text:title/></text:p>');
    expect(await scanBlob(new Blob([title]), 'x.fodt')).toMatchObject({ verdict: 'marked', rule: 1 });
    const variable = flat('', '<text:p><text:variable-set text:name="V" office:value-type="string" office:string-value="Confidential" text:display="none"/>秘 <text:variable-get text:name="V"/></text:p>');
    expect(await scanBlob(new Blob([variable]), 'x.fodt')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([title.replace('秘 ', '秘書室 ')]), 'x.fodt')).toMatchObject({ verdict: 'clean' });
  });
});
