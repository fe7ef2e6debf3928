/**
 * RPM packages: a lead, a signature header and a header (tags: names, scripts, descriptions), then
 * the payload, a cpio archive compressed with gzip, xz, bzip2 or zstd (Fedora and RHEL 9 default to
 * zstd). libarchive reads the package (its RPM filter finds the payload, and its xz decoder takes the
 * SHA-256 check rpm writes, which ours refuses), except a zstd payload, which it would hand to an outside
 * program: that one is a member, read by our zstd decoder and then as cpio. The headers' strings (names,
 * summaries, scripts) are searched as bytes.
 */
import { readBytes, startsWith, u32be } from '../bytes.js';
import { archiveExtractor } from './archive.js';
import { extractBinary } from './binary.js';
import { ScanError, type Extractor } from './types.js';

const LEAD = 96;
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
/** How a payload starts: gzip, xz, bzip2, LZMA (rpm's lzma: properties 0x5d, dictionary), zstd, or a bare cpio (newc, crc, odc). */
const PAYLOADS = [[0x1f, 0x8b], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x42, 0x5a, 0x68], [0x5d, 0x00, 0x00], ZSTD, [0x30, 0x37, 0x30, 0x37, 0x30]];
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01];

/** The size of the header structure at `at`: its magic, index entries (16 bytes each) and data store. */
async function headerSize(blob: Blob, at: number): Promise<number> {
  const h = await readBytes(blob, at, at + 16);
  if (h.length < 16 || !HEADER_MAGIC.every((b, i) => h[i] === b)) throw new ScanError('corrupt', `RPM header at ${at} is damaged`);
  return 16 + u32be(h, 8) * 16 + u32be(h, 12);
}

export const extractRpm: Extractor = async function* (blob, ctx) {
  const signature = await headerSize(blob, LEAD);
  // The signature header is padded to a multiple of 8 bytes; the main header follows it.
  const main = LEAD + Math.ceil(signature / 8) * 8;
  const payload = main + (await headerSize(blob, main));
  if (payload >= blob.size) throw new ScanError('corrupt', 'RPM package is truncated (no payload)');
  yield* extractBinary(blob.slice(0, payload), ctx);
  const data = blob.slice(payload);
  const head = await readBytes(data, 0, 6);
  // libarchive finds no files, and says nothing, in a payload it does not recognise (overwritten, or a
  // compressor it lacks): a package whose files were not read is not clean.
  if (!PAYLOADS.some((sig) => startsWith(head, sig))) throw new ScanError('corrupt', 'RPM payload is not a cpio archive in a known compression');
  if (!startsWith(head, ZSTD)) return yield* readPackage(blob, ctx);
  ctx.addEntry();
  yield { kind: 'member', name: 'payload.cpio', data };
};

const readPackage = /* @__PURE__ */ archiveExtractor('rpm');
