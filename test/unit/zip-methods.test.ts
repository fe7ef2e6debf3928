/**
 * ZIP members compressed with bzip2 (method 12), zstd (93) and xz (95), as 7-Zip (-mm=BZip2, -mm=XZ)
 * and WinZip (.zipx) write them: read by the decoders of the standalone .bz2/.zst/.xz files, under the
 * same checks as deflated members (declared size, CRC-32, bomb guards). This 7-Zip cannot write zstd
 * into a ZIP (-mm=ZSTD: E_NOTIMPL), so that member is the zstd CLI's output framed here, and 7-Zip's
 * own test (`7z t`) confirms the framing. LZMA (14) and PPMd (98) are read through libarchive;
 * Deflate64 (9) stays unsupported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { concat } from '../../src/detect/bytes.js';
import { crc32 } from '../../src/detect/crc32.js'; // 7-Zip's own test (`7z t`) checks the framing independently
import { openZip, readZipDirectory, readZipEntry } from '../../src/detect/extract/zip-reader.js';
import { testContext } from '../support/extract.js';
import { lieAboutSizes, prng } from '../support/zip-build.js';

const NAME = 'report.txt';
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const scan = (b: Uint8Array) => scanBlob(blob(b), 'a.zip');

/** 200 KB of random base64: large enough that 7-Zip compresses it rather than storing it. */
function randomText(seed: number): string {
  const random = prng(seed);
  return Buffer.from(Uint8Array.from({ length: 150_000 }, () => (random() * 256) | 0)).toString('base64');
}
const CLEAN = randomText(1) + '\n';
const MARKED = CLEAN + '取扱区分：秘 Confidential\n';

/** `content` as NAME in a ZIP of the given 7-Zip method (BZip2, XZ, LZMA, PPMd) or zstd (ZSTD). */
function archive(method: string, content: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-zip-methods-'));
  const file = join(dir, NAME);
  writeFileSync(file, content);
  const out = join(dir, 'a.zip');
  if (method === 'ZSTD') writeFileSync(out, zipOf(93, readFileSync(file), execFileSync('zstd', ['-q', '-c', file])));
  else execFileSync('7z', ['a', '-tzip', `-mm=${method}`, '-bd', '-bso0', out, file]);
  execFileSync('7z', ['t', '-bd', '-bso0', out]); // 7-Zip reads it back: a valid archive
  return new Uint8Array(readFileSync(out));
}

/** A one-member ZIP (local header, data, central directory, end record) whose data is `packed`. */
function zipOf(method: number, raw: Uint8Array, packed: Uint8Array): Uint8Array {
  const name = Buffer.from(NAME);
  const fields = (h: Buffer, at: number) => {
    h.writeUInt16LE(63, at); // version needed: 6.3, as WinZip writes for zstd
    h.writeUInt16LE(method, at + 4);
    h.writeUInt32LE(crc32(raw), at + 10);
    h.writeUInt32LE(packed.length, at + 14);
    h.writeUInt32LE(raw.length, at + 18);
    h.writeUInt16LE(name.length, at + 22);
  };
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  fields(local, 4);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(63, 4);
  fields(central, 6);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + packed.length, 16);
  return Buffer.concat([local, name, packed, central, name, end]);
}

/** Offsets in a one-member ZIP without an archive comment: its data, and its central directory entry. */
function layout(z: Uint8Array): { data: number; size: number; central: number } {
  const dv = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const central = dv.getUint32(z.length - 22 + 16, true);
  return { data: 30 + dv.getUint16(26, true) + dv.getUint16(28, true), size: dv.getUint32(central + 20, true), central };
}

/** A copy with the CRC-32 changed in both headers (zip-build.ts's lieAboutSizes does the same for sizes). */
function withCrc(z: Uint8Array, value: number): Uint8Array {
  const out = z.slice();
  const dv = new DataView(out.buffer);
  dv.setUint32(14, value, true);
  dv.setUint32(layout(z).central + 16, value, true);
  return out;
}

/**
 * Read by the engine's own decoders (64 KiB chunks, the guard's messages), or through libarchive (1 MiB
 * slices: one chunk here; its own messages: "ZIP bad CRC: …", "wrong size", "lzma … error").
 */
const OWN = { chunks: 2, lyingBomb: 'expansion-ratio', crc: /CRC-32/, longer: /declared size/ } as const;
const LIBARCHIVE = { chunks: 1, lyingBomb: 'corrupt', crc: /CRC/, longer: /size|error/ } as const;

describe.each([
  ['BZip2', 12, OWN],
  ['XZ', 95, OWN],
  ['ZSTD', 93, OWN],
  ['LZMA', 14, LIBARCHIVE],
  ['PPMd', 98, LIBARCHIVE],
] as const)('a ZIP member of method %s (%i)', (method, code, how) => {
  const marked = archive(method, MARKED);

  it('really uses the method, and reads back whole, read at once or streamed (a sink may keep its chunks)', async () => {
    const entries = await readZipDirectory(blob(marked), testContext());
    expect(entries.map((e) => [e.name, e.method])).toEqual([[NAME, code]]);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(text(await readZipEntry(blob(marked), entries[0], testContext()))).toBe(MARKED);
    const chunks: Uint8Array[] = [];
    await (await openZip(blob(marked), testContext())).stream(NAME, (c) => chunks.push(c));
    expect(chunks.length).toBeGreaterThanOrEqual(how.chunks);
    expect(text(concat(chunks))).toBe(MARKED);
  });

  it('the stamp marks it; the same text without it is clean', async () => {
    expect(await scan(marked)).toMatchObject({ verdict: 'marked', rule: 1, location: { path: [NAME] } });
    expect(await scan(archive(method, CLEAN))).toMatchObject({ verdict: 'clean' });
  });

  it('one damaged byte of the compressed data is corrupt, never clean', async () => {
    const { data, size } = layout(marked);
    for (const at of [data + 200, data + (size >> 1), data + size - 100]) {
      const damaged = marked.slice();
      damaged[at] ^= 0x55;
      expect(await scan(damaged), `byte ${at - data} of ${size}`).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
  });

  it('a wrong CRC-32 (in both headers, so the data is read) is corrupt', async () => {
    const crc = new DataView(marked.buffer).getUint32(14, true);
    const r = await scan(withCrc(marked, (crc ^ 1) >>> 0));
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(how.crc) });
  });

  it('a member longer than its declared size stops there: corrupt', async () => {
    const r = await scan(lieAboutSizes(marked, MARKED.length - 1));
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(how.longer) });
  });

  it('a bomb is refused by its declared size, and stopped mid-stream when that size lies', async () => {
    const bomb = archive(method, new Uint8Array(16 * 1024 * 1024));
    expect(await scan(bomb)).toMatchObject({ verdict: 'unscannable', reason: 'expansion-ratio' });
    // Declared 1 MiB, under the ratio floor: the guard stops the decoder's output (xz: its index declares
    // 16 MiB); libarchive reads the 1 MiB declared and finds more data after it.
    expect(await scan(lieAboutSizes(bomb, 1024 * 1024))).toMatchObject({ verdict: 'unscannable', reason: how.lyingBomb });
  });
});

describe('many LZMA members, each read through libarchive', () => {
  // One archive per member: a wasm instance started for each took about 10 ms, so a ZIP of 2,000 such
  // members ran into the scan's 20 s budget (`time-budget`); an instance is now reused between archives.
  const dir = mkdtempSync(join(tmpdir(), 'ug-zip-many-'));
  const members = Array.from({ length: 50 }, (_, i) => `f${i}.txt`);
  const text = randomText(7);
  const many = (last: string) => {
    members.forEach((m, i) => writeFileSync(join(dir, m), `${i} ${text.slice(i * 97, i * 97 + 3000)}\n${i === members.length - 1 ? last : ''}`));
    const out = join(dir, `${members.length}-${last.length}.zip`);
    execFileSync('7z', ['a', '-tzip', '-mm=LZMA', '-bd', '-bso0', out, ...members], { cwd: dir });
    return new Uint8Array(readFileSync(out));
  };

  it('50 of them start the wasm at most once: clean, and marked by the last one', async () => {
    const clean = many('');
    const marked = many('秘 Confidential');
    const started = vi.spyOn(WebAssembly, 'instantiate');
    try {
      expect(await scan(clean)).toMatchObject({ verdict: 'clean' });
      expect(await scan(marked)).toMatchObject({ verdict: 'marked', location: { path: ['f49.txt'] } });
      expect(started.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      started.mockRestore();
    }
  });

  it('a member libarchive cannot read does not spoil the next archive', async () => {
    const marked = archive('LZMA', MARKED);
    const { data, size } = layout(marked);
    const damaged = marked.slice();
    damaged[data + (size >> 1)] ^= 0x55;
    expect(await scan(damaged)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scan(marked)).toMatchObject({ verdict: 'marked' });
    expect(await scan(archive('PPMd', CLEAN))).toMatchObject({ verdict: 'clean' });
  });
});

describe('ZIP methods without a decoder here', () => {
  it.each([['Deflate64', 9]] as const)('%s (method %i) from 7-Zip stays unsupported, its stamp unseen rather than guessed at', async (method, code) => {
    const z = archive(method, MARKED);
    expect((await readZipDirectory(blob(z), testContext()))[0].method).toBe(code);
    const r = await scan(z);
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', location: { part: NAME } });
    expect(r.verdict === 'unscannable' && r.detail).toContain(`method ${code}`);
  });
});
