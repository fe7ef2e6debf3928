/**
 * xz (.xz, .txz, and ZIP members of method 95): every stream of the file (`cat a.xz b.xz` is one
 * valid file), decoded with xz-decompress (xz-embedded compiled to WebAssembly, inlined: no fetch) in
 * 64 KB chunks; CRC32/CRC64 checks are verified by the decoder, SHA-256 ones here (xz-checks.ts). A file's content is one member, named
 * like gzip's (x.tar.xz → x.tar).
 */
import { readBytes, u32 } from '../bytes.js';
import { noWasm } from './libarchive.js';
import { asCorrupt, checkDeclared, singleStream, type ExpansionGuard } from './expansion-guard.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';
import { blockChecker, SHA256_CHECK, withoutChecks } from './xz-checks.js';

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

export const extractXz: Extractor = singleStream('xz stream', decodeXz);

/**
 * Every stream of `data`, handed to `guard` chunk by chunk (xz-decompress copies each out of the
 * wasm heap); a damaged stream is `corrupt`, a WebAssembly the page refuses `unsupported`. The
 * caller checks the guard's declared size and CRC-32 (`finish`), when its container stores them.
 */
export async function decodeXz(data: Blob, guard: ExpansionGuard, ctx: ExtractContext): Promise<void> {
  const streams = await streamBounds(data, ctx);
  // The indexes declare the uncompressed size: a bomb is refused before any decoding.
  checkDeclared(guard.name, streams.reduce((n, s) => n + s.uncompressed, 0), data.size, ctx);
  guard.consumed(data.size); // the ratio is taken against the whole input
  const XzReadableStream = await xzDecoder();
  for (const { start, end } of streams) {
    // SHA-256 checks, which the decoder lacks: the stream without them, each block hashed here.
    const head = await readBytes(data, start, start + 8);
    const sha = (head[7] & 0x0f) === SHA256_CHECK ? withoutChecks(await readBytes(data, start, end), guard.name) : null;
    const checker = sha ? blockChecker(sha.blocks, guard.name) : null;
    const reader = new XzReadableStream((sha ? new Blob([sha.stream]) : data.slice(start, end)).stream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        checker?.add(value);
        guard.produced(value);
      }
      checker?.end();
    } catch (err) {
      await reader.cancel().catch(() => undefined);
      if (err instanceof WebAssembly.CompileError || (err instanceof Error && /WebAssembly|wasm/i.test(err.message))) throw noWasm(err);
      // XZ_OPTIONS_ERROR: a filter (BCJ for executables, delta) or an integrity check this decoder was
      // built without; the stream is not damaged.
      if (err instanceof Error && /error code 6\b/.test(err.message)) {
        throw new ScanError('unsupported', `${guard.name} uses a filter or an integrity check this reader does not have (xz --x86, --arm64, --delta)`);
      }
      throw asCorrupt(err, guard.name);
    }
  }
}

/** Loaded on first use: a module with side effects that the page-level bundles must not carry. */
async function xzDecoder(): Promise<typeof import('xz-decompress').XzReadableStream> {
  // A CommonJS module: bundlers and Node expose its exports as `default`, some loaders by name too.
  const xz = (await import('xz-decompress')) as unknown as typeof import('xz-decompress') & { default?: typeof import('xz-decompress') };
  return xz.default?.XzReadableStream ?? xz.XzReadableStream;
}

/** [start, end) of each stream, found from the end through stream footers and indexes (xz spec §2.1, §4). */
interface Stream {
  start: number;
  end: number;
  /** Uncompressed size its index declares. */
  uncompressed: number;
}

async function streamBounds(blob: Blob, ctx: ExtractContext): Promise<Stream[]> {
  const out: Stream[] = [];
  let end = blob.size;
  while (end > 0) {
    ctx.checkTime();
    // Stream padding: zero bytes in multiples of four between and after streams.
    while (end >= 4 && (await readBytes(blob, end - 4, end)).every((b) => b === 0)) end -= 4;
    if (end < 24) throw new ScanError('corrupt', 'xz stream is truncated');
    const footer = await readBytes(blob, end - 12, end);
    if (footer[10] !== 0x59 || footer[11] !== 0x5a) throw new ScanError('corrupt', 'xz stream footer is damaged');
    const indexSize = (u32(footer, 4) + 1) * 4;
    const indexStart = end - 12 - indexSize;
    if (indexStart < 12) throw new ScanError('corrupt', 'xz index is damaged');
    const blocks = indexSizes(await readBytes(blob, indexStart, end - 12), ctx);
    const start = indexStart - blocks.compressed - 12;
    const header = start >= 0 ? await readBytes(blob, start, start + 6) : new Uint8Array(0);
    if (start < 0 || !MAGIC.every((b, i) => header[i] === b)) throw new ScanError('corrupt', 'xz stream header is damaged');
    out.unshift({ start, end, uncompressed: blocks.uncompressed });
    end = start;
  }
  if (out.length === 0) throw new ScanError('corrupt', 'xz file holds no stream');
  return out;
}

/** Total sizes of the blocks an index lists (compressed, each padded to four bytes, and uncompressed). */
function indexSizes(index: Uint8Array, ctx: ExtractContext): { compressed: number; uncompressed: number } {
  let p = 0;
  const varint = () => {
    let n = 0;
    for (let shift = 1; ; shift *= 128) {
      if (p >= index.length || shift > 2 ** 56) throw new ScanError('corrupt', 'xz index is damaged');
      const b = index[p++];
      n += (b & 0x7f) * shift;
      if (!(b & 0x80)) return n;
    }
  };
  if (index[p++] !== 0) throw new ScanError('corrupt', 'xz index is damaged');
  let compressed = 0;
  let uncompressed = 0;
  for (let records = varint(); records > 0; records--) {
    if (records % 4096 === 0) ctx.checkTime();
    compressed += Math.ceil(varint() / 4) * 4;
    uncompressed += varint(); // the decoder checks each block against it
  }
  return { compressed, uncompressed };
}
