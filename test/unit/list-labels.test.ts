/**
 * A list's label is shown before each of its paragraphs, although no paragraph holds it: ODF's
 * num-prefix, Word's numbering lvlText, RTF's {\listtext} (test/fixtures/office/make-list-label.sh,
 * LibreOffice 7.4's conversions of one flat ODT).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

const DIR = join(__dirname, '../fixtures/office');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('list labels', () => {
  it.each(['odt', 'docx', 'rtf', 'doc'])('「秘 Confidential 1.」 before each item: list-label-stamp.%s is marked', async (ext) => {
    expect(await scan(`list-label-stamp.${ext}`)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['odt', 'docx', 'rtf', 'doc'])('「秘書室 1.」 before an item: list-label-trap.%s is clean', async (ext) => {
    expect(await scan(`list-label-trap.${ext}`)).toMatchObject({ verdict: 'clean' });
  });

  it('a PowerPoint bullet 「秘」 before 「Confidential」 is marked; before 「書室より」 clean', async () => {
    expect(await scan('list-bullet-stamp.pptx')).toMatchObject({ verdict: 'marked', rule: 1, location: { slide: 1 } });
    expect(await scan('list-bullet-trap.pptx')).toMatchObject({ verdict: 'clean' });
  });

  it('bullets and outline numbering too', () => {
    expect(xmlToText('<text:list-level-style-bullet text:level="1" text:bullet-char="秘" style:num-suffix=" Confidential"/>')).toContain('秘\n Confidential');
    expect(xmlToText('<text:outline-level-style text:level="1" style:num-prefix="秘 Confidential " style:num-format="1"/>')).toContain('秘 Confidential');
  });
});
