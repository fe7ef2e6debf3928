import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { sniff } from '../../src/detect/sniff.js';
import { describeLocation } from '../../src/detect/describe.js';
import { decodeBase64, decodeEncodedWords, decodeParams, decodeQuotedPrintable, splitParams } from '../../src/detect/extract/rfc2047.js';
import { mailKind, splitMultipart } from '../../src/detect/extract/mime.js';
import { decompressRtf } from '../../src/detect/extract/lzfu.js';
import { extractEml } from '../../src/detect/extract/eml.js';
import { separators } from '../../src/detect/extract/mbox.js';
import { collect } from '../support/extract.js';

const FIX = join(__dirname, '../fixtures/mail');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const scan = (n: string, data: Uint8Array = bytes(n)) => scanBlob(new Blob([data as Uint8Array<ArrayBuffer>]), n);

describe('mail fixtures (Python email, mutt, mpack, Chromium, oxmsg)', () => {
  it.each([
    ['subject-iso2022jp.eml', [], 'subject'],
    ['subject-sjis.eml', [], 'subject'],
    ['subject-utf8-q.eml', [], 'subject'],
    ['mutt-subject.eml', [], 'subject'],
    ['body-qp-utf8.eml', [], 'body'],
    ['body-b64-sjis.eml', [], 'body'],
    ['html-only.eml', [], 'body'],
    ['mht-marked.mht', [], 'body'],
    ['mht-shadow-open.mht', [], 'body'], // a web component's shadow root, saved by Chromium as <template shadowmode>
    ['mht-shadow-closed.mht', [], 'body'],
    ['attach-docx.eml', ['議事録.docx'], 'body'],
    ['attach-zip.eml', ['案件資料.zip', '見積仕様書.docx'], 'body'],
    ['mpack-zip.eml', ['過去資料.zip', '2023年度.zip', '引継ぎメモ.txt'], undefined],
    ['mutt-attach-hashes.eml', ['ioc-hashes.txt'], undefined], // a text attachment whose lines pass for base64
    ['forwarded.eml', ['message.eml'], 'body'],
    ['two-messages.mbox', ['(message 2).eml'], 'body'],
    ['msg-subject.msg', [], 'subject'],
    ['msg-body.msg', [], 'body'],
    ['msg-html.msg', [], 'body'],
    ['msg-rtf.msg', [], 'body'],
    ['msg-attach-docx.msg', ['議事録.docx'], 'body'],
    ['msg-embedded-bytes.msg', ['元のメール.msg'], 'body'],
  ])('%s is marked by the stamp at %j %s', async (name, path, area) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { path } });
    if (r.verdict === 'marked') expect(r.location.area).toBe(area);
  });

  it('the stamp in an embedded message storage (Outlook\'s form) is found and located in that message', async () => {
    const r = await scan('msg-embedded-storage.msg');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { path: [], part: '元のメール', area: 'body' } });
  });

  it.each(['attach-xlsx.eml', 'mutt-attach-xlsx.eml'])('%s: the stamp is on sheet Detail of the attachment 見積.xlsx', async (name) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', location: { path: ['見積.xlsx'], sheet: 'Detail', cell: 'E1' } });
    if (r.verdict === 'marked') expect(describeLocation(r.location, 'ja')).toBe('見積.xlsx のシート「Detail」のセル E1');
  });

  it.each([
    ['name-rfc2231.eml', '秘—見積.xlsx'],
    ['name-rfc2047.eml', '秘ー見積.xlsx'],
    ['mutt-name-rfc2231.eml', '秘—手順.txt'],
    ['msg-attach-name.msg', '秘—見積.xlsx'],
    // Saved as notes.txt; Outlook's attachment bar shows the display name, and the path it came from.
    ['msg-attach-display-name.msg', '秘—見積.xlsx'],
    ['msg-attach-pathname.msg', '秘—見積.xlsx'],
  ])('%s: rule 2 on the decoded attachment name %s', async (name, attachment) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, location: { path: [attachment] } });
  });

  it.each(['clean-traps.eml', 'clean.mbox', 'mutt-clean.eml', 'mht-clean.mht', 'mht-template-clean.mht', 'msg-clean.msg'])('%s (traps, clean attachments) is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it.each([
    ['bad-encoding.eml', /unknown transfer encoding x-gzip64/],
    ['bad-charset.eml', /unknown charset x-unknown-jp/],
    ['truncated.eml', /./],
  ])('%s is unscannable (%s), never clean', async (name, detail) => {
    const r = await scan(name);
    expect(r.verdict).toBe('unscannable');
    if (r.verdict === 'unscannable') expect(r.detail).toMatch(detail);
  });

  it('a truncated message says its closing boundary is missing', async () => {
    const items = await collect(extractEml, bytes('truncated.eml'));
    expect(items.some((x) => x.kind === 'unscannable' && /closing boundary is missing/.test(x.detail))).toBe(true);
  });

  // make-abiword-mht.sh (producer hunt hunt15): every web archive AbiWord writes ends so, and each was unscannable.
  it('AbiWord\'s web archive, closed by its delimiter with `--` on the next line, is whole: the stamp marked, the trap clean', async () => {
    expect(await scanBlob(new Blob([bytes('abiword-stamp.mht')]), 'abiword-stamp.mht')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([bytes('abiword-trap.mht')]), 'abiword-trap.mht')).toMatchObject({ verdict: 'clean' });
    const cut = bytes('abiword-trap.mht');
    expect(await scanBlob(new Blob([cut.subarray(0, cut.length - 60)]), 'cut.mht')).toMatchObject({ verdict: 'unscannable' });
  });

  it('a marked mail renamed without extension is still read as mail (sniffed by its header block)', async () => {
    expect(await sniff(new Blob([bytes('body-qp-utf8.eml')]), 'download')).toBe('eml');
    expect(await sniff(new Blob([bytes('mht-marked.mht')]), 'page.html')).toBe('mhtml');
    expect(await sniff(new Blob([bytes('two-messages.mbox')]), 'Inbox')).toBe('mbox');
    expect(await scanBlob(new Blob([bytes('forwarded.eml')]), 'download')).toMatchObject({ verdict: 'marked' });
  });

  it('locations read as words: メールの件名, 本文', async () => {
    const s = await scan('subject-iso2022jp.eml');
    const b = await scan('body-qp-utf8.eml');
    if (s.verdict !== 'marked' || b.verdict !== 'marked') throw new Error('expected marked');
    expect(describeLocation(s.location, 'ja')).toBe('メールの件名');
    expect(describeLocation(b.location, 'ja')).toBe('本文');
    expect(describeLocation(s.location, 'en')).toBe('mail subject');
  });
});

describe('hand-written structures a producer would not write', () => {
  const mail = (body: string, headers = 'From: a@example.com\r\nSubject: x\r\n') => new TextEncoder().encode(headers + '\r\n' + body);
  it('an attachment whose content is a mail with the stamp, inside a multipart/digest', async () => {
    const m = mail('--b\r\n\r\nFrom: c@example.com\r\nSubject: y\r\n\r\n秘 Confidential\r\n--b--\r\n', 'From: a@example.com\r\nContent-Type: multipart/digest; boundary=b\r\n');
    expect(await scan('digest.eml', m)).toMatchObject({ verdict: 'marked', location: { path: ['message.eml'] } });
  });
  it('an attachment named twice (filename="notes.txt", name="秘—計画.txt") is marked by either name: clients differ in which they show', async () => {
    const part = (type: string, disposition: string) =>
      mail(`--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: ${type}\r\nContent-Disposition: ${disposition}\r\nContent-Transfer-Encoding: base64\r\n\r\nbWVldGluZyBub3Rlcwo=\r\n--b--\r\n`, 'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n');
    const encoded = `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode('秘—計画.txt')))}?=`;
    expect(await scan('two.eml', part(`text/plain; name="${encoded}"`, 'attachment; filename="notes.txt"'))).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—計画.txt'] } });
    expect(await scan('two.eml', part('text/plain; name="notes.txt"', `attachment; filename="${encoded}"`))).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('two.eml', part('text/plain; name="議事録.txt"', 'attachment; filename="notes.txt"'))).toMatchObject({ verdict: 'clean' });
  });
  it('a base64 body whose Content-Transfer-Encoding header was lost is still decoded', async () => {
    const b64 = btoa(String.fromCharCode(...new TextEncoder().encode('本文です。'.repeat(8) + '秘 Confidential' + '。'.repeat(30))));
    const body = b64.replace(/(.{76})/g, '$1\r\n');
    expect(await scan('lost-cte.eml', mail(body))).toMatchObject({ verdict: 'marked' });
  });
  it('text in the preamble and epilogue is read; a multipart without boundary is unscannable', async () => {
    const pre = mail('秘 Confidential\r\n--b\r\n\r\nx\r\n--b--\r\n', 'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n');
    expect(await scan('pre.eml', pre)).toMatchObject({ verdict: 'marked' });
    const nob = mail('--b\r\n\r\nx\r\n--b--\r\n', 'From: a@example.com\r\nContent-Type: multipart/mixed\r\n');
    expect(await scan('nob.eml', nob)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('damaged base64 in an attachment is unscannable', async () => {
    const m = mail('--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBER!!!i0xLjQK\r\n--b--\r\n', 'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n');
    expect(await scan('bad64.eml', m)).toMatchObject({ verdict: 'unscannable', detail: expect.stringMatching(/damaged base64/) });
  });
  it('multipart nested past the limit is unscannable, not clean', async () => {
    let body = 'x';
    for (let i = 40; i > 0; i--) body = `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}\r\n\r\n${body}\r\n--b${i}--\r\n`;
    const m = mail(body, 'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b1\r\n');
    expect(await scan('deep.eml', m)).toMatchObject({ verdict: 'unscannable', reason: 'too-deep' });
  });
  it('an attachment name with folders (raw UTF-8 in the header) keeps its base name for rule 2', async () => {
    const m = mail('--b\r\nContent-Disposition: attachment; filename="..\\..\\秘—x.txt"\r\n\r\nhi\r\n--b--\r\n', 'From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n');
    expect(await scan('hostile.eml', m)).toMatchObject({ verdict: 'marked', rule: 2 });
  });
});

describe('uuencoded files (old clients, newsreaders)', () => {
  const docx = new Uint8Array(readFileSync(join(__dirname, '../fixtures/office/writer-comment.docx')));
  /** `begin 644 name` … `end`, 45 bytes a line, as uuencode(1) writes it. */
  const uuencode = (name: string, data: Uint8Array): string => {
    const ch = (v: number) => String.fromCharCode(v === 0 ? 96 : v + 32);
    let out = `begin 644 ${name}\r\n`;
    for (let i = 0; i < data.length; i += 45) {
      const line = data.subarray(i, i + 45);
      out += ch(line.length);
      for (let k = 0; k < line.length; k += 3) {
        const v = (line[k] << 16) | ((line[k + 1] ?? 0) << 8) | (line[k + 2] ?? 0);
        out += ch((v >> 18) & 63) + ch((v >> 12) & 63) + ch((v >> 6) & 63) + ch(v & 63);
      }
      out += '\r\n';
    }
    return out + '`\r\nend\r\n';
  };
  const mail = (body: string, headers = '') => new TextEncoder().encode(`Subject: =?UTF-8?B?6LOH5paZ?=\r\n${headers}\r\nお送りします。\r\n${body}`);

  it('a document uuencoded into the text is an attachment, read whole (the lines pass for quoted-printable: not decoded as such)', async () => {
    expect(await scan('uu.eml', mail(uuencode('議事録.docx', docx)))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['議事録.docx'] } });
    expect(await scan('uu.eml', mail(uuencode('秘—議事録.txt', new TextEncoder().encode('clean'))))).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('uu.eml', mail(uuencode('memo.txt', new TextEncoder().encode('nothing here'))))).toMatchObject({ verdict: 'clean' });
  });
  it('Content-Transfer-Encoding x-uuencode is decoded', async () => {
    expect(await scan('uu.eml', mail(uuencode('議事録.docx', docx), 'Content-Type: application/octet-stream; name=a.docx\r\nContent-Transfer-Encoding: x-uuencode\r\n'))).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('a block cut short is unscannable, never clean', async () => {
    const cut = uuencode('議事録.docx', docx).slice(0, 2000);
    expect(await scan('uu.eml', mail(cut))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  // GNU sharutils `uuencode -m` (test/fixtures/mail/make-uu.sh): begin-base64 … ====.
  const fixture = (n: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures/mail', n)));
  it('the base64 form (begin-base64 … ====) is decoded: the docx is read, the clean memo is clean', async () => {
    expect(await scan('uu.eml', fixture('uu-base64-docx.eml'))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['議事録.docx'], area: 'comments' } });
    expect(await scan('uu.eml', fixture('uu-base64-memo.eml'))).toMatchObject({ verdict: 'clean' });
    const named = new TextDecoder().decode(fixture('uu-base64-memo.eml')).replace('begin-base64 644 memo.txt', 'begin-base64 644 秘—memo.txt');
    expect(await scan('uu.eml', new TextEncoder().encode(named))).toMatchObject({ verdict: 'marked', rule: 2 });
  });
  it('the base64 form cut before its ==== line, or with a line that is not base64, is unscannable', async () => {
    const text = new TextDecoder().decode(fixture('uu-base64-docx.eml'));
    expect(await scan('uu.eml', new TextEncoder().encode(text.replace('====', '')))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const lines = text.split('\n');
    lines[12] = lines[12].slice(0, 20) + '!' + lines[12].slice(21);
    expect(await scan('uu.eml', new TextEncoder().encode(lines.join('\n')))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('past 64 blocks in one text the rest are unread: unscannable, not clean', async () => {
    const memo = (n: number) => Array.from({ length: n }, (_, i) => uuencode(`memo${i}.txt`, new TextEncoder().encode('nothing here'))).join('');
    expect(await scan('uu.eml', mail(memo(64)))).toMatchObject({ verdict: 'clean' });
    expect(await scan('uu.eml', mail(memo(65)))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('Content-Transfer-Encoding x-uuencode holding the base64 form is decoded', async () => {
    const block = new TextDecoder().decode(fixture('uu-base64-docx.eml')).split(/お送りします。\r?\n/)[1];
    expect(await scan('uu.eml', mail(block, 'Content-Type: application/octet-stream; name=a.docx\r\nContent-Transfer-Encoding: x-uuencode\r\n'))).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe('mailboxes and wrappers', () => {
  it('an unescaped `From ` line inside a body does not split the message; a real separator does', async () => {
    const box = 'From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: one\n\nline\n\nFrom here on, 秘\nConfidential\n\nFrom b@c Mon Jan  1 00:00:00 2024\nFrom: b@c\nSubject: two\n\nhi\n';
    expect(separators(new TextEncoder().encode(box), () => {})).toHaveLength(2);
    expect(await scan('box.mbox', new TextEncoder().encode(box))).toMatchObject({ verdict: 'marked', location: { path: ['(message 1).eml'] } });
  });
  it('mboxcl2: a body framed by Content-Length is read whole, though it holds an unescaped From line (mutt reads it so)', async () => {
    // Solaris mailx and qmail write such boxes; Python and Thunderbird split at the line, and read the rest as a message of its own.
    const body = (qp: string) => `see below\n\nFrom the report Mon Dec  1 10:00:00 2025\nX-Note: pasted\n\n${qp} Confidential\n`;
    const message = (b: string, length = new TextEncoder().encode(b).length) =>
      `From a@b Mon Dec  1 10:00:00 2025\nFrom: a@b\nSubject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\nContent-Length: ${length}\n\n${b}\n`;
    const first = 'From a@b Mon Dec  1 09:00:00 2025\nFrom: a@b\nSubject: hello\nContent-Length: 3\n\nhi\n\n';
    const box = (qp: string, length?: number) => new TextEncoder().encode(first + message(body(qp), length));
    expect(await scan('box.mbox', box('=E7=A7=98'))).toMatchObject({ verdict: 'marked', location: { path: ['(message 2 by Content-Length).eml'] } });
    expect(await scan('box.mbox', box('=E7=A7=98=E6=9B=B8=E5=AE=A4'))).toMatchObject({ verdict: 'clean' }); // 秘書室
    // A stale length (the body was edited after) frames nothing: the box is read as split.
    expect(await scan('box.mbox', box('=E7=A7=98', 40))).toMatchObject({ verdict: 'clean' });
  });
  it('a winmail.dat (TNEF) attachment cut short is unscannable, and located', async () => {
    const tnef = Uint8Array.of(0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00, 0x01, 0x06, 0x90, 0x08, 0x00);
    const b64 = btoa(String.fromCharCode(...tnef));
    const m = `From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`;
    expect(await scan('tnef.eml', new TextEncoder().encode(m))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', location: { path: ['winmail.dat'] } });
  });
});

describe('RFC 2047 / 2231 / transfer encodings', () => {
  it('joins adjacent encoded words (split ISO-2022-JP and UTF-8 sequences) and drops the space between them', () => {
    const word = (s: string) => `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode(s)))}?=`;
    const bytes = new TextEncoder().encode('秘 Confidential');
    const a = `=?UTF-8?B?${btoa(String.fromCharCode(...bytes.subarray(0, 2)))}?=`;
    const b = `=?UTF-8?B?${btoa(String.fromCharCode(...bytes.subarray(2)))}?=`;
    expect(decodeEncodedWords(`${a} ${b}`).text).toBe('秘 Confidential');
    expect(decodeEncodedWords(`Re: ${word('見積')} (2)`).text).toBe('Re: 見積 (2)');
    expect(decodeEncodedWords('=?shift_jis?Q?=94=E9_Confidential?=').text).toBe('秘 Confidential');
    expect(decodeEncodedWords('=?euc-jp?B?yOs=?=').text).toBe('秘');
  });
  it('a message with CR-only line ends (classic Mac OS mailers) is read as Python reads it (was cut short in its header block: unscannable) (red team mail4, mail5 C1)', async () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const mail = (name: string, text: string) =>
      new TextEncoder().encode(
        `From: a@example.com\nSubject: plan\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename="${name}"\nContent-Transfer-Encoding: base64\n\n${b64(text)}\n--b--\n`.replace(/\n/g, '\r'),
      );
    expect(await scan('x.eml', mail('plan.txt', '議事録\n秘 Confidential\n'))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['plan.txt'] } });
    expect(await scan('x.eml', mail('秘—計画.txt', 'hello'))).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('x.eml', mail('plan.txt', '秘書室\nConfidential\n'))).toMatchObject({ verdict: 'clean' });
  });
  it('an encoded word with blanks inside is read as Python reads it (was a malformed word: unscannable) (red team mail4, mail5 E1)', async () => {
    expect(decodeEncodedWords('=?UTF-8?Q?=E7=A7=98 Confidential?=')).toEqual({ text: '秘 Confidential', problems: [] });
    expect(decodeEncodedWords('=?UTF-8?B?56eY IENvbmZpZGVudGlhbA==?=')).toEqual({ text: '秘 Confidential', problems: [] });
    const mail = (subject: string) => new TextEncoder().encode(`From: a@example.com\nSubject: ${subject}\nContent-Type: text/plain\n\nhello\n`);
    expect(await scan('x.eml', mail('=?UTF-8?Q?=E7=A7=98 Confidential?='))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('x.eml', mail('=?UTF-8?Q?=E7=A7=98=E6=9B=B8=E5=AE=A4 Confidential?='))).toMatchObject({ verdict: 'clean' }); // 秘書室
  });
  it('a UTF-32 body (charset=utf-32, utf-32le, utf-32be), which Python decodes, is read (was an unknown charset: unscannable) (red team mail5 U1)', async () => {
    const utf32 = (t: string, le: boolean, bom: boolean) => {
      const cps = [...(bom ? [0xfeff] : []), ...Array.from(t, (c) => c.codePointAt(0)!)];
      const b = new Uint8Array(cps.length * 4);
      cps.forEach((cp, i) => new DataView(b.buffer).setUint32(i * 4, cp, le));
      return Buffer.from(b).toString('base64');
    };
    const mail = (cs: string, body: string) => new TextEncoder().encode(`From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=${cs}\nContent-Transfer-Encoding: base64\n\n${body}\n`);
    for (const [cs, le, bom] of [['utf-32', true, true], ['utf-32', false, true], ['UTF-32LE', true, false], ['utf-32be', false, false]] as const) {
      expect(await scan('x.eml', mail(cs, utf32('議事録\n秘 Confidential\n', le, bom))), cs).toMatchObject({ verdict: 'marked', rule: 1 });
      expect(await scan('x.eml', mail(cs, utf32('秘書室\nConfidential\n', le, bom))), cs).toMatchObject({ verdict: 'clean' });
    }
  });
  it('message/partial in one piece (number=1, total=1) is the whole message, read as Python reads it; a piece of several stays unscannable (red team mail5 M1)', async () => {
    const inner = (text: string) => `Subject: part\nContent-Type: text/plain; charset=utf-8\n\n${text}\n`;
    const mail = (params: string, text: string) => new TextEncoder().encode(`From: a@example.com\nSubject: x\nMIME-Version: 1.0\nContent-Type: message/partial; id="abc@example.com"; ${params}\n\n${inner(text)}`);
    expect(await scan('x.eml', mail('number=1; total=1', '議事録\n秘 Confidential'))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['message.eml'] } });
    expect(await scan('x.eml', mail('number=1; total=1', '秘書室\nConfidential'))).toMatchObject({ verdict: 'clean' });
    expect(await scan('x.eml', mail('number=1; total=2', '議事録'))).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
  it('reports unknown charsets and malformed words instead of hiding them', () => {
    expect(decodeEncodedWords('=?x-klingon?B?AAAA?=').problems).toEqual(['unknown charset x-klingon']);
    expect(decodeEncodedWords('=?utf-8?B?broken').problems).toEqual(['malformed encoded word']);
  });
  it('RFC 2231 continuations with charset and language, and RFC 2047 inside a quoted name', () => {
    const { params } = decodeParams(splitParams(`attachment; filename*0*=iso-2022-jp'ja'%1B$BHk%1B%28B; filename*1="-x.txt"`).params);
    expect(params.get('filename')).toBe('秘-x.txt');
    const utf8 = decodeParams(splitParams(`attachment; filename*0*=UTF-8''%E7%A7%98; filename*1*=%E2%80%94x.xlsx`).params).params;
    expect(utf8.get('filename')).toBe('秘—x.xlsx');
    const q = decodeParams(splitParams('attachment; filename="=?UTF-8?B?56eY4oCUeC54bHN4?="').params).params;
    expect(q.get('filename')).toBe('秘—x.xlsx');
  });
  it('base64 flags damage; quoted-printable decodes soft breaks', () => {
    expect(decodeBase64('5qiZ\r\n5rqW').bad).toBe(false);
    expect(decodeBase64('5qiZ5').bad).toBe(true);
    expect(decodeBase64('5q*iZ').bad).toBe(true);
    expect(new TextDecoder().decode(decodeQuotedPrintable('=E7=A7=\r\n=98 Conf=\nidential').bytes)).toBe('秘 Confidential');
  });
  it('a boundary that only begins another line is not a delimiter', () => {
    const mp = splitMultipart(new TextEncoder().encode('--ab\r\none\r\n--abc\r\nstill one\r\n--ab--\r\n'), 'ab', () => {});
    expect(mp.parts.map((p) => new TextDecoder().decode(p))).toEqual(['one\r\n--abc\r\nstill one']);
    expect(mp.closed).toBe(true);
  });
  it('mailKind tells mail from text that merely has colons', () => {
    expect(mailKind('Received: from x\r\nFrom: a\r\nSubject: b\r\n\r\nbody')).toBe('eml');
    expect(mailKind('name: upload-guard\nversion: 1\n')).toBeNull();
    expect(mailKind('From a@b Mon Jan  1 00:00:00 2024\nFrom: a\nSubject: x\n\n')).toBe('mbox');
  });
});

describe('compressed RTF (MS-OXRTFCP)', () => {
  it('decodes the example of the specification', () => {
    // MS-OXRTFCP 3.1.1: "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n", compressed.
    const hex =
      '2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0';
    const b = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    const r = decompressRtf(b);
    expect(r.problem).toBeUndefined();
    expect(new TextDecoder().decode(r.rtf)).toBe('{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n');
  });
  it('a damaged stream is reported, never silently short', () => {
    const hex = '2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0';
    const b = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    b[30] ^= 0x20;
    expect(decompressRtf(b).problem).toMatch(/CRC/);
    expect(decompressRtf(b.subarray(0, 20)).problem).toMatch(/cut short/);
  });
});

describe("Apple Mail's .emlx (a length line, the message, Apple's property list)", () => {
  const emlx = (message: Uint8Array, trailer = '<?xml version="1.0"?>\n<plist version="1.0"><dict><key>flags</key><integer>8590195713</integer></dict></plist>\n') =>
    new Uint8Array([...new TextEncoder().encode(`${message.length}\n`), ...message, ...new TextEncoder().encode(trailer)]);

  it.each(['body-b64-sjis.eml', 'attach-docx.eml', 'subject-iso2022jp.eml'])('%s wrapped as .emlx is read as the message (it was text: base64 unread)', async (name) => {
    const inner = await scan(name);
    expect(inner.verdict).toBe('marked');
    expect(await scan(name.replace(/\.eml$/, '.emlx'), emlx(bytes(name)))).toMatchObject({ verdict: 'marked', format: 'emlx', location: inner.verdict === 'marked' ? inner.location : {} });
  });

  it('a clean message stays clean; one shorter than its length line is damaged, not clean', async () => {
    expect(await scan('clean.emlx', emlx(bytes('clean-traps.eml')))).toMatchObject({ verdict: 'clean', format: 'emlx' });
    const whole = emlx(bytes('clean-traps.eml'), '');
    expect(await scan('cut.emlx', whole.subarray(0, whole.length - 40))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('more mail formats (test/fixtures/mail/more): MMDF and Babyl mailboxes, an inline invitation, a flowed quote', () => {
  const more = (name: string) => scanBlob(new Blob([readFileSync(join(FIX, 'more', name))]), name);
  it.each([
    ['mutt-mmdf-sent', ['(message 2).eml', 'minutes.docx']],
    ['python-mailbox.mmdf', ['(message 2).eml']],
    ['python-mailbox.babyl', ['(message 2).eml']],
    ['python-invite-folded.eml', ['invite.ics']],
    ['flowed-quoted-reply.eml', []],
    ['subject-pdf-string.eml', []],
    ['nodemailer-rfc822-noext.eml', ['original.eml']],
    ['text-enriched.eml', []],
    ['bounce-returned-headers.eml', []],
  ])('%s → marked, at %j', async (name, path) => {
    const v = await more(name);
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(v.verdict === 'marked' && v.location.path).toEqual(path);
  });

  it('an attachment name cut into encoded words across RFC 2231 continuations is decoded once joined', async () => {
    expect(await more('name-2047-in-2231.eml')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—見積書.xlsx'] } });
  });

  it('a body whose charset label does not fit its bytes is also read in the encoding its bytes are in', async () => {
    for (const name of ['mislabeled-sjis-as-iso2022jp.eml', 'mislabeled-sjis-as-utf8.eml', 'mislabeled-utf8-as-usascii.eml', 'mislabeled-utf8-as-latin1.eml']) {
      expect(await more(name), name).toMatchObject({ verdict: 'marked', rule: 1 });
    }
    expect(await more('mislabeled-traps-sjis-as-utf8.eml')).toMatchObject({ verdict: 'clean' });
    // A Hangul filler between the words (a blank that normalisation removes) does not hide the stamp in a body either.
    const mail = 'From: a@example.com\nTo: b@example.com\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n取扱：秘\u3164Confidential\n';
    expect(await scanBlob(new Blob([mail]), 'x.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['perl', 'php', 'python', 'mutt'])('%s: an ISO-2022-JP subject split between 秘 and an ideographic space is read as one text, as mail readers show it', async (by) => {
    // One encoded word ends `ESC ( B`, the next starts `ESC $ B`: joined, the two escapes in a row were read as U+FFFD.
    expect(await more(`jis-split-${by}-stamp.eml`)).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'subject' } });
    expect(await more(`jis-split-${by}-trap.eml`)).toMatchObject({ verdict: 'clean' });
  });

  it('an ISO-2022-JP body or text encoded piece by piece (an escape sequence right after another) is read as nkf reads it', async () => {
    const jis = (s: string) => s.replace(/秘/g, '\x1b$BHk\x1b(B').replace(/\u3000/g, '\x1b$B!!\x1b(B').replace(/室/g, '\x1b$B<<\x1b(B');
    const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    for (const [text, verdict] of [['秘\u3000Confidential', 'marked'], ['秘室\u3000Confidential', 'clean']] as const) {
      const mail = `Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n\n${jis(text)}\n`;
      expect(await scanBlob(new Blob([bytesOf(mail)]), 'x.eml'), text).toMatchObject({ verdict });
      expect(await scanBlob(new Blob([bytesOf(`Subject: x\n\n${jis(text)}\n`)]), 'y.eml'), text).toMatchObject({ verdict });
      expect(await scanBlob(new Blob([bytesOf(`${jis(text)}\n`)]), 'z.txt'), text).toMatchObject({ verdict });
    }
  });

  it('an unencoded Shift_JIS name whose only double-byte character is its dash (「C－budget.csv」) keeps the dash', async () => {
    // 43 81 7C… also passed for EUC-JP (Node's decoder reads 0x81 as a C1 control), which the detection preferred.
    expect(await more('sjis-raw-name-stamp.eml')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['C－budget.csv'] } });
    expect(await more('sjis-raw-name-trap.eml')).toMatchObject({ verdict: 'clean' });
  });

  it('a message saved with an mbox `From ` line first (formail -c) is read past it: the trap is clean, not damaged', async () => {
    expect(await more('formail-from-line-stamp.eml')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'body' } });
    expect(await more('formail-from-line-trap.eml')).toMatchObject({ verdict: 'clean' });
  });

  it('a mailbox saved under a message name (two `From ` lines, .eml) is read as the mailbox: the second message counts', async () => {
    expect(await more('formail-two-stamp.eml')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['(message 2).eml'], area: 'subject' } });
    expect(await more('formail-two-trap.eml')).toMatchObject({ verdict: 'clean' });
    // With CR-only line ends (read as LF here), as .mbox or .eml: the mailbox is read once, not again and again.
    const cr = (name: string) => new Blob([readFileSync(join(FIX, 'more', name)).toString('latin1').replace(/\n/g, '\r')].map((t) => Buffer.from(t, 'latin1')));
    for (const as of ['two.mbox', 'two.eml']) {
      const v = await scanBlob(cr('formail-two-stamp.eml'), as);
      expect(v, as).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'subject' } });
      expect(v.verdict === 'marked' && v.location.path.at(-1), as).toBe('(message 2).eml');
      expect(await scanBlob(cr('formail-two-trap.eml'), as), as).toMatchObject({ verdict: 'clean' });
    }
  });

  it('a mail whose subject says %PDF-1.7 is a mail: clean when its body is', async () => {
    expect(await more('subject-pdf-string-clean.eml')).toMatchObject({ verdict: 'clean', format: 'eml' });
  });
});
