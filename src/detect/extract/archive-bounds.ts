/**
 * What libarchive's wasm wrapper cannot tell us: whether a header loop ended at the real end of the
 * archive or at damage (its get_next_entry returns NULL for both, often with no error string). These
 * checks of each format's own framing make a truncated or cut archive `corrupt`, never `clean`.
 */
import { readBytes, u32, u64 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import type { ArchiveFormat } from '../sniff.js';
import { octal, zerosToEnd } from './tar.js';
import type { ExtractContext, Extracted } from './types.js';
import { AFTER_ARCHIVE } from '../member-names.js';

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
    const tail = await readBytes(blob, Math.max(0, blob.size - 24));
    const rar4End = [0xc4, 0x3d, 0x7b, 0x00, 0x40, 0x07, 0x00];
    const rar5End = [0x1d, 0x77, 0x56, 0x51, 0x03, 0x05];
    const endsWith = (sig: number[], at: number) => sig.every((b, i) => tail[at + i] === b);
    // Up to 7 zero bytes may follow: a signed self-extractor's archive is padded to 8 bytes before its
    // signature (signtool, osslsigncode), and the archive is cut where the signature starts (picture-archive.ts).
    for (let pad = 0; pad < 8 && (pad === 0 || tail[tail.length - pad] === 0); pad++) {
      if (endsWith(rar4End, tail.length - pad - 7) || endsWith(rar5End, tail.length - pad - 8)) return null;
    }
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
  if (format === 'cpio') return cpioEnd(blob);
  if (format === 'ar') return arFraming(blob);
  if (format === 'iso') return isoSize(blob);
  if (format === 'v7tar') return v7tarFraming(blob);
  return null;
}

/**
 * Every cpio format (newc, crc, odc, old binary) ends with an entry named TRAILER!!!, then padding. That
 * the entries lead there is checked once the archive is read (archive.ts, with archiveEnd's walk).
 */
async function cpioEnd(blob: Blob): Promise<string | null> {
  const tail = await readBytes(blob, Math.max(0, blob.size - 16384));
  return new TextDecoder('latin1').decode(tail).includes('TRAILER!!!') ? null : 'cpio archive is truncated (no TRAILER!!! entry)';
}

/** Unix ar: `!<arch>\n`, then members of a 60-byte header (size in decimal at 48) and data padded to 2 bytes. */
async function arFraming(blob: Blob): Promise<string | null> {
  let at = 8;
  for (let n = 0; at < blob.size; n++) {
    if (n > 1_000_000) return 'ar archive has too many members';
    const h = new TextDecoder('latin1').decode(await readBytes(blob, at, at + 60));
    if (h.length < 60 || h.slice(58, 60) !== '`\n') return 'ar archive is truncated or damaged (a member header is cut or broken)';
    const size = Number(h.slice(48, 58).trim());
    if (!Number.isSafeInteger(size) || size < 0) return 'ar archive has a damaged member header';
    at += 60 + size + (size & 1);
    if (at - (size & 1) > blob.size) return 'ar archive is truncated (a member runs past the end)';
  }
  return null;
}

/** An ISO 9660 image holds as many blocks as its primary volume descriptor says (sector 16). */
async function isoSize(blob: Blob): Promise<string | null> {
  const pvd = await readBytes(blob, 16 * 2048, 16 * 2048 + 132);
  if (pvd.length < 132 || pvd[0] !== 1) return null; // a UDF-only image: its own reader checks it
  const blocks = u32(pvd, 80);
  const blockSize = pvd[128] | (pvd[129] << 8);
  return blocks * blockSize > blob.size ? `ISO image is truncated (${blob.size} of the ${blocks * blockSize} bytes its volume descriptor gives)` : null;
}

/** A tar without the ustar magic (V7): headers and their data, to two zero blocks. */
async function v7tarFraming(blob: Blob): Promise<string | null> {
  let at = 0;
  for (let n = 0; at + 512 <= blob.size; n++) {
    if (n > 1_000_000) return 'tar archive has too many members';
    const h = await readBytes(blob, at, at + 512);
    // The end, when zeros run to the end of the file; else a header zeroed in the middle (GNU tar: "A lone
    // zero block"), where libarchive stops with no error and the members after it go unread.
    if (h.every((b) => b === 0)) return (await zerosToEnd(blob, at + 512)) ? null : `tar archive has a lone zero block at ${at}, with data after it: a header in the middle is damaged`;
    let size: number;
    try {
      size = octal(h, 124, 12);
    } catch {
      return 'tar header is damaged';
    }
    if (!Number.isSafeInteger(size)) return 'tar header is damaged';
    at += 512 + Math.ceil(size / 512) * 512;
    if (at > blob.size) return 'tar archive is truncated';
  }
  return 'tar archive is truncated (no end-of-archive marker)';
}

/**
 * Where the archive in `bytes` (the whole file, as the libarchive readers hold it) ends by its own framing
 * (7z's start header, cpio's TRAILER!!! entry, an ISO 9660 volume's size); null when that is not known.
 * Readers stop there: what follows is read by afterArchive.
 */
export function archiveEnd(format: ArchiveFormat, bytes: Uint8Array): number | null {
  if (format === '7z') return bytes.length < 32 ? null : 32 + u64(bytes, 12) + u64(bytes, 20);
  if (format === 'cpio') return cpioTrailerEnd(bytes);
  if (format === 'iso') {
    const pvd = bytes.subarray(16 * 2048, 16 * 2048 + 132);
    return pvd.length < 132 || pvd[0] !== 1 ? null : u32(pvd, 80) * (pvd[128] | (pvd[129] << 8));
  }
  return null;
}

/** Entries followed to find cpio's end, as arFraming's bound. */
const MAX_CPIO_ENTRIES = 1_000_000;

/** The end of a cpio archive's TRAILER!!! entry (newc and crc, odc, old binary either byte order); null when damaged. */
function cpioTrailerEnd(b: Uint8Array): number | null {
  const latin1 = new TextDecoder('latin1');
  const text = (from: number, to: number) => latin1.decode(b.subarray(from, to));
  let at = 0;
  for (let n = 0; n < MAX_CPIO_ENTRIES && at + 26 <= b.length; n++) {
    const magic = text(at, at + 6);
    let header: number, nameSize: number, fileSize: number, align: number;
    // A header field with other than hex (newc, crc) or octal (odc) digits is one libarchive refuses, ending
    // its header loop with no error message (bsdtar: "(null)"): what follows was never read.
    if (magic === '070701' || magic === '070702') {
      if (!/^[0-9A-Fa-f]{104}$/.test(text(at + 6, at + 110))) return null;
      [header, align] = [110, 4];
      nameSize = parseInt(text(at + 94, at + 102), 16);
      fileSize = parseInt(text(at + 54, at + 62), 16);
    } else if (magic === '070707') {
      if (!/^[0-7]{70}$/.test(text(at + 6, at + 76))) return null;
      [header, align] = [76, 1];
      nameSize = parseInt(text(at + 59, at + 65), 8);
      fileSize = parseInt(text(at + 65, at + 76), 8);
    } else if ((b[at] === 0xc7 && b[at + 1] === 0x71) || (b[at] === 0x71 && b[at + 1] === 0xc7)) {
      // Old binary: 16-bit words in the writer's byte order; the file size's high word first.
      const le = b[at] === 0xc7;
      const w = (o: number) => (le ? b[at + o] | (b[at + o + 1] << 8) : (b[at + o] << 8) | b[at + o + 1]);
      [header, align] = [26, 2];
      nameSize = w(20);
      fileSize = w(22) * 65536 + w(24);
    } else return null;
    if (!Number.isSafeInteger(nameSize) || !Number.isSafeInteger(fileSize)) return null;
    // The name's size counts its NUL (every writer ends it so): another byte there is the NUL damaged, and
    // the name read on past its end (7-Zip: "Headers Error"; libarchive reads a name that is not the one written).
    if (nameSize < 1 || b[at + header + nameSize - 1] !== 0) return null;
    const name = text(at + header, at + header + nameSize);
    at = roundUp(roundUp(at + header + nameSize, align) + fileSize, align);
    if (name.startsWith('TRAILER!!!')) return at;
  }
  return null;
}
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Trailing bytes read at most to tell padding from data (the rest is read as the member it is). */
const PADDING_LOOK = 1 << 20;

/**
 * What follows an archive's own end (`cat a.7z b.7z`, a line of text appended to a ZIP, a cpio or an ISO):
 * archivers stop at the end (7-Zip warns, unzip says nothing), but the bytes are in the file, so they are a
 * member of their own, read as whatever they are. Zero padding (tape blocks, a disc's last sectors) is nothing.
 */
export async function* afterArchive(blob: Blob, end: number | null, ctx: ExtractContext): AsyncGenerator<Extracted> {
  if (end === null || end >= blob.size) return;
  const look = await readBytes(blob, end, Math.min(blob.size, end + PADDING_LOOK));
  const data = look.findIndex((b) => b !== 0);
  if (data < 0 && blob.size - end <= PADDING_LOOK) return;
  // From the first byte after the padding, so a second archive (`cat a.cpio b.cpio`) is read as one.
  ctx.addEntry();
  yield { kind: 'member', name: AFTER_ARCHIVE, data: blob.slice(end + Math.max(0, data)) };
}
