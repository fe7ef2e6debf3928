/**
 * Byte-level prefilter: could these bytes contain 秘 or ㊙ in any encoding we read?
 * Lets extractors skip decoding parts (XML, binary streams, text) that cannot carry the stamp.
 */

/** The stamp's first character (秘 U+79D8, ㊙ U+3299) in every encoding of MARKINGS.md. */
export const STAMP_NEEDLES: readonly Uint8Array[] = [
  [0xe7, 0xa7, 0x98], // 秘 UTF-8
  [0xe3, 0x8a, 0x99], // ㊙ UTF-8
  [0xd8, 0x79], // 秘 UTF-16LE
  [0x79, 0xd8], // 秘 UTF-16BE
  [0x99, 0x32], // ㊙ UTF-16LE
  [0x32, 0x99], // ㊙ UTF-16BE
  [0x94, 0xe9], // 秘 Shift_JIS / CP932
  [0xc8, 0xeb], // 秘 EUC-JP
  [0x48, 0x6b], // 秘 ISO-2022-JP (after ESC $ B); also plain "Hk", so verify after decoding
].map((b) => Uint8Array.from(b));

/** Index of `needle` in `hay` from `from`, or -1. Uses indexOf on the first byte, which V8 vectorises. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const n = needle.length;
  const last = hay.length - n;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return i;
  }
  return -1;
}

/** True when any needle occurs in `bytes`. */
export function hasAny(bytes: Uint8Array, needles: readonly Uint8Array[]): boolean {
  for (const n of needles) if (indexOfBytes(bytes, n) !== -1) return true;
  return false;
}

const UTF8_NEEDLES = STAMP_NEEDLES.slice(0, 2);
const AMP_HASH = Uint8Array.from([0x26, 0x23]); // "&#": a numeric character reference may spell 秘

/** For UTF-8 markup (XML, HTML): may it contain 秘 or ㊙, literally or as a character reference? */
export function utf8MarkupMayHaveStamp(bytes: Uint8Array): boolean {
  return hasAny(bytes, UTF8_NEEDLES) || indexOfBytes(bytes, AMP_HASH) !== -1;
}
