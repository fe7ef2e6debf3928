/**
 * A PowerPoint 97-2003 paragraph's bullet character, written before it as the slide shows it: 「秘」 as the
 * bullet of 「Confidential」 shows 「秘 Confidential」 (LibreOffice's .ppt of a PowerPoint buChar). The
 * bullet is in the text's StyleTextPropAtom, one TextPFRun per run of paragraphs ([MS-PPT] 2.9.44, 2.9.18
 * TextPFException): its masks say which fields follow, in a fixed order.
 */

/** Field sizes of a TextPFException in stored order, by the PFMasks bits that bring each in. */
const FIELDS: readonly [mask: number, size: number][] = [
  [0x0000000f, 2], // bulletFlags (hasBullet, bulletHasFont, bulletHasColor, bulletHasSize)
  [0x00000080, 2], // bulletChar
  [0x00000010, 2], // bulletFontRef
  [0x00000040, 2], // bulletSize
  [0x00000020, 4], // bulletColor
  [0x00000800, 2], // textAlignment
  [0x00001000, 2], // lineSpacing
  [0x00002000, 2], // spaceBefore
  [0x00004000, 2], // spaceAfter
  [0x00000100, 2], // leftMargin
  [0x00000400, 2], // indent
  [0x00008000, 2], // defaultTabSize
  [0x00100000, -1], // tabStops: a count, then 4 bytes each
  [0x00010000, 2], // fontAlign
  [0x000e0000, 2], // wrapFlags
  [0x00200000, 2], // textDirection
];

/**
 * `raw` (the text atom's characters, paragraphs ended by CR) with each bulleted paragraph's bullet
 * character and a tab before it; `raw` itself when no paragraph shows one or the style atom is damaged.
 * A bullet character given without the flags that switch it on is taken as shown (the flags then come
 * from the master, not read here): it was written for a reason.
 */
export function withPptBullets(raw: string, style: Uint8Array): string {
  const dv = new DataView(style.buffer, style.byteOffset, style.byteLength);
  const bullets: { from: number; to: number; char: string }[] = [];
  let at = 0;
  let pos = 0;
  while (pos <= raw.length && at + 10 <= style.length) {
    const count = dv.getUint32(at, true);
    const masks = dv.getUint32(at + 6, true);
    at += 10;
    let flags: number | null = null;
    let char: number | null = null;
    for (const [mask, size] of FIELDS) {
      if (!(masks & mask)) continue;
      const n = size < 0 ? (at + 2 <= style.length ? 2 + 4 * dv.getUint16(at, true) : 2) : size;
      if (at + n > style.length) return raw;
      if (mask === 0x0f) flags = dv.getUint16(at, true);
      if (mask === 0x80) char = dv.getUint16(at, true);
      at += n;
    }
    if (char !== null && char >= 0x20 && (flags === null || flags & 1)) bullets.push({ from: pos, to: pos + count, char: String.fromCharCode(char) });
    if (count === 0) break;
    pos += count;
  }
  if (!bullets.length) return raw;
  let out = '';
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== '\r') continue;
    // An empty paragraph shows no bullet.
    const b = i > start ? bullets.find((r) => start >= r.from && start < r.to) : undefined;
    out += (b ? `${b.char}\t` : '') + raw.slice(start, i) + (i < raw.length ? '\r' : '');
    start = i + 1;
  }
  return out;
}
