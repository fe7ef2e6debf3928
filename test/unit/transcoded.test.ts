/**
 * Text in mail's and legacy Japanese pages' transfer encodings (src/guard/transcoded.ts), as the guard
 * and the network layer read it (src/guard/request.ts): each encoding of the stamp is marked, the
 * same encoding of a trap (秘書室) is not, and a text in none of them is read once, as it is.
 */
import { describe, expect, it } from 'vitest';
import { markedInUrl, markedReading } from '../../src/guard/request.js';
import { transcodedTexts } from '../../src/guard/transcoded.js';

const NONE = {};
/** UTF-8 in quoted-printable: printable ASCII but `=` kept, every other byte escaped. */
const qp = (s: string) => [...new TextEncoder().encode(s)].map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x3d ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** Bytes as percent-escapes. */
const pct = (bytes: number[]) => bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
const SJIS = { stamp: [0x94, 0xe9], trap: [0x94, 0xe9, 0x8f, 0x91, 0x8e, 0xba] }; // 秘 / 秘書室
const EUC = { stamp: [0xc8, 0xeb], trap: [0xc8, 0xeb, 0xbd, 0xf1, 0xbc, 0xbc] };
const ISO = { stamp: '\x1b$BHk\x1b(B Confidential', trap: '\x1b$BHk=q<<\x1b(B Confidential' }; // 秘 / 秘書室 in JIS X 0208
const marked = (text: string) => markedReading(text, NONE) !== null;

describe('a stamp in a transfer encoding is read decoded', () => {
  it('ISO-2022-JP as sent (7-bit), in a text, a JSON string and a raw mail', () => {
    expect(marked(`note ${ISO.stamp} end`)).toBe(true);
    expect(marked(JSON.stringify({ body: `note ${ISO.stamp}` }))).toBe(true);
    const mail = `Subject: x\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${ISO.stamp}\r\n`;
    expect(marked(mail)).toBe(true);
    expect(marked(`note ${ISO.trap} end`)).toBe(false);
  });

  it('quoted-printable, with soft line breaks, in a raw mail and a JSON string', () => {
    const body = qp('議事録 秘 Confidential 以上');
    expect(body).toContain('=E7=A7=98 Confidential');
    expect(marked(`Content-Transfer-Encoding: quoted-printable\r\n\r\n${body}`)).toBe(true);
    expect(marked(JSON.stringify({ body }))).toBe(true);
    // A soft line break (`=` at a line's end) inside the stamp joins the lines.
    expect(marked(body.replace('=E7=A7=98', '=E7=\r\n=A7=98'))).toBe(true);
    expect(marked(qp('秘書室 Confidential'))).toBe(false);
  });

  it('an RFC 2047 Q encoded-word, `_` for a space, in the charset it names', () => {
    expect(marked(`=?UTF-8?Q?${qp('秘').replace(/ /g, '_')}_Confidential?=`)).toBe(true);
    expect(marked(`subject: =?utf-8?q?=E7=A7=98_Confidential?=`)).toBe(true);
    expect(marked(`=?Shift_JIS?Q?${pct(SJIS.stamp).replace(/%/g, '=')}_Confidential?=`)).toBe(true);
    expect(marked(`=?UTF-8?Q?=E7=A7=98=E6=9B=B8=E5=AE=A4_Confidential?=`)).toBe(false); // 秘書室
  });

  it('percent-escapes of a Shift_JIS or EUC-JP page, in a form body and a query', () => {
    expect(marked(`q=${pct(SJIS.stamp)}+Confidential`)).toBe(true);
    expect(marked(`q=${pct(EUC.stamp)}%20Confidential`)).toBe(true);
    expect(marked(`q=${pct(SJIS.trap)}+Confidential`)).toBe(false);
    expect(markedInUrl(`https://x.example/s?q=${pct(SJIS.stamp)}%20Confidential`, NONE)).not.toBeNull();
    expect(markedInUrl(`https://x.example/s?q=${encodeURIComponent(ISO.stamp)}`, NONE)).not.toBeNull();
    expect(markedInUrl(`https://x.example/s?q=${pct(EUC.trap)}%20Confidential`, NONE)).toBeNull();
  });

  it("JavaScript's escape() (%u79D8), in a form body and a JSON string", () => {
    expect(marked(`q=${escape('秘 Confidential')}`)).toBe(true);
    expect(marked(JSON.stringify({ q: escape('議事 秘 Confidential') }))).toBe(true);
    expect(marked(`q=${escape('秘書室 Confidential')}`)).toBe(false);
  });

  it('a text in none of these encodings gets no second reading', () => {
    for (const t of ['秘書室 Confidential', 'q=秘書', 'a=1&b=2', 'x=9f&y=ab', 'plain text']) expect(transcodedTexts(t), t).toEqual([]);
  });
});
