import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { hasEncodedFileLine } from '../../src/detect/extract/encoded-in-text.js';

// test/fixtures/text/encoded/make.sh: files encoded into a text after prose or uuenview's headers.
const DIR = join(__dirname, '../fixtures/text/encoded');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('a file encoded into a text after its first line is read', () => {
  it.each([
    ['uu-after-prose-stamp.txt', 'uu-after-prose-trap.txt'], // (echo prose; uuencode f f) > note.txt
    ['uu-m-after-prose-stamp.txt', 'uu-m-after-prose-trap.txt'], // uuencode -m: begin-base64
    ['uuenview-u1-stamp.001', 'uuenview-u1-trap.001'], // uuenview's `_=_ Part 001 of 001` lines first
    ['uuenview-b1-stamp.001', 'uuenview-b1-trap.001'], // the same, bare base64
    ['git-format-patch-utf16-stamp.patch', 'git-format-patch-utf16-trap.patch'], // GIT binary patch (base85 + zlib) in a mail
    ['git-diff-binary-utf16-stamp.diff', 'git-diff-binary-utf16-trap.diff'], // the same in a plain `git diff --binary`
  ])('%s is marked; %s (秘書室) is clean', async (stamp, trap) => {
    expect(await scan(stamp)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(trap)).toMatchObject({ verdict: 'clean' });
  });

  it.each([
    ['binhex-after-prose.txt', 'unsupported'], // BinHex after a line of prose: not decoded here
    ['uuenview-u3-part2-stamp.002', 'unsupported'], // one piece of a file split by uuenview -200
    ['uuenview-u3-part2-trap.002', 'unsupported'],
    ['uuenview-x1-stamp.001', 'corrupt'], // xxencode under a begin line: not uuencoding
  ])('%s is unscannable (%s), never clean', async (name, reason) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason });
  });

  it('a line that only starts like one is looked at, and stays clean', async () => {
    const text = '会議の議事録\nbegin the meeting at 10:00 秘書室\n';
    expect(hasEncodedFileLine(new TextEncoder().encode(text))).toBe(true);
    expect(await scanBlob(new Blob([text]), 'notes.txt')).toMatchObject({ verdict: 'clean' });
    expect(hasEncodedFileLine(new TextEncoder().encode('prose that says begin 644 x mid-line\n'))).toBe(false);
  });

  it('every marker is found at a line start anywhere in a long text (CRLF too), none in mid-line', () => {
    const log = 'GET /api/items 200 ok; the meeting began at 10:00 (room B) =x _y_ GIT\r\n'.repeat(20_000);
    const enc = (s: string) => new TextEncoder().encode(s);
    for (const marker of ['begin 644 x', 'begin-base64 644 x', '(This file must be converted with BinHex 4.0)', '=ybegin line=128', '_=_ Part 001 of 001 of file x', 'GIT binary patch']) {
      for (const at of [0, 7_001, 40_000, 79_999]) {
        const lines = log.split('\r\n');
        lines.splice(at, 0, marker);
        expect(hasEncodedFileLine(enc(lines.join('\r\n'))), `${marker} at line ${at}`).toBe(true);
      }
      expect(hasEncodedFileLine(enc(`${log}mid-line ${marker}\r\n`)), marker).toBe(false);
    }
  });

  it('an encoded file after a megabyte and a half of prose (its slices searched for 秘 and for it at once), with and without 秘 traps before it', async () => {
    const block = new Uint8Array(readFileSync(join(DIR, 'uu-after-prose-stamp.txt')));
    const trap = new Uint8Array(readFileSync(join(DIR, 'uu-after-prose-trap.txt')));
    for (const line of ['設計レビュー議事録 filler line\n', '秘密保持契約の写しは総務へ。社外秘の資料です\n']) {
      const filler = new TextEncoder().encode(line.repeat(Math.ceil(1_600_000 / Buffer.byteLength(line))));
      const scanOf = (tail: Uint8Array<ArrayBuffer>, name: string) => scanBlob(new Blob([filler, tail]), name);
      expect(await scanOf(block, 'long-stamp.txt'), line).toMatchObject({ verdict: 'marked', rule: 1 });
      expect(await scanOf(trap, 'long-trap.txt'), line).toMatchObject({ verdict: 'clean' });
    }
  });

  it('a text over 64 MiB with an encoded file in it is unscannable (it is not decoded), never clean', async () => {
    const filler = new TextEncoder().encode('設計レビュー議事録 filler line\n'.repeat(1_700_000));
    const block = new TextEncoder().encode('begin 644 notes.txt\n#YZ>8\n`\nend\n');
    const r = await scanBlob(new Blob([filler, filler, block]), 'big.txt');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  }, 30_000);

  it('a git binary delta (against a version the patch does not hold) is unscannable', async () => {
    const diff = 'diff --git a/x.bin b/x.bin\nindex 1..2 100644\nGIT binary patch\ndelta 14\nVcmZ?wba*bk$jQ%V00ASR1^@s6\n\n';
    expect(await scanBlob(new Blob([diff]), 'x.diff')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
});

describe('a message source pasted into a text: its base64 parts are decoded (red team mail3 #6)', () => {
  it('a helpdesk ticket quoting a mail whose body is base64: marked; its trap clean', async () => {
    expect(await scan('ticket-with-source-stamp.txt')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['(base64 part)'] } });
    expect(await scan('ticket-with-source-trap.txt')).toMatchObject({ verdict: 'clean' });
  });

  it('a part named by its headers is that member; a header line saved above the message (Outlook) does not hide it', async () => {
    const b64 = Buffer.from('区分: 秘 Confidential\n').toString('base64');
    const text = `Microsoft Mail Internet Headers Version 2.0\nSubject: memo\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; name="議事録.txt"\nContent-Disposition: attachment; filename="議事録.txt"\nContent-Transfer-Encoding: base64\n\n${b64}\n--b--\n`;
    expect(await scanBlob(new Blob([text]), 'headers.txt')).toMatchObject({ verdict: 'marked', location: { path: ['議事録.txt'] } });
  });
});

describe('a message source pasted into a text: its quoted-printable parts are decoded (red team mail5 Q1)', () => {
  // What python's email (policy.default) writes for a UTF-8 text with a long line: =XX escapes and soft breaks.
  const ticket = (qp: string, part = '') =>
    `お問い合わせ #1234\n以下のメールが届きました。\n\nFrom: a@example.com\nSubject: memo\nMIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n${part}Content-Transfer-Encoding: quoted-printable\n\n=E8=AD=B0=E4=BA=8B=E9=8C=B2\n${qp} Confi=\ndential\n\n対応をお願いします。\n`;
  it('a ticket quoting a mail whose body is quoted-printable: marked, named by its headers; 秘書室 clean', async () => {
    expect(await scanBlob(new Blob([ticket('=E7=A7=98')]), 'ticket.txt')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['(quoted-printable part)'] } });
    const named = ticket('=E7=A7=98', 'Content-Disposition: attachment; filename="memo.txt"\n');
    expect(await scanBlob(new Blob([named]), 'ticket.txt')).toMatchObject({ verdict: 'marked', location: { path: ['memo.txt'] } });
    expect(await scanBlob(new Blob([ticket('=E7=A7=98=E6=9B=B8=E5=AE=A4')]), 'ticket.txt')).toMatchObject({ verdict: 'clean' });
  });
});

describe('a CMS message pasted in PEM after other lines (red team mail3 #9)', () => {
  it('openssl smime -sign -outform PEM under a line of prose: what it signs is read; its trap clean', async () => {
    expect(await scan('smime-pem-after-prose-stamp.txt')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['(PKCS7 message)', '(signed content)'] } });
    expect(await scan('smime-pem-after-prose-trap.txt')).toMatchObject({ verdict: 'clean' });
  });

  it('openssl cms -data_create (data, not signed): marked; its trap clean', async () => {
    expect(await scan('cms-data-stamp.pem')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('cms-data-trap.pem')).toMatchObject({ verdict: 'clean' });
  });
});
