// Damaged copies of marked mail fixtures that were `clean` (scripts/mutants.ts, seed 424242): the damage is
// written here where it struck; Python's email module reports each (a defect), and none is clean now.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const fixture = (path: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
const scan = (b: Uint8Array, name = 'x.eml') => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name);
/** `b` with bytes replaced: [offset, the byte there, the byte written]; the old byte is checked. */
const edit = (b: Uint8Array, edits: [number, string, number][]): Uint8Array => {
  const out = b.slice();
  for (const [at, was, now] of edits) {
    expect(String.fromCharCode(out[at])).toBe(was);
    out[at] = now;
  }
  return out;
};

describe('mail damage that was read as clean', () => {
  it('a field name damaged in the header block (Python: MissingHeaderBodySeparatorDefect), the base64 body then unread: unscannable', async () => {
    // The T of Content-Transfer-Encoding and a base64 character altered: the body was read as the text it is not.
    const b = fixture('mail/more/label-utf-8-sig-stamp.eml');
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    expect(await scan(edit(b, [[149, 'T', 0xab], [178, '5', 0xca]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('no header field') });
  });

  it('the first two field names damaged: not a message that starts with its text, since known fields follow (seed 7373)', async () => {
    // Keywords: and X-Classification: lost a byte each (and a line end further down): the block was read as
    // body, the stamp in their encoded words unread.
    const b = fixture('mail/round4/headers-apart-stamp.eml');
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    expect(await scan(edit(b, [[1, 'e', 0x9a], [9, ' ', 0xdf], [38, 'l', 0x93], [44, 'i', 0x96], [66, 'Y', 0xa6], [132, 'e', 0x9a], [178, '\n', 0xf5], [179, 'C', 0xbc]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it("a damaged field name in a part's own header block is said too", async () => {
    const b = fixture('mail/mpack-zip.eml');
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    const out = await scan(edit(b, [[324, 't', 0x8b], [334, ';', 0xc4], [384, 'g', 0x98], [405, 'p', 0x8f], [580, 'A', 0xbe], [649, 'O', 0xb0], [689, '+', 0xd4], [729, 'Q', 0xae]]));
    expect(out).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('a byte altered in the top Content-Type (multipart/mix\\x9ad), a part boundary line and field names damaged too: unscannable, not clean (mut4)', async () => {
    // Python reads multipart/mix\x9ad as a multipart (its major type) and reports the parts' damaged field names;
    // the whole message was read as text/plain, the TNEF part's base64 and its RTF stamp unread.
    const b = fixture('tnef/mail-rtf-body-stamp.eml');
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    const damaged = edit(b, [[32, 'e', 0x9a], [102, 'e', 0x9a], [137, 'T', 0xab], [194, '\n', 0xf5], [324, 'E', 0xba], [592, 'x', 0x87], [604, 'F', 0xb9], [696, 'O', 0xb0]]);
    expect(await scan(damaged)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('Content-Type') });
    // The subtype alone damaged: the parts are still split and read (the stamp found).
    expect(await scan(edit(b, [[102, 'e', 0x9a]]))).toMatchObject({ verdict: 'marked' });
    // A trap beside it: the same damage over a message whose text is 秘書室 and Confidential apart is not marked.
    const trap = new TextEncoder().encode('Subject: memo\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BB"\n\n--BB\nContent-Type: text/plain\n\n秘書室 Confidential\n--BB--\n');
    const at = trap.indexOf(0x78); // the x of mixed
    expect(await scan(trap)).toMatchObject({ verdict: 'clean' });
    expect(await scan(edit(trap, [[at, 'x', 0x9a]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it("a part whose only field's name lost a byte (Content-Transfer-Encodin\\xe7:) is a damaged header block, not a part that starts with its text (mut4)", async () => {
    // Python: MissingHeaderBodySeparatorDefect. The base64 body was read as the text it is not: clean.
    const mail = (head: string, body: string) => {
      const enc = (t: string) => Buffer.from(t, 'latin1');
      const b64 = Buffer.from(body).toString('base64').replace(/.{1,76}/g, '$&\r\n');
      return new Uint8Array(Buffer.concat([enc('From: a@example.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BB"\r\n\r\n--BB\r\n'), enc(head), enc('\r\n\r\n' + b64 + '--BB--\r\n')]));
    };
    expect(await scan(mail('Content-Transfer-Encoding: base64', '社内資料\n秘 Confidential\n'))).toMatchObject({ verdict: 'marked' });
    expect(await scan(mail('Content-Transfer-Encodin\xe7: base64', '社内資料\n秘 Confidential\n'))).toMatchObject({ verdict: 'marked' });
    // Traps beside it: 秘書室 under the same damage is said damaged, not marked; a part that does start with its
    // text, a Japanese word and a colon, is still read as text.
    expect(await scan(mail('Content-Transfer-Encodin\xe7: base64', '秘書室 Confidential\n'))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const text = new TextEncoder().encode('From: a@example.jp\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BB"\n\n--BB\n備考: 秘書室 Confidential\n\nmemo\n--BB--\n');
    expect(await scan(text)).toMatchObject({ verdict: 'clean' });
  });

  it('512 zeros over a quoted-printable body (no NUL run is text): unscannable; UTF-16 sent as 8bit (Python) stays clean', async () => {
    const b = fixture('mail/body-qp-utf8.eml');
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    const zeroed = b.slice();
    zeroed.fill(0, 705, 705 + 512);
    expect(await scan(zeroed)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('NUL') });
    const head = new TextEncoder().encode('Subject: memo\nContent-Type: text/plain; charset="utf-16"\nContent-Transfer-Encoding: 8bit\nMIME-Version: 1.0\n\n');
    const body = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Uint16Array.from('秘書室 Confidential\n\0\0\n', (c) => c.charCodeAt(0)).buffer)]);
    expect(await scan(new Uint8Array([...head, ...body]))).toMatchObject({ verdict: 'clean' });
  });

  it('a photo with a 7z after it, one base64 character altered in the middle: decoded whole and said damaged, not taken for a picture', async () => {
    // Only the photo's head was decoded: the damage shifted the 7z after it out of sight, and the mail was clean.
    const b = fixture('pictures/photo-7z-appended-python.eml');
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    expect(await scan(edit(b, [[11864, 'N', 0x0e]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('base64') });
  });
});
