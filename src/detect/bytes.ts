/** Small helpers for reading binary structures out of Blobs and byte arrays. */
import { RANGE_READ, readRange, type RangeRead } from './range-read.js';

/** Blob.slice's offsets resolved against `size`: negative from the end, clamped, the end not before the start. */
export function sliceRange(size: number, start: number, end: number): [number, number] {
  const at = (n: number) => Math.max(0, Math.min(size, n < 0 ? size + n : n));
  return [at(start), Math.max(at(start), at(end))];
}

/**
 * Bytes [start, end) of `blob`, the caller's own to keep or change. Through the Blob's RANGE_READ when
 * it has one (range-read.ts: the scan worker's read-ahead, which holds the bytes), copied: a slice would
 * register a new blob with the browser process on every read, a cost per ZIP member, not per byte.
 */
export async function readBytes(blob: Blob, start = 0, end = blob.size): Promise<Uint8Array> {
  if (RANGE_READ in blob) return (await readRange(blob, ...sliceRange(blob.size, start, end))).slice();
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

export const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
export const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
/** Big-endian 32-bit (RPM headers, zlib's Adler-32, UTF-32BE). */
export const u32be = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
/** Little-endian 64-bit as a JS number (exact up to 2^53, more than any file we accept). */
export const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/**
 * `n` characters at `off` as Excel's binary strings hold them: two bytes each (UTF-16LE) when `high`, else
 * one byte each, the character's code (BIFF8's compressed strings). The caller keeps `n` within `b`.
 */
export function biffChars(b: Uint8Array, off: number, n: number, high: boolean): string {
  let s = '';
  // In pieces: String.fromCharCode takes a bounded number of arguments.
  for (let i = 0; i < n; i += 4096) {
    const m = Math.min(4096, n - i);
    const codes = new Array<number>(m);
    for (let j = 0; j < m; j++) {
      const p = off + (i + j) * (high ? 2 : 1);
      codes[j] = high ? b[p] | (b[p + 1] << 8) : b[p];
    }
    s += String.fromCharCode(...codes);
  }
  return s;
}

export function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 when valid, else the given legacy encoding (Japanese Windows zips name members in CP932). */
export function decodeName(bytes: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return new TextDecoder('utf-8').decode(bytes);
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    // Shift_JIS (Windows), or EUC-JP (a Unix system's names): EUC-JP's two-byte characters read as
    // Shift_JIS turn into half-width katakana, which EUC-JP names then are not.
    const sjis = fatal('shift_jis', bytes);
    if (sjis !== null && !HALF_WIDTH_KANA.test(sjis)) return sjis;
    return fatal('euc-jp', bytes) ?? sjis ?? new TextDecoder('shift_jis').decode(bytes);
  }
}
const HALF_WIDTH_KANA = /[\uff61-\uff9f]/;
/**
 * Every reading of a name stored without its encoding that a Japanese reader could show (UTF-8, CP932,
 * EUC-JP, each where the bytes are valid in it), decodeName's first: which one the writer meant is not
 * recorded (an LZH from LHa for UNIX is EUC-JP, one from LHA32 CP932), so rule 2 checks them all.
 */
export function nameReadings(bytes: Uint8Array): string[] {
  const strict = ['utf-8', 'shift_jis', 'euc-jp'].map((label) => fatal(label, bytes));
  // None fits: a byte of the name damaged. The rest of it reads as before (「秘—見?.txt」 still starts as it
  // did), in the two Japanese encodings, the damaged character replaced.
  const lossy = strict.every((x) => x === null) ? ['shift_jis', 'euc-jp'].map((label) => new TextDecoder(label).decode(bytes)) : [];
  return [...new Set([decodeName(bytes, false), ...strict, ...lossy].filter((x): x is string => x !== null))];
}

/**
 * The bytes of a name 7-Zip escaped: 7-Zip on Linux and macOS (7zz) keeps a file name's bytes that are not
 * UTF-8 (a CP932 or EUC-JP name on a Samba share or from an unpacked Windows archive) in a 7z as U+EF80–U+EFFF,
 * one character a byte, and writes those bytes back on extraction. Null for a name without such a character.
 */
export function sevenZipNameBytes(name: string): Uint8Array | null {
  if (!/[\uef80-\uefff]/.test(name)) return null;
  const out: number[] = [];
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xef80 && c <= 0xefff) out.push(c - 0xef00);
    else out.push(...utf8Encoder.encode(ch));
  }
  return Uint8Array.from(out);
}
const utf8Encoder = new TextEncoder();

function fatal(label: string, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A string of one-byte characters (latin1, what atob gives) as those bytes; each UTF-16 unit taken mod 256. */
/** Bytes from hex digits, two per byte (an odd last digit is dropped). */
export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * A Blob of bytes we produced ourselves (an attachment decoded from base64, an inflated part): it
 * serves what the extractors use (size, slice, arrayBuffer, bytes, text, stream) straight from the
 * array. A platform Blob would copy the bytes in, and hand them back through its own reader
 * (an IPC round trip in a browser, a 64 KiB-chunk stream in Node) on every slice read.
 */
export const blobOf = (bytes: Uint8Array): Blob => new BytesBlob(bytes) as unknown as Blob;

class BytesBlob {
  readonly type = '';
  constructor(private readonly data: Uint8Array) {}

  get size(): number {
    return this.data.length;
  }

  /** Like Blob.slice: negative offsets count from the end; no copy. */
  slice(start = 0, end = this.size): BytesBlob {
    return new BytesBlob(this.data.subarray(...sliceRange(this.size, start, end)));
  }

  /** The engine's forward reads (range-read.ts): a view, no copy; the reader only reads it. */
  readonly [RANGE_READ]: RangeRead = (start, end) => Promise.resolve(this.data.subarray(start, end));

  /** A copy, as a Blob gives: the reader may keep or change it. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.data.slice() as Uint8Array<ArrayBuffer>;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(this.data);
  }

  stream(): ReadableStream<Uint8Array> {
    let at = 0;
    const data = this.data;
    return new ReadableStream({
      pull(controller) {
        if (at >= data.length) return controller.close();
        controller.enqueue(data.slice(at, (at += STREAM_CHUNK)));
      },
    });
  }
}

const STREAM_CHUNK = 1 << 20;

/** One array holding `chunks` in order (no copy when there is only one). */
export function concat(chunks: Uint8Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Offset of the first `needle` in `buf` at or after `from`, or -1 (the first byte found natively, the rest compared). */
export function indexOfBytes(buf: Uint8Array, needle: Uint8Array, from = 0): number {
  for (let i = buf.indexOf(needle[0], from); i >= 0 && i + needle.length <= buf.length; i = buf.indexOf(needle[0], i + 1)) {
    let k = 1;
    while (k < needle.length && buf[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** Whether a stream's bytes, pushed chunk by chunk, hold `needle` (also across a chunk's end). */
export class NeedleWatch {
  found = false;
  private tail: Uint8Array = new Uint8Array(0);
  constructor(private readonly needle: Uint8Array) {}

  readonly push = (chunk: Uint8Array): void => {
    if (this.found || chunk.length === 0) return;
    const buf = this.tail.length ? concat([this.tail, chunk]) : chunk;
    this.found = indexOfBytes(buf, this.needle) >= 0;
    this.tail = buf.slice(Math.max(0, buf.length - this.needle.length + 1));
  };
}

/**
 * Whether every byte of `b` is ASCII (under 0x80), sixteen bytes at a time: what a check of UTF-8 can skip, as a
 * sheet of markup mostly is (decoding 56 MB of it to text only to throw the text away cost ~50 ms). Four
 * words a turn: a word a turn had taken ~25 ms of the 56 MB sheet, four take ~10.
 */
export function asciiOnly(b: Uint8Array): boolean {
  const n = b.length;
  const lead = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  let high = 0;
  for (let i = 0; i < lead; i++) high |= b[i];
  // (All read already: the offset may be unaligned, and a view there throws even when empty.) Int32: no
  // word read is a number too large for a small integer.
  const words = lead < n ? new Int32Array(b.buffer, b.byteOffset + lead, (n - lead) >>> 2) : new Int32Array(0);
  const m = words.length;
  let w = 0;
  for (; w + 4 <= m; w += 4) high |= words[w] | words[w + 1] | words[w + 2] | words[w + 3];
  for (; w < m; w++) high |= words[w];
  for (let i = lead + m * 4; i < n; i++) high |= b[i];
  return (high & 0x80808080) === 0;
}

/** Control bytes text files hold (tab, line feed, form feed, carriage return, ESC), as a bit per byte. */
const TEXT_CONTROLS = (1 << 0x09) | (1 << 0x0a) | (1 << 0x0c) | (1 << 0x0d) | (1 << 0x1b);

/**
 * Whether `b` holds no control character but those text files hold (tab, line breaks, form feed, ESC),
 * and the ones in `more`.
 *
 * Read four bytes at a time: this sees every member's first 64 KiB twice (sniff, then the text reader),
 * 112 MB for a ZIP of 3,000 source files, and a byte loop was a fifth of that scan's time. A word
 * holds a byte under 0x20 exactly when `(x - 0x20202020) & ~x & 0x80808080` is not 0; only such
 * words (a line break's, about one in twenty in prose) are looked at byte by byte.
 */
export function textControlsOnly(b: Uint8Array, more: readonly number[] = []): boolean {
  let allowed = TEXT_CONTROLS;
  for (const c of more) if (c < 0x20) allowed |= 1 << c;
  const ok = (c: number): boolean => c >= 0x20 || ((allowed >>> c) & 1) === 1;
  const n = b.length;
  const lead = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  for (let i = 0; i < lead; i++) if (!ok(b[i])) return false;
  // (All read already: the offset may be unaligned, and a view there throws even when empty.)
  const words = lead < n ? new Uint32Array(b.buffer, b.byteOffset + lead, (n - lead) >>> 2) : new Uint32Array(0);
  for (let w = 0; w < words.length; w++) {
    const x = words[w];
    if (((x - 0x20202020) & ~x & 0x80808080) === 0) continue;
    const at = lead + w * 4;
    if (!ok(b[at]) || !ok(b[at + 1]) || !ok(b[at + 2]) || !ok(b[at + 3])) return false;
  }
  for (let i = lead + words.length * 4; i < n; i++) if (!ok(b[i])) return false;
  return true;
}
