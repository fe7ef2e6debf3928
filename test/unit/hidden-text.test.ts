/**
 * Hidden text between 「秘」 and 「Confidential」 (test/fixtures/hidden-text, LibreOffice's conversions of a
 * hand-written flat ODT): the document shows and prints 「秘 Confidential」, so it is also read that way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/hidden-text');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('hidden text is also read as the page shows it', () => {
  it.each(['hidden.docx', 'hidden.odt', 'hidden.fodt', 'hidden.rtf', 'hidden.doc'])('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['trap.docx', 'trap.odt', 'trap.fodt', 'trap.rtf', 'trap.doc'])('%s (秘 + hidden 書室 + の Confidential) is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });
});

describe('ruby (a reading set above 「秘」) is read with its base on the line', () => {
  // ruby.fodt by hand (<text:ruby>), the rest LibreOffice 7.4's conversions: ODT as written, .docx with
  // <w:rt> before the base, .doc as an EQ field (`EQ … \o\al(\s\up 10(ひ),秘)`) with no result.
  it.each(['ruby.fodt', 'ruby.odt', 'ruby.docx', 'ruby.doc'])('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});
