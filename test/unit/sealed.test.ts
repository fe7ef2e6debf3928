/**
 * Encrypted and signed envelopes (test/fixtures/sealed, made with GnuPG and OpenSSL): an encrypted file
 * is never clean, and a signed one is read through to what it signs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { envelopeOf } from '../../src/detect/extract/sealed.js';
import { zip } from '../support/zip-build.js';

const DIR = join(__dirname, '../fixtures/sealed');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);

describe('encrypted files are unscannable, never clean', () => {
  it.each(['gpg-symmetric.gpg', 'gpg-symmetric.asc', 'openssl-enc.bin', 'openssl-enc.txt', 'cms-enveloped.p7m', 'cms-enveloped-pem.p7m'])('%s', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason: 'encrypted', format: 'sealed' });
  });

  it.each(['gpg-signed.asc', 'gpg-signed.gpg', 'gpg-signed-zlib.gpg', 'gpg-signed-bzip2.gpg', 'gpg-store.gpg'])('%s: an OpenPGP message signed or stored, not encrypted, is read as gpg -d reads it (red team mail4, mail5 P1)', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['marked.txt'] } });
  });

  it('a signed clean text is clean (read); a signed file keeps its name, which rule 2 reads', async () => {
    expect(await scan('gpg-signed-clean.asc')).toMatchObject({ verdict: 'clean' });
    expect(await scan('gpg-signed-named.gpg')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—設計書.txt'] } });
  });

  it('in a mail body: a signed message is read, an encrypted one is unscannable (encrypted), one cut short corrupt', async () => {
    const mail = (body: string) => new Blob([`From: a@example.com\nSubject: x\nContent-Type: text/plain\n\nこんにちは。\n\n${body}\n`]);
    const text = (name: string) => new TextDecoder().decode(bytes(name));
    expect(await scanBlob(mail(text('gpg-signed.asc')), 'x.eml')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['marked.txt'] } });
    expect(await scanBlob(mail(text('gpg-signed-clean.asc')), 'x.eml')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(mail(text('gpg-symmetric.asc')), 'x.eml')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
    expect(await scanBlob(mail(text('gpg-signed.asc').slice(0, 120)), 'x.eml')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('in a text after prose (a note with a message pasted): a signed one is read, an encrypted one is unscannable (was clean)', async () => {
    const note = (name: string) => new Blob([`メモです。\n以下、受け取ったメッセージ:\n\n${new TextDecoder().decode(bytes(name))}`]);
    expect(await scanBlob(note('gpg-signed.asc'), 'note.txt')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['marked.txt'] } });
    expect(await scanBlob(note('gpg-signed-clean.asc'), 'note.txt')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(note('gpg-symmetric.asc'), 'note.txt')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });

  it('a damaged signed message is unscannable (corrupt), its bytes searched first', async () => {
    const b = bytes('gpg-store.gpg');
    expect(await scanBlob(new Blob([b.subarray(0, b.length - 20)]), 'x.gpg')).toMatchObject({ verdict: 'marked', rule: 1 });
    const signed = bytes('gpg-signed.gpg');
    expect(await scanBlob(new Blob([signed.subarray(0, 40)]), 'x.gpg')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('age, binary and armored', async () => {
    const header = 'age-encryption.org/v1\n-> X25519 dGVzdA\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo\n--- aGVsbG8\n';
    const age = new Uint8Array([...new TextEncoder().encode(header), ...crypto.getRandomValues(new Uint8Array(64))]);
    expect(await scanBlob(new Blob([age]), '設計書.txt.age')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
    const armored = '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSB0ZXN0Cg==\n-----END AGE ENCRYPTED FILE-----\n';
    expect(await scanBlob(new Blob([armored]), 'x.age')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });

  it('inside an archive, the member is unscannable (encrypted) and so is the archive', async () => {
    const z = zip({ '設計書.txt.gpg': bytes('gpg-symmetric.gpg'), 'readme.txt': 'hello' });
    expect(await scanBlob(new Blob([z]), 'x.zip')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });

  it('random bytes are seldom taken for an OpenPGP packet (the version byte is checked)', () => {
    let taken = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = crypto.getRandomValues(new Uint8Array(64));
      if (envelopeOf(b, new TextDecoder('latin1').decode(b))) taken++;
    }
    expect(taken).toBeLessThan(20); // about 0.03 % expected: first byte 0x8C–0x8F or 0x84–0x87, then the version
  });
});

describe('signed envelopes are read through', () => {
  it.each([
    ['cms-signed-marked-pdf.p7m', { verdict: 'marked', location: { path: ['(signed content)'], page: 1 } }],
    ['cms-signed-ber-marked.p7m', { verdict: 'marked', location: { path: ['(signed content)'] } }],
    ['cms-signed-clean-pem.p7m', { verdict: 'clean', format: 'signed' }],
    ['cms-detached.p7s', { verdict: 'clean', format: 'signed' }],
    ['gpg-clearsigned-marked.asc', { verdict: 'marked' }],
    ['smime-opaque-marked.eml', { verdict: 'marked', location: { path: ['smime.p7m', 'signed message.eml'], area: 'body' } }],
    ['smime-opaque-clean.eml', { verdict: 'clean' }],
  ])('%s', async (name, want) => {
    expect(await scan(name)).toMatchObject(want);
  });

  it('a signed file cut short is damaged, not clean', async () => {
    const b = bytes('cms-signed-marked-pdf.p7m');
    expect(await scanBlob(new Blob([b.slice(0, 3000)]), 'x.pdf.p7m')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it.each(readdirSync(DIR).filter((f) => !/\.(md|sh)$/.test(f)))('%s: every byte flipped in turn ends in a verdict', async (name) => {
    const b = bytes(name);
    for (let i = 0; i < Math.min(b.length, 600); i += 7) {
      const m = b.slice();
      m[i] ^= 0xff;
      expect(['marked', 'clean', 'unscannable']).toContain((await scanBlob(new Blob([m]), name)).verdict);
    }
  });
});

describe('XML Encryption', () => {
  // The W3C recommendation's own example (xmlenc-core, 2.1): an element replaced by EncryptedData.
  const xml = (inner: string) =>
    `<?xml version="1.0"?>\n<PaymentInfo xmlns="http://example.org/paymentv2"><Name>John Smith</Name>${inner}</PaymentInfo>`;
  it('an element replaced by its ciphertext is unscannable (encrypted); the rest is still read', async () => {
    const enc = '<EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData><CipherValue>A23B45C56</CipherValue></CipherData></EncryptedData>';
    expect(await scanBlob(new Blob([xml(enc)]), 'payment.xml')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
    expect(await scanBlob(new Blob([xml(`<Note>秘 Confidential</Note>${enc}`)]), 'payment.xml')).toMatchObject({ verdict: 'marked' });
    expect(await scanBlob(new Blob([xml('<CreditCard>4019 2445 0277 5567</CreditCard>')]), 'payment.xml')).toMatchObject({ verdict: 'clean' });
  });
});
