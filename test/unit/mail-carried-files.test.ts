import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// Files carried where only text was read (test/fixtures/mail/more/README.md says how each was made):
// each marked file beside its trap, made the same way with 秘書室 in place of the stamp.
const MORE = join(__dirname, '../fixtures/mail/more');
const more = (name: string) => scanBlob(new Blob([readFileSync(join(MORE, name))]), name);

describe('an HTML part is read as a .html file is (data: URLs, base64 parts)', () => {
  it.each([
    ['mht-datalink-stamp.mht', 'mht-datalink-trap.mht'], // Chromium's MHTML: <a download href="data:text/plain;base64,…">
    ['mht-svgbadge-stamp.mht', 'mht-svgbadge-trap.mht'], // <img src="data:image/svg+xml;base64,…">: SVG is text
    ['html-datalink-stamp.eml', 'html-datalink-trap.eml'], // Python's email, add_alternative(html)
    ['msg-html-datalink-stamp.msg', 'msg-html-datalink-trap.msg'], // Outlook .msg, PR_HTML
  ])('%s is marked; %s (秘書室) is clean', async (stamp, trap) => {
    expect(await more(stamp)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await more(trap)).toMatchObject({ verdict: 'clean' });
  });
});

describe('an inline text part whose bytes are a file (a wrong Content-Type, no name) is read as that file', () => {
  it.each([
    ['wrongtype-docx-as-text-plain-stamp.eml', 'wrongtype-docx-as-text-plain-trap.eml'],
    ['wrongtype-gz-as-text-html-stamp.eml', 'wrongtype-gz-as-text-html-trap.eml'],
  ])('%s is marked; %s (秘書室) is clean', async (stamp, trap) => {
    const v = await more(stamp);
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(v.verdict === 'marked' && v.location.path[0]).toBe('part 1.2');
    expect(await more(trap)).toMatchObject({ verdict: 'clean' });
  });

  it('a text that names a format (%PDF-1.7 in a sentence) is still text', async () => {
    const mail = 'From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\nThe header is %PDF-1.7; 秘書室\n';
    expect(await scanBlob(new Blob([mail]), 'x.eml')).toMatchObject({ verdict: 'clean' });
  });
});

describe('charset labels: a text attachment is read in its labelled charset too; Python\'s spellings are known', () => {
  it('a UTF-7 text attachment (its bytes look like ASCII) is marked; its trap is clean', async () => {
    expect(await more('charset-utf7-attachment-stamp.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await more('charset-utf7-attachment-trap.eml')).toMatchObject({ verdict: 'clean' });
  });

  it('a body labelled utf-16-le (Python) is decoded: clean, not unknown', async () => {
    expect(await more('charset-utf-16-le-label-trap.eml')).toMatchObject({ verdict: 'clean' });
    expect(await more('charset-utf-16-le-label-stamp.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['ISO-2022-JP-2', 'CP50221', 'x-windows-iso2022jp', 'SJIS-win', 'Shift_JIS-2004', 'eucJP-win', 'EUC-JISX0213', 'utf-8-sig'])(
    'a mail labelled %s (a Japanese mailer\'s name for its encoding\'s variant) is read in the base encoding: the trap clean (was unscannable: unknown charset), the stamp marked',
    async (label) => {
      expect(await more(`label-${label}-trap.eml`)).toMatchObject({ verdict: 'clean' });
      expect(await more(`label-${label}-stamp.eml`)).toMatchObject({ verdict: 'marked', rule: 1 });
    },
  );

  it('a subject and an attachment name in UTF-16 with a big-endian BOM are decoded by their BOM (they were read little-endian: clean)', async () => {
    const marked = await more('utf-16-be-bom-stamp.eml');
    expect(marked).toMatchObject({ verdict: 'marked' });
    expect(JSON.stringify(marked)).toMatch(/秘/);
    expect(await more('utf-16-be-bom-trap.eml')).toMatchObject({ verdict: 'clean' });
  });

  it('Internet Explorer\'s auto-select label (_autodetect_all) asks for detection: not an unknown charset', async () => {
    const mail = (w: string) => new TextEncoder().encode(`Subject: memo\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=_autodetect_all\r\n\r\n${w}\r\n`);
    expect(await scanBlob(new Blob([mail('秘書室より')]), 'x.eml')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob([mail('取扱 秘 Confidential')]), 'x.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe('a message saved as UTF-16 with a BOM (PowerShell 5.1 Out-File) is read as the message it is', () => {
  it('the stamped attachment is found; the trap is clean, not unscannable', async () => {
    expect(await more('utf16le-saved-stamp.eml')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['minutes.txt'] } });
    expect(await more('utf16le-saved-trap.eml')).toMatchObject({ verdict: 'clean' });
  });

  it('without its BOM too (the stamped attachment was clean: nothing of the message was found)', async () => {
    const noBom = readFileSync(join(MORE, 'utf16le-saved-stamp.eml')).subarray(2);
    expect(await scanBlob(new Blob([noBom]), 'x.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe('RFC 822 comments and quotes in structured fields (red team mail3 U2: clean mail was unscannable)', () => {
  const mail = (cte: string, charset: string, body: Uint8Array) =>
    new Blob([`From: a@example.jp\r\nSubject: memo\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${Buffer.from(body).toString('base64')}\r\n`]);
  const utf8 = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['a quoted transfer encoding', '"base64"', 'utf-8'],
    ['a comment after the transfer encoding', 'base64 (encoded by MailGW)', 'utf-8'],
    ['a comment after the charset', 'base64', 'UTF-8 (Unicode)'],
  ])('%s: the trap clean, the stamp marked', async (_, cte, charset) => {
    expect(await scanBlob(mail(cte, charset, utf8('秘書室より連絡\r\n')), 'x.eml')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(mail(cte, charset, utf8('取扱 秘 Confidential\r\n')), 'x.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});
