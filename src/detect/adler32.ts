/**
 * Adler-32, the checksum a zlib stream ends with (RFC 1950), incremental: pass the previous result to
 * go on. The sums are reduced every 5,552 bytes (zlib's NMAX), where they still fit in 32 bits.
 */
export function adler32(data: Uint8Array, prev = 1): number {
  let a = prev & 0xffff;
  let b = prev >>> 16;
  for (let i = 0; i < data.length; ) {
    for (const end = Math.min(data.length, i + 5552); i < end; i++) b += a += data[i];
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
