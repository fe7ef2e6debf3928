/**
 * gzip (.gz, .tgz): the stream (all concatenated members), inflated with the same bomb guards as
 * ZIP members and checked against each member's CRC-32 and length (inflate.ts).
 */
import { readBytes } from '../bytes.js';
import { decodeText } from './text.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';
import { gunzip } from './inflate.js';

export const extractGzip: Extractor = async function* (blob, ctx) {
  const head = await readBytes(blob, 0, Math.min(blob.size, 64 * 1024));
  if (head.length < 18 || head[0] !== 0x1f || head[1] !== 0x8b || head[2] !== 8) throw new ScanError('corrupt', 'not a gzip stream');
  const flags = head[3];
  let p = 10;
  if (flags & 4) p += 2 + (head[p] | (head[p + 1] << 8));
  let name = '';
  if (flags & 8) {
    const end = head.indexOf(0, p);
    if (end < 0) throw new ScanError('corrupt', 'gzip header is damaged');
    // The spec says ISO-8859-1, but gzip stores the name's bytes as they are: UTF-8 on Linux, CP932 on Japanese Windows.
    name = decodeText(head.subarray(p, end));
    p = end + 1;
  }
  if (flags & 16) {
    // A comment (`gzip` keeps one; archivers such as 7-Zip show it): text, like a ZIP's comment.
    const end = head.indexOf(0, p);
    if (end < 0) throw new ScanError('corrupt', 'gzip header is damaged');
    yield { kind: 'text', text: decodeText(head.subarray(p, end)), where: { area: 'comments' } };
    p = end + 1;
  }
  if (flags & 2) p += 2;
  if (p <= 0 || p >= blob.size) throw new ScanError('corrupt', 'gzip header is damaged');
  ctx.addEntry();
  const data = await gunzip(blob, ctx, name || 'gzip member').catch(async (err: unknown) => {
    const end = err instanceof ScanError && err.reason === 'corrupt' ? await paddingStart(blob) : -1;
    if (end < 0) throw err;
    return unpadded(blob, end, ctx, name || 'gzip member', err);
  });
  // No stored name: the scanner names the member after the archive (x.txt.gz → x.txt).
  yield { kind: 'member', name, data };
};

/** The shortest gzip member: a 10-byte header, an empty final block (2 bytes), the CRC-32 and length. */
const MIN_MEMBER = 20;

/** Where zero bytes to the end of `blob` start, or -1 when it does not end with one. */
async function paddingStart(blob: Blob): Promise<number> {
  const STEP = 1 << 20;
  for (let end = blob.size; end > 0; end -= STEP) {
    const b = await readBytes(blob, Math.max(0, end - STEP), end);
    let i = b.length;
    while (i > 0 && b[i - 1] === 0) i--;
    // However few: the trailer's own zeros (a length under 16 MiB ends in one) may be among them.
    if (i > 0) return end - b.length + i < blob.size ? end - b.length + i : -1;
  }
  return -1;
}

/**
 * gzip itself ignores zeros after the last member (padding to a tape's or a device's block size): the
 * stream ends where they start, or up to 8 bytes later (its trailer may end in zeros). The first end
 * whose members all pass their CRC-32 and length checks is the stream; none: the first error stands.
 */
async function unpadded(blob: Blob, from: number, ctx: ExtractContext, name: string, first: unknown): Promise<Blob> {
  // Zeros that start inside the first member's header (a block overwritten from there on) are no padding:
  // a member is at least 18 bytes (header, an empty block, trailer), and a shorter "stream" is none at all.
  for (let end = Math.max(from, MIN_MEMBER); end <= Math.min(blob.size, from + 8); end++) {
    try {
      return await gunzip(blob.slice(0, end), ctx, name);
    } catch {
      // not this end
    }
  }
  throw first;
}
