/**
 * What libarchive's wasm wrapper cannot tell us: whether a header loop ended at the real end of the
 * archive or at damage (its get_next_entry returns NULL for both, often with no error string). These
 * checks of each format's own framing make a truncated or cut archive `corrupt`, never `clean`.
 */
import { readBytes, u32, u64 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import type { ArchiveFormat } from '../sniff.js';

/** A one-line reason when `blob`'s framing says it was cut or damaged, else null. */
export async function framingProblem(format: ArchiveFormat, blob: Blob, files: number): Promise<string | null> {
  if (format === '7z') {
    // Start header: signature(6) version(2) CRC(4) of [next header offset(8), size(8), CRC(4)].
    const h = await readBytes(blob, 0, 32);
    if (h.length < 32 || crc32(h.subarray(12, 32)) !== u32(h, 8)) return '7z start header is damaged';
    if (32 + u64(h, 12) + u64(h, 20) > blob.size) return '7z archive is truncated (its header lies past the end)';
    return null;
  }
  if (format === 'rar') {
    const tail = await readBytes(blob, Math.max(0, blob.size - 16));
    const rar4End = [0xc4, 0x3d, 0x7b, 0x00, 0x40, 0x07, 0x00];
    const rar5End = [0x1d, 0x77, 0x56, 0x51, 0x03, 0x05];
    const endsWith = (sig: number[], at: number) => sig.every((b, i) => tail[at + i] === b);
    if (endsWith(rar4End, tail.length - 7) || endsWith(rar5End, tail.length - 8)) return null;
    return 'RAR archive is truncated (no end-of-archive block)';
  }
  if (format === 'cab') {
    const h = await readBytes(blob, 0, 36);
    if (u32(h, 8) !== blob.size) return 'CAB archive is truncated';
    if ((h[28] | (h[29] << 8)) !== files) return `CAB archive lists ${h[28] | (h[29] << 8)} files, ${files} could be read`;
    return null;
  }
  if (format === 'lzh') {
    const last = await readBytes(blob, blob.size - 1);
    return last[0] === 0 ? null : 'LZH archive is truncated (no end mark)';
  }
  return null;
}
