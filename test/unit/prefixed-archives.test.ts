/**
 * Archives behind other bytes (test/fixtures/archives/prefixed, make.sh): a script or a signed header
 * before a ZIP; a shell script before a tar.gz; RPM packages; a Windows image. Each was clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/prefixed');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const scan = (name: string, b = bytes(name)) => scanBlob(new Blob([b]), name);

describe('archives behind other bytes', () => {
  it.each([
    ['zipapp_ctext.pyz', 1, 'memo.txt'],
    ['launch_script_ctext.jar', 1, 'memo.txt'],
    ['chromium_packed_ctext.crx', 1, 'memo.txt'],
    ['makeself_gzip_ctext.run', 1, 'memo.txt'],
    ['rpm_gzip_ctext.rpm', 1, 'FILE'],
    ['rpm_xz_ctext.rpm', 1, 'FILE'],
    ['rpm_zstd_ctext.rpm', 1, 'FILE'],
  ])('%s → marked, rule %i, in %s', async (name, rule, member) => {
    const v = await scan(name);
    expect(v).toMatchObject({ verdict: 'marked', rule });
    expect(v.verdict === 'marked' && v.location.path.join('/')).toContain(member);
  });

  it('clean ones are clean; a Windows image is unscannable, saying what it is', async () => {
    expect(await scan('makeself_xz_clean.run')).toMatchObject({ verdict: 'clean', format: 'script-payload' });
    expect(await scan('rpm_zstd_clean.rpm')).toMatchObject({ verdict: 'clean', format: 'rpm' });
    const wim = await scan('wimlib_lzx_ctext.wim');
    expect(wim).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(wim.verdict === 'unscannable' && wim.detail).toMatch(/Windows image/);
  });

  it('the text before an appended ZIP is read too', async () => {
    const zip = bytes('zipapp_ctext.pyz');
    const script = new TextEncoder().encode('#!/bin/sh\n# 取扱：秘 Confidential\n');
    const v = await scan('x.pyz', new Uint8Array([...script, ...zip.subarray(zip.indexOf(0x0a) + 1)]));
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('cut short, each is unscannable, never clean', async () => {
    for (const name of ['makeself_xz_clean.run', 'rpm_gzip_ctext.rpm', 'rpm_xz_ctext.rpm', 'rpm_zstd_clean.rpm']) {
      const b = bytes(name);
      expect(await scan(name, b.slice(0, b.length - 40))).toMatchObject({ verdict: 'unscannable' });
    }
  });

  it('an RPM whose payload is overwritten (zeros where the compressed cpio was) is unscannable: libarchive finds no files there and says nothing', async () => {
    for (const name of ['rpm_gzip_ctext.rpm', 'rpm_xz_ctext.rpm', 'rpm_zstd_clean.rpm']) {
      const b = bytes(name);
      const at = [[0x1f, 0x8b], [0xfd, 0x37], [0x28, 0xb5]].map(([x, y]) => b.findIndex((v, i) => v === x && b[i + 1] === y)).find((i) => i > 96)!;
      b.fill(0, at);
      expect(await scan(name, b), name).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
  });

  it('an end record alone is not an archive, after a picture either; a whole ZIP after a picture is read (picture-heads.test.ts)', async () => {
    const jar = bytes('launch_script_ctext.jar');
    const end = jar.subarray(jar.length - 22);
    expect((await scan('x.bin', new Uint8Array([0, 1, 2, ...end]))).format).toBe('binary');
    const photo = readFileSync(join(__dirname, '../fixtures/pictures/site-photo.jpg'));
    expect(await scan('photo.jpg', new Uint8Array([...photo, ...end]))).toMatchObject({ verdict: 'clean', format: 'image' });
    expect(await scan('photo.jpg', new Uint8Array([...photo, ...jar.subarray(jar.indexOf(0x50, 60))]))).toMatchObject({ verdict: 'marked', format: 'sfx' });
  });
  it('a 7z (7-Zip 26, p7zip 16.02) or a RAR 4/5 after a picture is read; its trap beside it stays clean', async () => {
    const pictures = (n: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(__dirname, '../fixtures/pictures', n)));
    for (const name of ['photo-7z-appended.jpg', 'plan-7z-appended.png']) {
      const v = await scan(name, pictures(name));
      expect(v).toMatchObject({ verdict: 'marked', rule: 1, format: 'picture-archive' });
      expect(v.verdict === 'marked' && v.location.path.join('/')).toContain('メモ.txt');
    }
    expect(await scan('photo-7z-appended-clean.jpg', pictures('photo-7z-appended-clean.jpg'))).toMatchObject({ verdict: 'clean', format: 'picture-archive' });
    // No free RAR writer: libarchive's test archives after the photo; a keyword in their text proves the members were read.
    const photo = pictures('site-photo.jpg');
    for (const [rar, keyword] of [['libarchive-rar4-unicode.rar', 'kanji'], ['libarchive-rar5-unicode.rar', 'This is from']]) {
      const archive = readFileSync(join(__dirname, '../fixtures/archives', rar));
      const v = await scanBlob(new Blob([photo, archive]), 'photo.jpg', { designated: { keywords: [keyword] } });
      expect(v).toMatchObject({ verdict: 'marked', rule: 3, format: 'picture-archive' });
    }
  });

  it('a picture, a ZIP, then a 7z (or the 7z first): both archives are read, whichever holds the stamp', async () => {
    const pictures = (n: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(__dirname, '../fixtures/pictures', n)));
    const photo = pictures('site-photo.jpg');
    const tail = (n: string) => pictures(n).slice(photo.length);
    const marked7z = tail('photo-7z-appended.jpg');
    const clean7z = tail('photo-7z-appended-clean.jpg');
    const markedZip = tail('photo-zip-appended.jpg');
    const cleanZip = tail('photo-zip-appended-clean.jpg');
    const scanOf = (...parts: Uint8Array<ArrayBuffer>[]) => scanBlob(new Blob([photo, ...parts]), 'photo.jpg');
    expect(await scanOf(markedZip, clean7z)).toMatchObject({ verdict: 'marked', rule: 1, format: 'picture-archive' });
    expect(await scanOf(cleanZip, marked7z)).toMatchObject({ verdict: 'marked', rule: 1, format: 'picture-archive' });
    expect(await scanOf(clean7z, markedZip)).toMatchObject({ verdict: 'marked', rule: 1, format: 'picture-archive' });
    expect(await scanOf(cleanZip, clean7z)).toMatchObject({ verdict: 'clean', format: 'picture-archive' });
  });

  it('a ZIP after a ZIP (`cat a.zip b.zip`: unzip reads the second, 7-Zip the first) is read whole, whichever holds the stamp', async () => {
    const pictures = (n: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(__dirname, '../fixtures/pictures', n)));
    const photo = pictures('site-photo.jpg');
    const markedZip = pictures('photo-zip-appended.jpg').slice(photo.length);
    const cleanZip = pictures('photo-zip-appended-clean.jpg').slice(photo.length);
    const scanOf = (...parts: Uint8Array<ArrayBuffer>[]) => scanBlob(new Blob(parts), 'both.zip');
    expect(await scanOf(markedZip, cleanZip)).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx' });
    expect(await scanOf(cleanZip, markedZip)).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx' });
    expect(await scanOf(cleanZip, cleanZip)).toMatchObject({ verdict: 'clean', format: 'sfx' });
  });

  it('seven bytes of a photo that spell a 7z signature without its header\'s CRC are not an archive; a 7z past 8 MiB is not looked for, as 7-Zip does not', async () => {
    const photo = new Uint8Array(readFileSync(join(__dirname, '../fixtures/pictures/site-photo.jpg')));
    const fake = new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, ...new Array(24).fill(7)]);
    expect(await scan('photo.jpg', new Uint8Array([...photo, ...fake, ...photo]))).toMatchObject({ verdict: 'clean', format: 'image' });
    const memo = new Uint8Array(readFileSync(join(__dirname, '../fixtures/pictures/photo-7z-appended.jpg'))).subarray(photo.length);
    const far = new Blob([photo, new Uint8Array((1 << 23) - photo.length), memo]);
    expect(await scanBlob(far, 'photo.jpg')).toMatchObject({ verdict: 'clean', format: 'image' });
    const near = new Blob([photo, new Uint8Array((1 << 23) - photo.length - 64), memo]);
    expect(await scanBlob(near, 'photo.jpg')).toMatchObject({ verdict: 'marked', format: 'picture-archive' });
  });
});
