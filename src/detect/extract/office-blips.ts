/**
 * The metafile pictures of an OfficeArt picture store ([MS-ODRAW] 2.2.23 OfficeArtBStoreContainerFileBlock):
 * a PowerPoint 97-2003 file's `Pictures` stream. LibreOffice writes a shape PowerPoint has no form for (a
 * callout, 「秘 Confidential」 in it) as a WMF picture there, its text in the metafile's text records and
 * deflated, so neither the slide's text nor a byte search sees it. Each EMF or WMF is handed on as it is
 * drawn (metafile.ts); bitmaps hold no text.
 */
import { u16, u32 } from '../bytes.js';

/** One metafile picture: its bytes as stored, whether deflated (a zlib stream), and its size drawn. */
export interface MetafileBlip {
  kind: 'emf' | 'wmf';
  data: Uint8Array;
  deflated: boolean;
  size: number;
}

const FBSE = 0xf007;
const BLIP_EMF = 0xf01a;
const BLIP_WMF = 0xf01b;
/** rh (8), then rgbUid1 (16): a second UID (16) follows when the instance is the odd one (0x3D5, 0x217). */
const RH = 8;
const UID = 16;
/** OfficeArtMetafileHeader: cbSize, rcBounds (16), ptSize (8), cbSave, compression, filter. */
const META_HEADER = 34;
/** FBSE's fixed part before its name and embedded picture. */
const FBSE_FIXED = 36;

/** The store's metafiles, in order; damaged records end the walk (the pictures before them are kept). */
export function metafileBlips(b: Uint8Array): { blips: MetafileBlip[]; damaged: boolean } {
  const blips: MetafileBlip[] = [];
  let at = 0;
  while (at + RH <= b.length) {
    const type = u16(b, at + 2);
    const len = u32(b, at + 4);
    const end = at + RH + len;
    if (end > b.length || type < 0xf000) return { blips, damaged: true };
    let blip = at;
    if (type === FBSE) {
      // An FBSE holding its picture: the picture's record follows the entry's name.
      const name = b[at + RH + 33] ?? 0;
      blip = at + RH + FBSE_FIXED + name;
      if (blip + RH > end) {
        at = end;
        continue;
      }
    }
    const t = u16(b, blip + 2);
    if (t === BLIP_EMF || t === BLIP_WMF) {
      const inst = u16(b, blip) >> 4;
      const head = blip + RH + UID * (inst & 1 ? 2 : 1);
      const blipEnd = Math.min(end, blip + RH + u32(b, blip + 4));
      if (head + META_HEADER > blipEnd) return { blips, damaged: true };
      const compression = b[head + 32];
      const data = b.subarray(head + META_HEADER, Math.min(blipEnd, head + META_HEADER + u32(b, head + 28)));
      blips.push({ kind: t === BLIP_EMF ? 'emf' : 'wmf', data, deflated: compression === 0, size: u32(b, head) });
    }
    at = end;
  }
  return { blips, damaged: at !== b.length };
}
