/**
 * UTF-7 (RFC 2152): mail that declares it was `unscannable` (unknown charset); it is now read. The
 * examples are RFC 2152's, and GNU iconv's output for the stamp (`iconv -t UTF-7`).
 */
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { decodeUtf7 } from '../../src/detect/extract/utf7.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('UTF-7', () => {
  it.each([
    ['Hi Mom -+Jjo--!', 'Hi Mom -☺-!'],
    ['+ZeVnLIqe-', '日本語'],
    ['A+ImIDkQ.', 'A≢Α.'],
    ['1 +- 1 = 2', '1 + 1 = 2'],
    ['+edg Confidential', '秘 Confidential'], // iconv: the run ends at the space, with no `-`
    ['+2D3eAA-', '\u{1F600}'.normalize()], // a surrogate pair
  ])('%s', (encoded, text) => {
    expect(decodeUtf7(bytes(encoded))).toBe(text);
  });

  it('a mail body and an encoded-word subject in UTF-7 are read; a clean one is clean', async () => {
    const mail = (subject: string, body: string) =>
      new Blob([`From: a@example.org\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n${body}\r\n`]);
    expect(await scanBlob(mail('test', '+edg Confidential\r\n+kOhUwTBufQ1nHw'), 'a.eml')).toMatchObject({ verdict: 'marked', location: { area: 'body' } });
    expect(await scanBlob(mail('=?utf-7?Q?+edg-_Confidential?=', 'hello'), 'a.eml')).toMatchObject({ verdict: 'marked', location: { area: 'subject' } });
    expect(decodeUtf7(bytes('+edhm+Fuk-'))).toBe('秘書室'); // iconv's
    expect(await scanBlob(mail('test', '+edhm+Fuk- Confidential'), 'a.eml')).toMatchObject({ verdict: 'clean' });
  });
});
