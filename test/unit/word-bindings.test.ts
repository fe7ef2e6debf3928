/**
 * Word content controls bound to XML data (word-bindings.ts): they show their data's value, as Word and
 * LibreOffice show them on opening, not the text stored in them. Fixtures: test/fixtures/bindings/make.py.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { boundValue, withBoundValues } from '../../src/detect/extract/word-bindings.js';

const FIX = join(__dirname, '../fixtures/bindings');
const scan = (n: string) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, {});

describe('bound content controls read as they show (LibreOffice\'s text export gives the same)', () => {
  it.each([
    // 「文書区分: 秘 」 + a control storing 「[区分]」, bound to a custom XML part's 「Confidential」.
    'm_custom-xml.docx',
    // … bound to the document's title (core properties), 「Confidential」.
    'm_core-title.docx',
    // A control around a paragraph whose data is 「秘」, then a paragraph 「Confidential」.
    'm_block.docx',
  ])('%s → marked in the body', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'word/document.xml', area: 'body' } });
  });

  it.each([
    // The data says 社外秘: 「秘 社外秘」.
    'k_custom-xml.docx',
    // The control stores 「Confidential」 but its data says 「取扱注意」, which is what shows.
    'k_stale.docx',
  ])('%s → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });
});

describe('boundValue: the node a control\'s XPath names', () => {
  const data = '<?xml version="1.0"?><!-- c --><r xmlns="urn:a" xmlns:b="urn:b"><x>one</x><x>two &amp; <i>more</i></x><b:y b:k="v&lt;"/><x><![CDATA[<z>]]></x></r>';
  const map = "xmlns:ns0='urn:a' xmlns:ns1='urn:b'";

  it('follows named steps with positions, by namespace, not prefix', () => {
    expect(boundValue(data, '/ns0:r[1]/ns0:x[1]', map)).toBe('one');
    expect(boundValue(data, '/ns0:r[1]/ns0:x[2]', map)).toBe('two & more');
    expect(boundValue(data, '/ns0:r[1]/ns0:x[3]', map)).toBe('<z>');
    expect(boundValue(data, '/ns0:r[1]/ns1:y[1]/@ns1:k', map)).toBe('v<');
    expect(boundValue(data, '/ns0:r[1]/ns1:x[1]', map)).toBeNull();
    expect(boundValue(data, '/ns0:r[1]/ns0:x[4]', map)).toBeNull();
  });

  it('gives up on other XPath (the control keeps its stored text)', () => {
    expect(boundValue(data, "/ns0:r[1]/ns0:x[. = 'one']", map)).toBeNull();
    expect(boundValue(data, '//ns0:x', map)).toBeNull();
    expect(boundValue(data, '/ns9:r[1]', map)).toBeNull();
  });

  it('replaces only the content of a control whose value is found', () => {
    const xml =
      '<w:p><w:sdt><w:sdtPr><w:dataBinding w:xpath="/ns0:r[1]/ns0:x[2]" w:prefixMappings="' + map + '" w:storeItemID="{AB}"/></w:sdtPr><w:sdtContent><w:r><w:t>old</w:t></w:r></w:sdtContent></w:sdt>' +
      '<w:sdt><w:sdtPr><w:dataBinding w:xpath="/ns0:r[1]/ns0:q[1]" w:prefixMappings="' + map + '" w:storeItemID="{ab}"/></w:sdtPr><w:sdtContent><w:r><w:t>kept</w:t></w:r></w:sdtContent></w:sdt></w:p>';
    const out = withBoundValues(xml, new Map([['{AB}', data]]));
    expect(out).toContain('<w:t xml:space="preserve">two &amp; more</w:t>');
    expect(out).not.toContain('old');
    expect(out).toContain('kept');
  });

  it('is one pass over hostile data', () => {
    const hostile = '<r xmlns="urn:a">' + '<x>'.repeat(100_000) + '<!--'.repeat(10_000);
    const t = performance.now();
    expect(boundValue(hostile, '/ns0:r[1]/ns0:x[1]/ns0:x[1]/ns0:y[1]', "xmlns:ns0='urn:a'")).toBeNull();
    expect(performance.now() - t).toBeLessThan(3000);
  });
});
