/**
 * Snappy's raw block format (https://github.com/google/snappy/blob/main/format_description.txt): the
 * uncompressed length as a varint, then literals and back-references. Used by iWork's archives
 * (iwa.ts). A reference before the start, a length that disagrees or bytes past the end are damage,
 * never guessed around.
 */

export class SnappyError extends Error {}

/** Largest block accepted: iWork writes blocks of at most 64 KiB; a larger claim is damage or a bomb. */
export const MAX_SNAPPY_BLOCK = 1 << 24;

export function snappyBlock(src: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) throw new SnappyError('a snappy block with a damaged length');
    const b = src[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > MAX_SNAPPY_BLOCK) throw new SnappyError(`a snappy block claims ${length} bytes`);
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const n = len - 59;
          if (pos + n > src.length) throw new SnappyError('a snappy literal cut short');
          len = 0;
          for (let i = 0; i < n; i++) len += src[pos + i] * 2 ** (8 * i);
          pos += n;
        }
        len += 1;
        if (pos + len > src.length || o + len > length) throw new SnappyError('a snappy literal past the end');
        out.set(src.subarray(pos, pos + len), o);
        pos += len;
        o += len;
        continue;
      }
      case 1:
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[pos++];
        break;
      case 2:
        len = (tag >>> 2) + 1;
        offset = src[pos] | (src[pos + 1] << 8);
        pos += 2;
        break;
      default:
        len = (tag >>> 2) + 1;
        offset = (src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16)) + src[pos + 3] * 2 ** 24;
        pos += 4;
    }
    if (pos > src.length || !(offset > 0) || offset > o || o + len > length) throw new SnappyError('a snappy reference outside the data');
    // Byte by byte: a reference may overlap what it writes (offset < len repeats a pattern).
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset];
  }
  if (o !== length) throw new SnappyError(`a snappy block holds ${o} bytes, its header says ${length}`);
  return out;
}
