/**
 * Images and recordings inside mail and ZIP archives are taken by their first bytes, as the scan takes
 * one on its own (nothing in them is read): their base64 is not decoded, nor their deflate inflated,
 * past those bytes. Whole when a rule names files by SHA-256, which needs every byte.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractEml } from '../../src/detect/extract/eml.js';
import { extractZip } from '../../src/detect/extract/zip.js';
import type { Extractor } from '../../src/detect/extract/types.js';
import { collect, testContext } from '../support/extract.js';
import { zip } from '../support/zip-build.js';

const FIX = join(__dirname, '../fixtures/pictures');
const fixture = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const PHOTO = fixture('site-photo.jpg');
const PLAN = fixture('floor-plan.png');

/** The sizes of the members `extractor` hands back, by name. */
async function memberSizes(extractor: Extractor, data: Uint8Array, pictureHeads: boolean): Promise<Record<string, number>> {
  const items = await collect(extractor, data, testContext({ pictureHeads }));
  return Object.fromEntries(items.flatMap((x) => (x.kind === 'member' ? [[x.name, x.data.size]] : [])));
}

/** A PNG as large as a phone photo (random pixels, rows stored uncompressed), so deflate cannot shrink it. */
function bigPng(width: number, height: number): Uint8Array {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(td.length + 8);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), td.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let i = 0; i < rows.length; i += 65536) crypto.getRandomValues(rows.subarray(i, i + 65536));
  for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 0;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 0 })), chunk('IEND', Buffer.alloc(0))]));
}

describe('ZIP archives of pictures (Info-ZIP deflated and stored, 7-Zip, fflate)', () => {
  it.each(['photos-infozip.zip', 'photos-stored.zip', 'photos-7z.zip'])('%s: pictures this small (under 64 KiB in the archive) are read whole, which costs no more than a look at their heads', async (name) => {
    const data = fixture(name);
    expect(await memberSizes(extractZip, data, true)).toMatchObject({ 'site-photo.jpg': PHOTO.length, 'floor-plan.png': PLAN.length });
    expect(await memberSizes(extractZip, data, false)).toMatchObject({ 'site-photo.jpg': PHOTO.length, 'floor-plan.png': PLAN.length });
  });

  it("verdicts: clean; the text beside the photos still marks 7-Zip's archive; a photo's file hash marks it (read whole then)", async () => {
    expect(await scanBlob(blob(fixture('photos-infozip.zip')), 'photos.zip')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(blob(fixture('photos-7z.zip')), 'photos.zip')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['メモ.txt'] } });
    for (const name of ['photos-infozip.zip', 'photos-stored.zip']) {
      const r = await scanBlob(blob(fixture(name)), 'photos.zip', { designated: { sha256: [sha(PHOTO)] } });
      expect(r).toMatchObject({ verdict: 'marked', rule: 3, reason: 'sha256', location: { path: ['site-photo.jpg'] } });
    }
  });

  it('a photo that deflate cannot shrink (stored blocks inside deflate), from fflate and from 7-Zip, or stored by Info-ZIP: its first KiB only', async () => {
    const big = bigPng(1200, 900);
    const dir = mkdtempSync(join(tmpdir(), 'ug-pictures-'));
    writeFileSync(join(dir, 'IMG_0001.png'), big);
    execFileSync('7z', ['a', '-tzip', '-mx=5', '-bd', '-bso0', join(dir, 'a.zip'), join(dir, 'IMG_0001.png')]);
    // And stored as it is (Info-ZIP's -0: method 0).
    execFileSync('zip', ['-q', '-0', '-j', join(dir, 'stored.zip'), join(dir, 'IMG_0001.png')]);
    for (const archive of [zip({ 'IMG_0001.png': big }, 6), ...['a.zip', 'stored.zip'].map((f) => new Uint8Array(readFileSync(join(dir, f))))]) {
      expect(await memberSizes(extractZip, archive, true)).toEqual({ 'IMG_0001.png': 1024 });
      expect(await scanBlob(blob(archive), 'a.zip', { designated: { sha256: [sha(big)] } })).toMatchObject({ verdict: 'marked', rule: 3 });
    }
  });

  it('a damaged start is read whole, and reported; a picture named with the stamp is marked by its name', async () => {
    const data = fixture('photos-infozip.zip');
    // The first member's data starts after its 30-byte local header and name: damage the deflate there.
    const at = 30 + 'site-photo.jpg'.length;
    const damaged = data.slice();
    for (let i = at; i < at + 64; i++) damaged[i] ^= 0x5a;
    expect(await scanBlob(blob(damaged), 'photos.zip')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scanBlob(blob(zip({ '秘—現場写真.jpg': PHOTO })), 'photos.zip')).toMatchObject({ verdict: 'marked', rule: 2 });
  });
});

describe('mail with pictures attached (Python email; base64 by hand)', () => {
  it("Python's message: each attachment is decoded for its first KiB only; whole without the option", async () => {
    const data = fixture('photos-python.eml');
    expect(await memberSizes(extractEml, data, true)).toEqual({ '現場写真.jpg': 1024, '図面.png': 1024 });
    expect(await memberSizes(extractEml, data, false)).toEqual({ '現場写真.jpg': PHOTO.length, '図面.png': PLAN.length });
    expect(await scanBlob(blob(data), 'photos.eml')).toMatchObject({ verdict: 'clean' });
    const r = await scanBlob(blob(data), 'photos.eml', { designated: { sha256: [sha(PLAN)] } });
    expect(r).toMatchObject({ verdict: 'marked', rule: 3, location: { path: ['図面.png'] } });
  });

  const wrap = (type: string, name: string, data: Uint8Array, damage = false) => {
    let b64 = Buffer.from(data).toString('base64').replace(/.{76}/g, '$&\r\n');
    if (damage) b64 = b64.slice(0, 40_000) + '!' + b64.slice(40_000);
    const body = `--b\r\nContent-Type: text/plain\r\n\r\nphoto attached\r\n--b\r\nContent-Type: ${type}\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`;
    return new TextEncoder().encode(`From: a@example.com\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${body}`);
  };

  it('decided by content, not by the declared type: a PDF declared as an image is decoded whole, and its damage reported', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\n' + '%'.repeat(60_000) + '\n');
    expect(await memberSizes(extractEml, wrap('image/png', 'scan.png', pdf), true)).toEqual({ 'scan.png': pdf.length });
    expect(await scanBlob(blob(wrap('image/png', 'scan.png', pdf, true)), 'doc.eml')).toMatchObject({ verdict: 'unscannable', detail: expect.stringMatching(/damaged base64/) });
    expect(await scanBlob(blob(wrap('image/jpeg', '秘—現場写真.jpg', PHOTO)), 'photo.eml')).toMatchObject({ verdict: 'marked', rule: 2 });
  });
});

describe('a ZIP appended to a picture (cat photo.jpg archive.zip: viewers show the picture, unzip opens the archive)', () => {
  const MEMO = { path: ['メモ.txt'] };
  it('on its own, a JPEG or a PNG is read as the archive it also is; the same with 秘書室 stays clean', async () => {
    expect(await scanBlob(blob(fixture('photo-zip-appended.jpg')), 'photo.jpg')).toMatchObject({ verdict: 'marked', rule: 1, location: MEMO });
    expect(await scanBlob(blob(fixture('plan-zip-appended.png')), 'plan.png')).toMatchObject({ verdict: 'marked', rule: 1, location: MEMO });
    expect(await scanBlob(blob(fixture('photo-zip-appended-clean.jpg')), 'photo.jpg')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(blob(PHOTO), 'photo.jpg')).toMatchObject({ verdict: 'clean', format: 'image' });
  });

  it('attached to a mail (Python email, base64): its end is decoded to look, then the whole', async () => {
    const data = fixture('photo-appended-python.eml');
    expect(await memberSizes(extractEml, data, true)).toEqual({ '現場写真.jpg': fixture('photo-zip-appended.jpg').length });
    expect(await scanBlob(blob(data), 'photo.eml')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['現場写真.jpg', 'メモ.txt'] } });
  });

  it('a 7z after a photo attached to a mail (its end is not the picture\'s): searched as a saved file is, then read whole (red team mail3 #7: was clean)', async () => {
    const data = fixture('photo-7z-appended-python.eml');
    expect(await memberSizes(extractEml, data, true)).toEqual({ '現場写真.jpg': fixture('photo-7z-appended.jpg').length });
    expect(await scanBlob(blob(data), 'photo.eml')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['現場写真.jpg', 'メモ.txt'] } });
    expect(await scanBlob(blob(fixture('photo-7z-appended-clean-python.eml')), 'photo.eml')).toMatchObject({ verdict: 'clean' });
  });

  it('stored in a ZIP, a photo too big to be read whole for its head (Info-ZIP -0, fflate level 0): its end is looked at', async () => {
    const memo = fixture('photo-zip-appended.jpg').subarray(PHOTO.length);
    const big = bigPng(600, 400);
    const polyglot = new Uint8Array([...big, ...memo]);
    const dir = mkdtempSync(join(tmpdir(), 'ug-pictures-'));
    writeFileSync(join(dir, 'IMG_0002.png'), polyglot);
    execFileSync('zip', ['-q', '-0', '-j', join(dir, 'stored.zip'), join(dir, 'IMG_0002.png')]);
    for (const archive of [new Uint8Array(readFileSync(join(dir, 'stored.zip'))), zip({ 'IMG_0002.png': polyglot }, 0)]) {
      expect(await memberSizes(extractZip, archive, true)).toEqual({ 'IMG_0002.png': polyglot.length });
      expect(await scanBlob(blob(archive), 'photos.zip')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['IMG_0002.png', 'メモ.txt'] } });
    }
    // The same picture without the archive: its first KiB only, as before.
    expect(await memberSizes(extractZip, zip({ 'IMG_0002.png': big }, 0), true)).toEqual({ 'IMG_0002.png': 1024 });
  });
});
