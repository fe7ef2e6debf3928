/**
 * LDIF (test/fixtures/markup/ldif, make-ldif.pl: Net::LDAP::LDIF): every non-ASCII value is base64 by the
 * format's rule, long ones folded over lines. A directory tool shows the note 「区分は秘 Confidential」;
 * it was clean (red team mail3 #5). The traps (秘書室) stay clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/markup/ldif');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('LDIF', () => {
  it.each(['short', 'long'])('a %s base64 value (folded when long) is decoded: marked; its trap clean', async (size) => {
    expect(await scan(`netldap-${size}-stamp.ldif`)).toMatchObject({ verdict: 'marked', rule: 1, format: 'ldif' });
    expect(await scan(`netldap-${size}-trap.ldif`)).toMatchObject({ verdict: 'clean', format: 'ldif' });
  });

  it('is known by its content under any name, and a binary value (a photo) is read as the file it is', async () => {
    const ldif = readFileSync(join(DIR, 'netldap-short-stamp.ldif'));
    expect(await scanBlob(new Blob([ldif]), 'export.txt')).toMatchObject({ verdict: 'marked', format: 'ldif' });
    const zipped = Buffer.from(readFileSync(join(__dirname, '../fixtures/archives/sfx/memo-ctext.bsdtar.zip'))).toString('base64');
    const entry = `version: 1\ndn: cn=a,dc=example,dc=jp\ncn: a\njpegPhoto:: ${zipped.replace(/(.{76})/g, '$1\n ')}\n`;
    expect(await scanBlob(new Blob([entry]), 'people.ldif')).toMatchObject({ verdict: 'marked', location: { path: ['jpegPhoto', 'memo.txt'] } });
  });
});
