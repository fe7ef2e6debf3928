/**
 * Archives after a program or a picture (test/fixtures/archives/sfx, make.sh): self-extractors and
 * installers as their tools lay them out (`cat stub archive`). Each case was clean before, or, for a clean
 * program that merely holds archive signatures, wrongly unscannable. A trap (秘書室) beside each marked
 * case stays clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { sniff } from '../../src/detect/sniff.js';
import { archiveStartAfter, CHECK_BUDGET } from '../../src/detect/extract/picture-archive.js';
import { archiveExtractor } from '../../src/detect/extract/archive.js';
import type { ExtractContext } from '../../src/detect/extract/types.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';

const DIR = join(__dirname, '../fixtures/archives/sfx');
const bytes = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(DIR, name)));
const archives = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(__dirname, '../fixtures/archives', name)));
const PROGRAM = bytes('program.elf');
const PICTURE = new Uint8Array(readFileSync(join(__dirname, '../fixtures/pictures/floor-plan.png')));
const SCRIPT = new TextEncoder().encode('#!/bin/sh\nexit 0\n');
const scan = (name: string, ...parts: Uint8Array<ArrayBuffer>[]) => scanBlob(new Blob(parts), name);

describe('a ZIP after a program, a script or a picture', () => {
  it.each([
    // Info-ZIP names what it reads from standard input `-`.
    ['Info-ZIP from standard input (ZIP64 end records) behind a script', 'installer.zip', SCRIPT, 'stdin-zip64.zip', '-'],
    ['zip -fz behind a picture', 'plan.png.zip', PICTURE, 'fz.zip', 'memo.txt'],
    ['zip -fz behind a program', 'setup.zip', PROGRAM, 'fz.zip', 'memo.txt'],
    ['npm archiver forceZip64 (every 32-bit end field full) behind a program', 'setup.exe', PROGRAM, 'archiver-zip64.zip', 'memo.txt'],
    ['npm archiver forceZip64 behind a script', 'installer.run', SCRIPT, 'archiver-zip64.zip', 'memo.txt'],
  ])('%s: read from its own start, marked; its trap clean', async (_, name, prefix, zip, member) => {
    const marked = await scan(name, prefix, bytes(`memo-ctext.${zip}`));
    expect(marked).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx', location: { path: [member] } });
    expect(await scan(name, prefix, bytes(`memo-clean.${zip}`))).toMatchObject({ verdict: 'clean', format: 'sfx' });
  });

  it('a ZIP64 end record whose 32-bit fields are full is followed through its locator: the file is an sfx, not a binary', async () => {
    expect(await sniff(new Blob([SCRIPT, bytes('memo-clean.archiver-zip64.zip')]), 'installer.run')).toBe('sfx');
    expect(await sniff(new Blob([PROGRAM.subarray(0, 64), bytes('memo-clean.archiver-zip64.zip')]), 'setup.exe')).toBe('sfx');
  });

  it('an archive read in place from which libarchive reads no member (it lists nothing for ZIP64 behind a script) is unscannable, never clean', async () => {
    const read = archiveExtractor('sfx');
    const blob = new Blob([SCRIPT, bytes('memo-clean.stdin-zip64.zip')]);
    const items: unknown[] = [];
    const ctx: ExtractContext = { limits: DEFAULT_LIMITS, depth: 0, fullText: false, name: 'installer.zip', checkTime: () => undefined, addExpanded: () => undefined, addEntry: () => undefined };
    await expect(
      (async () => {
        for await (const item of read(blob, ctx)) items.push(item);
      })(),
    ).rejects.toThrow(/no member of the archive/);
    expect(items).toEqual([]);
  });
});

describe('a ZIP without its end record after a program or a picture (a download cut short), or inside a program', () => {
  const cut = (zip: Uint8Array<ArrayBuffer>, n: number) => zip.subarray(0, zip.length - n);
  it.each([
    ['Info-ZIP -fz (ZIP64 end records)', 'fz.zip'],
    ['bsdtar (sizes in a data descriptor after the member)', 'bsdtar.zip'],
  ])('%s, its last 30 bytes cut: the member before the cut is read (marked); its trap is unscannable, never clean', async (_, zip) => {
    for (const [name, prefix] of [['setup.exe', PROGRAM], ['plan.png', PICTURE]] as const) {
      expect(await scan(name, prefix, cut(bytes(`memo-ctext.${zip}`), 30))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['memo.txt'] } });
      expect(await scan(name, prefix, cut(bytes(`memo-clean.${zip}`), 30))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(/cut short/) });
    }
    // On its own too (before: unscannable, its end record not found).
    expect(await scan('memo.zip', cut(bytes(`memo-ctext.${zip}`), 30))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['memo.txt'] } });
  });

  it('cut inside its member: nothing of it can be read, so unscannable, never clean', async () => {
    const zip = bytes('memo-ctext.bsdtar.zip');
    expect(await scan('setup.exe', PROGRAM, cut(zip, 200))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('a whole ZIP in the middle of a program (a resource; the end record is not at the end) is read: marked; its trap clean', async () => {
    // More program after it than a ZIP's end record is looked for from the end (64 KiB).
    const rest = new Uint8Array(80 * 1024).map((_, i) => PROGRAM[i % PROGRAM.length]);
    expect(await scan('setup.exe', PROGRAM, bytes('memo-ctext.bsdtar.zip'), rest)).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx', location: { path: ['memo.txt'] } });
    expect(await scan('setup.exe', PROGRAM, bytes('memo-clean.bsdtar.zip'), rest)).toMatchObject({ verdict: 'clean', format: 'sfx' });
  });

  it('a program that holds the local header signature as a constant (an unzipper) is an ordinary program: clean', async () => {
    // PK 3 4 as code compares it (cmp eax, 0x04034b50), then more code: no version, flags and method an archiver writes.
    const code = new Uint8Array([0x3d, 0x50, 0x4b, 0x03, 0x04, 0x75, 0x1c, 0x48, 0x8b, 0x45, 0xf8, 0x0f, 0xb7, 0x40, 0x1a, 0x89, 0xc2, 0x48, 0x8b, 0x45, 0xf8, 0x0f, 0xb7, 0x40, 0x1c, 0x01, 0xd0, 0x83, 0xc0, 0x1e, 0xc3, 0x90]);
    expect(await scan('unzip', PROGRAM, code, PROGRAM)).toMatchObject({ verdict: 'clean', format: 'binary' });
  });
});

describe('a clean program that holds archive signatures as constants (7-Zip, WinRAR, antivirus, libarchive.so)', () => {
  it('is an ordinary program: clean', async () => {
    expect(await scan('magic', PROGRAM)).toMatchObject({ verdict: 'clean', format: 'binary' });
  });

  it('a 7z or RAR signature whose header fails its CRC, after a program, is no archive', async () => {
    const fake7z = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, ...new Array(24).fill(7)];
    const fakeRar4 = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00, 0x12, 0x34, 0x73, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0];
    const fakeRar5 = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00, 1, 2, 3, 4, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const fake of [fake7z, fakeRar4, fakeRar5]) {
      expect(await scan('x.exe', PROGRAM, new Uint8Array(fake), PROGRAM)).toMatchObject({ verdict: 'clean', format: 'binary' });
    }
  });
});

describe('a 7z, RAR, LZH, CAB or Debian package after a program or a picture', () => {
  it.each([
    ['7z', 'sfx', PROGRAM],
    ['lzh', 'sfx', PROGRAM],
    ['cab', 'sfx', PROGRAM],
    ['lzh', 'picture-archive', PICTURE],
    ['cab', 'picture-archive', PICTURE],
    ['deb', 'picture-archive', PICTURE],
  ])('%s after a %s: read, marked; its trap clean', async (ext, format, prefix) => {
    const name = format === 'sfx' ? 'setup.exe' : 'plan.png';
    const v = await scan(name, prefix, bytes(`memo-ctext.${ext}`));
    expect(v).toMatchObject({ verdict: 'marked', rule: 1, format });
    expect(v.verdict === 'marked' && v.location.path.at(-1)).toMatch(/memo\.txt$/);
    expect(await scan(name, prefix, bytes(`memo-clean.${ext}`))).toMatchObject({ verdict: 'clean', format });
  });

  it('LZH header levels 0, 1 and 2 after a program (LHa for Windows\' self-extractors), Shift_JIS names', async () => {
    for (const lzh of ['lzh-sjis-lh5-h0.lzh', 'lzh-sjis-lh6-h1.lzh', 'lzh-sjis-lh7-h2.lzh']) {
      const v = await scan('setup.exe', PROGRAM, archives(lzh));
      expect(v).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx' });
      expect(v.verdict === 'marked' && v.location.path).toContain('見積書.txt');
    }
    expect(await scan('setup.exe', PROGRAM, archives('lzh-sjis-name-only.lzh'))).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('setup.exe', PROGRAM, archives('lzh-sjis-clean.lzh'))).toMatchObject({ verdict: 'clean', format: 'sfx' });
  });

  it('a RAR 4 or 5 after a program is read (libarchive\'s test archives: a keyword in their text proves it)', async () => {
    for (const [rar, keyword] of [['libarchive-rar4-unicode.rar', 'kanji'], ['libarchive-rar5-unicode.rar', 'This is from']]) {
      const v = await scanBlob(new Blob([PROGRAM, archives(rar)]), 'setup.exe', { designated: { keywords: [keyword] } });
      expect(v).toMatchObject({ verdict: 'marked', rule: 3, format: 'sfx' });
    }
  });

  it('a signed Windows self-extractor (osslsigncode: zero padding, then the signature after the RAR) is read', async () => {
    const signed = bytes('signed-rar4.exe');
    expect(await scanBlob(new Blob([signed]), 'setup.exe', { designated: { keywords: ['kanji'] } })).toMatchObject({ verdict: 'marked', rule: 3, format: 'sfx' });
    expect(await scan('setup.exe', signed)).toMatchObject({ verdict: 'clean', format: 'sfx' });
  });

  it('a CAB inside a program (IExpress keeps it among its resources) is read to its own end, and the search goes on after it', async () => {
    const cab = bytes('memo-clean.cab');
    expect(await scan('setup.exe', PROGRAM, bytes('memo-ctext.cab'), PROGRAM)).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx' });
    expect(await scan('setup.exe', PROGRAM, cab, PROGRAM)).toMatchObject({ verdict: 'clean', format: 'sfx' });
    expect(await scan('setup.exe', PROGRAM, cab, PROGRAM, bytes('memo-ctext.7z'))).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx' });
  });

  it('a program larger than 1 MiB before a 7z: looked for as far as 7-Zip looks (8 MiB)', async () => {
    // The program's ELF header, then 2 MiB of its code (no archive signature in it).
    const stub = new Uint8Array(2 << 20).fill(0x90);
    stub.set(PROGRAM.subarray(0, 64));
    expect(await scan('setup.exe', stub, bytes('memo-ctext.7z'))).toMatchObject({ verdict: 'marked', rule: 1, format: 'sfx' });
    expect(await scan('setup.exe', stub, bytes('memo-clean.7z'))).toMatchObject({ verdict: 'clean', format: 'sfx' });
  });

  it('a self-extractor cut short (an interrupted download) is unscannable, never clean', async () => {
    // The 7z where 7-Zip's own stub (7zCon.sfx) ends it, as libarchive looks for it in a program.
    const stub = new Uint8Array(0x30000);
    stub.set(PROGRAM);
    for (const kind of ['ctext', 'clean']) {
      const archive = bytes(`memo-${kind}.7z`);
      for (const cut of [60, 200, 300, archive.length - 30]) {
        expect(await scan('setup.exe', stub, archive.slice(0, archive.length - cut))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
      }
      const cab = bytes(`memo-${kind}.cab`);
      expect(await scan('setup.exe', PROGRAM, cab.slice(0, cab.length - 60))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
  });

  it('ARJ (arj -je) and SquashFS (an AppImage) after a program are found, and unscannable: not read here', async () => {
    const arj = await scan('arj-sfx.exe', bytes('arj-sfx-ctext.exe'));
    expect(arj).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', format: 'sfx' });
    expect(arj.verdict === 'unscannable' && arj.detail).toMatch(/ARJ/);
    const appImage = await scan('tool.AppImage', PROGRAM, bytes('memo-ctext.sqfs'));
    expect(appImage).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', format: 'sfx' });
    expect(appImage.verdict === 'unscannable' && appImage.detail).toMatch(/SquashFS/);
  });

  it('a file made of signatures is decided quickly (checks are bounded), and never clean when it could not all be checked', async () => {
    const fill = (unit: number[]) => {
      const b = new Uint8Array(8 << 20);
      b.set(PROGRAM.subarray(0, 64));
      for (let i = 64; i + unit.length <= b.length; i += unit.length) b.set(unit, i);
      return b;
    };
    for (const unit of [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], [0x2d, 0x6c, 0x68, 0x35, 0x2d], [0x4d, 0x53, 0x43, 0x46, 0, 0, 0, 0], [0x60, 0xea], [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00]]) {
      const started = performance.now();
      const v = await scan('x.exe', fill(unit));
      // 0.2–0.4 s each on a quiet 2-core machine; the bound catches checks whose cost grows with what the
      // headers claim (64 KiB CRCs at every signature: minutes), not a busy machine.
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(['clean', 'unscannable']).toContain(v.verdict);
    }
    // LZH level 2 headers of 64 KiB whose extended headers chain right and only the CRC fails, one every
    // 27 bytes: each would cost a 64 KiB CRC. The checks stop at their budget, and the file is not clean.
    const crafted = new Uint8Array(8 << 20);
    crafted.set(PROGRAM.subarray(0, 64));
    for (let p = 64; p + 27 < crafted.length; p += 27) {
      crafted.set([0xff, 0xff, 0x2d, 0x6c, 0x68, 0x35, 0x2d], p);
      crafted[p + 20] = 2;
    }
    const started = performance.now();
    expect(await scan('x.exe', crafted)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('the searches after each archive of one file share one budget: a crafted header past it makes the file unscannable', async () => {
    // An LZH level 2 header whose extended headers chain to its size, with a wrong CRC: checked, not a start.
    const h = new Uint8Array(100);
    h.set([100, 0, 0x2d, 0x6c, 0x68, 0x35, 0x2d]);
    h[20] = 2;
    h[24] = 74; // one extended header, 26 to 100: the header CRC (type 0)
    h.set([0, 0x12, 0x34], 26);
    const blob = new Blob([PROGRAM.subarray(0, 64), h, new Uint8Array(64)]);
    expect(await archiveStartAfter(blob, 1)).toBeNull();
    await expect(archiveStartAfter(blob, 1, { used: CHECK_BUDGET })).rejects.toThrow(/too many archive signatures/);
  });
});
