/**
 * CAB file entries (CFFILE), walked beside libarchive for their names. A name is in UTF-8 when its
 * attributes carry _A_NAME_IS_UTF (0x80), else in the code page of the system that wrote it (makecab on
 * a Japanese Windows: CP932). gcab sets the flag whatever the bytes are, so a CP932 name under it is
 * common; libarchive then refuses the whole cabinet ("Pathname cannot be converted"). So:
 * - `cabNames`: each name in every reading a reader could show (the flag's UTF-8 where it is valid,
 *   else CP932, EUC-JP), checked by rule 2;
 * - `cabReadableCopy`: a copy whose flag is cleared where the name is no UTF-8, which libarchive reads
 *   as bytes (CFFILE entries carry no checksum).
 */
import { nameReadings, u16, u32 } from '../bytes.js';

const NAME_IS_UTF = 0x80;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface CabFile {
  /** Offset of the attributes field. */
  attribsAt: number;
  name: Uint8Array;
}

/** Every CFFILE entry, as the header lists them; [] when the walk leaves the file. */
function cabFiles(b: Uint8Array): CabFile[] {
  if (b.length < 36 || u32(b, 0) !== 0x4643534d) return [];
  const out: CabFile[] = [];
  let p = u32(b, 16);
  for (let n = u16(b, 28); n > 0 && p + 16 < b.length; n--) {
    const end = b.indexOf(0, p + 16);
    if (end < 0) break;
    out.push({ attribsAt: p + 14, name: b.subarray(p + 16, end) });
    p = end + 1;
  }
  return out;
}

const validUtf8 = (name: Uint8Array): boolean => {
  try {
    utf8.decode(name);
    return true;
  } catch {
    return false;
  }
};

/** Each member's name in every reading (UTF-8 where flagged and valid, else nameReadings), '\' as '/'. */
export function cabNames(b: Uint8Array): string[] {
  return cabFiles(b).flatMap((f) => {
    const flagged = (u16(b, f.attribsAt) & NAME_IS_UTF) !== 0 && validUtf8(f.name);
    return (flagged ? [utf8.decode(f.name)] : nameReadings(f.name)).map((n) => n.replace(/\\/g, '/'));
  });
}

/** A copy with _A_NAME_IS_UTF cleared where the name is no UTF-8; null when none is. */
export function cabReadableCopy(b: Uint8Array): Uint8Array | null {
  const wrong = cabFiles(b).filter((f) => u16(b, f.attribsAt) & NAME_IS_UTF && !validUtf8(f.name));
  if (!wrong.length) return null;
  const out = b.slice();
  for (const f of wrong) out[f.attribsAt] &= ~NAME_IS_UTF;
  return out;
}
