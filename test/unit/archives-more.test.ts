/**
 * 7z, RAR, CAB, LZH, xz, bzip2 and zstd: real archives from 7-Zip, xz-utils, bzip2, zstd, jlha and gcab
 * (test/fixtures/archives/make.sh) and RAR 4/5 files from libarchive's own test suite (BSD-2-Clause).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { LIBARCHIVE_WASM_BASE64 } from '../../src/detect/extract/libarchive-wasm.js';

const DIR = join(__dirname, '../fixtures/archives');
const bytes = (n: string) => new Uint8Array(readFileSync(join(DIR, n)));
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const scan = (n: string, opts = {}) => scanBlob(blob(bytes(n)), n, opts);

describe('archives read through libarchive and the stream decoders', () => {
  it.each([
    ['7z-lzma.7z', '7z', ['docs/見積.txt']],
    ['7z-lzma2-solid.7z', '7z', ['docs/長文.txt']],
    ['7z-ppmd.7z', '7z', ['見積.txt']],
    ['7z-stdin.7z', '7z', ['見積.txt']],
    // jlha stores non-ASCII names as "??" under a C locale: only the extension is checked.
    ['lh5.lzh', 'lzh', ['.txt']],
    ['lh6.lzh', 'lzh', ['.txt']],
    ['lh7.lzh', 'lzh', ['.txt']],
    ['cab-mszip.cab', 'cab', ['docs/見積.txt']],
    ['stamp.txt.xz', 'xz', ['stamp.txt']],
    ['two-streams.txt.xz', 'xz', ['two-streams.txt']],
    ['stamp.txt.bz2', 'bzip2', ['stamp.txt']],
    ['two-streams.txt.bz2', 'bzip2', ['two-streams.txt']],
    ['stamp.txt.zst', 'zstd', ['stamp.txt']],
    ['two-frames.txt.zst', 'zstd', ['two-frames.txt']],
    // ZIP members in the methods 7-Zip offers besides deflate (zip-methods.test.ts has their damage cases).
    ['zip-lzma.zip', 'zip', ['docs/長文.txt']],
    ['zip-ppmd.zip', 'zip', ['docs/長文.txt']],
    ['zip-bzip2.zip', 'zip', ['docs/長文.txt']],
    ['zip-xz.zip', 'zip', ['docs/長文.txt']],
  ] as const)('%s: the stamp in a member is found, with its path', async (name, format, path) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, format });
    if (r.verdict !== 'marked') return;
    expect(r.location.path).toHaveLength(path.length);
    r.location.path.forEach((p, i) => expect(p.endsWith(path[i])).toBe(true));
  });

  it('a stamped docx inside a 7z is found in its footer', async () => {
    const r = await scan('7z-docx.7z');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['report.docx'] } });
  });

  it.each(['7z-name.7z', 'named.tar.xz', 'named.tar.bz2', 'named.tar.zst'])('%s: a member named 秘—… marks it (rule 2), through tar', async (name) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 2, reason: 'name' });
    if (r.verdict === 'marked') expect(r.location.path.at(-1)).toMatch(/秘—見積\.txt$/);
  });

  it.each(['7z-clean.7z', 'clean.tar.xz', 'clean.tbz2', 'clean.tar.zst', 'cab-stored-clean.cab', 'lh0-clean.lzh', 'libarchive-rar4-unicode.rar', 'libarchive-rar5-unicode.rar'])(
    '%s: clean stays clean',
    async (name) => {
      expect(await scan(name)).toMatchObject({ verdict: 'clean' });
    },
  );

  it('RAR 4 and 5 members are really read (a designated keyword in their text is found)', async () => {
    expect(await scan('libarchive-rar5-unicode.rar', { designated: { keywords: ['This is from'] } })).toMatchObject({ verdict: 'marked', rule: 3 });
  });

  it('7z with -p: member names are still checked (rule 2), the rest is encrypted', async () => {
    expect(await scan('7z-enc-name.7z')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('7z-enc-clean.7z')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
    // A document member is not judged by its (unread, empty) content: the reason stays the password.
    expect(await scan('7z-enc-docx.7z')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });

  it('a 7z split into volumes (7z -v): no piece is clean alone; later pieces say they need the others', async () => {
    const whole = bytes('7z-lzma2-solid.7z');
    const cut = Math.floor(whole.length / 3);
    const piece = (b: Uint8Array, name: string) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name);
    expect(await piece(whole.subarray(0, cut), 'x.7z.001')).toMatchObject({ verdict: 'unscannable' });
    for (const name of ['x.7z.002', '資料.zip.003', 'x.z01', 'x.r00'])
      expect(await piece(whole.subarray(cut, 2 * cut), name)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    // Not a volume name: the same bytes are an unknown file, searched as bytes.
    expect(await piece(whole.subarray(cut, 2 * cut), 'x.bin')).toMatchObject({ verdict: 'clean' });
  });

  it('7z with -mhe=on (names hidden too) is encrypted', async () => {
    expect(await scan('7z-enc-headers.7z')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });

  it.each(['7z-lzma.7z', '7z-lzma2-solid.7z', 'lh5.lzh', 'cab-mszip.cab', 'stamp.txt.xz', 'stamp.txt.bz2', 'stamp.txt.zst', 'libarchive-rar5-unicode.rar', 'libarchive-rar4-unicode.rar'])(
    '%s truncated at every tenth of its length is never clean',
    async (name) => {
      const b = bytes(name);
      for (let i = 1; i < 10; i++) {
        const cut = Math.floor((b.length * i) / 10);
        const r = await scanBlob(blob(b.subarray(0, cut)), name);
        expect([r.verdict, cut]).not.toEqual(['clean', cut]);
      }
    },
  );

  it.each([
    ['bomb-2g.bz2', 'bzip2'],
    ['bomb-300m.7z', '7z'],
    ['bomb-300m.zst', 'zstd'],
  ])('%s (zeros) ends unscannable as a bomb, quickly', async (name) => {
    const t = performance.now();
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'expansion-ratio' });
    // A guard against hangs only; the real figures come from `npm run bench engine-archives`.
    expect(performance.now() - t).toBeLessThan(10_000);
  });

  it.each(['lzh-sjis-stamp.lzh', 'lzh-sjis-name.lzh'])('LZH with Shift_JIS member names (Japanese Windows tools): %s is read and marked in 見積.txt', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, format: 'lzh', location: { path: ['見積.txt'] } });
  });

  it.each(['lzh-sjis-lh5-h0.lzh', 'lzh-sjis-lh6-h1.lzh', 'lzh-sjis-lh7-h2.lzh'])('%s: Shift_JIS names, every method and header level: content read, path decoded', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, format: 'lzh', location: { path: ['見積書.txt'] } });
  });

  it('LZH with Shift_JIS names: a 秘― name (trail byte 0x5C, no path separator) marks it by rule 2; traps alone are clean', async () => {
    expect(await scan('lzh-sjis-name-only.lzh')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘―見積.txt'] } });
    expect(await scan('lzh-sjis-clean.lzh')).toMatchObject({ verdict: 'clean', format: 'lzh' });
  });

  it('a Shift_JIS LZH whose member CRC fails is corrupt, never clean (the rewritten copy keeps the check)', async () => {
    const b = bytes('lzh-sjis-lh5-h0.lzh');
    b[200] ^= 0x10; // inside the first member's compressed data
    expect(await scanBlob(blob(b), 'x.lzh')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('zstd content checksums (XXH64) are verified: a flipped byte in a raw block is corrupt, as zstd -t says', async () => {
    expect(await scan('damaged-checksum.bin.zst')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scan('empty.zst')).toMatchObject({ verdict: 'clean', format: 'zstd' });
    // The same file unflipped is clean: the checksum itself is computed right.
    const fixed = bytes('damaged-checksum.bin.zst');
    fixed[100] ^= 1;
    expect(await scanBlob(blob(fixed), 'noise.bin.zst')).toMatchObject({ verdict: 'clean', format: 'zstd' });
    // A flipped stored checksum is caught too.
    const badSum = bytes('stamp.txt.zst');
    badSum[badSum.length - 1] ^= 0x40;
    expect(await scanBlob(blob(badSum), 'stamp.txt.zst')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('a zstd or xz file whose first bytes hold a PDF header (raw literals) is read as zstd/xz, not as a PDF', async () => {
    const pdfHead = new TextEncoder().encode('%PDF-1.7\n');
    for (const name of ['clean.tar.zst', 'stamp.txt.xz']) {
      const b = bytes(name);
      const padded = new Uint8Array(b.length + 0);
      padded.set(b);
      // The sniffer looks at the first 1 KB: put a PDF header inside it, past the signature.
      const probe = new Uint8Array(2048);
      probe.set(padded.subarray(0, Math.min(padded.length, 2048)));
      probe.set(pdfHead, 40);
      const r = await scanBlob(blob(probe), name);
      expect(r.format).toBe(name.endsWith('.zst') ? 'zstd' : 'xz');
    }
  });

  it('the inlined libarchive.wasm is the one in node_modules (regenerate with scripts/gen-libarchive-wasm.js)', () => {
    const installed = readFileSync(join(__dirname, '../../node_modules/libarchive.js/src/webworker/wasm-gen/libarchive.wasm'));
    expect(LIBARCHIVE_WASM_BASE64).toBe(installed.toString('base64'));
  });
});
