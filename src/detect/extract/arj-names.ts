/**
 * ARJ (arj 3.10 on Linux, ARJ32 on Windows, ARJ on DOS): its methods 1–4 (ARJ's own LZ77 and Huffman) are
 * not decoded here, so an ARJ is unscannable; but its headers are plain, and each member's name, as
 * `arj l` lists it, faces rule 2 first. A header (after `60 EA` and its size) holds its fixed fields, then
 * the name and a comment, each ended by a NUL, then its CRC-32 and extended headers; a member's data follow.
 * Names are the writer's bytes (CP932 from a Japanese Windows or DOS, UTF-8 from Linux): each reading counts.
 */
import { nameReadings, u16, u32 } from '../bytes.js';

/** The largest basic header ARJ writes (arj's HEADERSIZE_MAX); a larger size is damage. */
const MAX_HEADER = 2600;
/** File types whose header names a file (binary, text): not the archive's own (2), a folder (3) or labels (4, 5). */
const FILE_TYPES = new Set([0, 1]);

/** The names of the members of the ARJ archive `b`, each in every reading, up to `max` members. */
export function arjNames(b: Uint8Array, max: number): string[] {
  const out: string[] = [];
  let p = 0;
  for (let n = 0; n <= max && p + 4 <= b.length && b[p] === 0x60 && b[p + 1] === 0xea; n++) {
    const size = u16(b, p + 2);
    if (size === 0 || size > MAX_HEADER || p + 4 + size > b.length) break; // the end, or damage
    const basic = b.subarray(p + 4, p + 4 + size);
    const nameAt = basic[0];
    const nul = basic.indexOf(0, nameAt);
    if (n > 0 && FILE_TYPES.has(basic[6]) && nul > nameAt) out.push(...nameReadings(basic.subarray(nameAt, nul)).map((x) => x.replace(/\\/g, '/')));
    // Its CRC-32, then extended headers (each a size, its bytes and a CRC-32) until a size of 0.
    let q = p + 4 + size + 4;
    for (let ext = u16(b, q); ext > 0 && q + 2 + ext + 4 <= b.length; ext = u16(b, q)) q += 2 + ext + 4;
    q += 2;
    // The main header (the first) has no data; a member's compressed data follow its header.
    p = q + (n > 0 ? u32(b, p + 4 + 12) : 0);
  }
  return [...new Set(out)];
}
