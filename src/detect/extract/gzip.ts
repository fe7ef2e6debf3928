/**
 * gzip (.gz, .tgz): the stream (all concatenated members), inflated with the same bomb guards as
 * ZIP members and checked against each member's CRC-32 and length (inflate.ts).
 */
import { readBytes } from '../bytes.js';
import { decodeText } from './text.js';
import { ScanError, type Extractor } from './types.js';
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
  if (flags & 16) p = head.indexOf(0, p) + 1;
  if (flags & 2) p += 2;
  if (p <= 0 || p >= blob.size) throw new ScanError('corrupt', 'gzip header is damaged');
  ctx.addEntry();
  const data = await gunzip(blob, ctx, name || 'gzip member');
  // No stored name: the scanner names the member after the archive (x.txt.gz → x.txt).
  yield { kind: 'member', name, data };
};

