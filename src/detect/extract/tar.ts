/** tar (ustar, GNU long names, pax paths): members are slices of the original Blob, never copied. */
import { readBytes } from '../bytes.js';
import { decodeText } from './text.js';
import { decodeBase64 } from './rfc2047.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';

const latin1 = new TextDecoder('latin1');

/**
 * A name field. tar stores a name's bytes as they are: UTF-8 on Linux and macOS, CP932 or EUC-JP when the
 * file was named on a Japanese system (GNU tar on a CP932 disk, in every format): the encoding is guessed.
 */
function field(h: Uint8Array, at: number, len: number): string {
  const b = h.subarray(at, at + len);
  const end = b.indexOf(0);
  return decodeText(end < 0 ? b : b.subarray(0, end));
}

/** A header's number field: octal, or GNU base-256 when the top bit is set. A bad digit is `corrupt`. */
export function octal(h: Uint8Array, at: number, len: number): number {
  if (h[at] & 0x80) {
    // GNU base-256 for sizes over 8 GiB.
    let n = 0;
    for (let i = 1; i < len; i++) n = n * 256 + h[at + i];
    return n;
  }
  const s = latin1.decode(h.subarray(at, at + len)).replace(/[\0 ]+$/g, '').trim();
  if (s && !/^[0-7]+$/.test(s)) throw new ScanError('corrupt', 'tar header has a bad number');
  return s ? parseInt(s, 8) : 0;
}

/** A tar header's checksum is valid: tells tar apart from other data. */
export function isTarHeader(h: Uint8Array): boolean {
  if (h.length < 512) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  const stored = parseInt(latin1.decode(h.subarray(148, 156)).replace(/[\0 ]/g, ''), 8);
  return stored === sum;
}

export const extractTar: Extractor = async function* (blob, ctx) {
  let at = 0;
  let longName: string | null = null;
  let paxSize: number | null = null;
  while (at < blob.size) {
    ctx.checkTime();
    // Writers end an archive with zero blocks: running out of bytes first means it was cut short.
    if (at + 512 > blob.size) throw new ScanError('corrupt', 'tar archive is truncated (no end-of-archive marker)');
    const h = await readBytes(blob, at, at + 512);
    if (h.every((b) => b === 0)) {
      // The end: zero blocks to the end of the file (writers pad the last record with zeros). Anything
      // after it is a header zeroed in the middle (GNU tar: "A lone zero block"), and the members after
      // it would go unread.
      if (!(await zerosToEnd(blob, at + 512, ctx))) throw new ScanError('corrupt', `tar archive has a lone zero block at ${at}, with data after it: a header in the middle is damaged`);
      return;
    }
    if (!isTarHeader(h)) throw new ScanError('corrupt', `tar header at ${at} is damaged`);
    const type = String.fromCharCode(h[156] || 0x30);
    // A pax `size` stands for the next member's size field (writers put 0 there, or a value that does not
    // fit), as GNU tar, libarchive and tarfile take it; headers of names and records keep their own.
    const described = !HEADER_TYPES.has(type);
    const size = described && paxSize !== null ? paxSize : octal(h, 124, 12);
    if (described) paxSize = null;
    // An old GNU sparse file's map may run on in blocks of its own before its data.
    const dataStart = at + 512 + (type === 'S' ? await sparseMapBlocks(blob, h, at + 512) : 0);
    if (dataStart + size > blob.size) throw new ScanError('corrupt', 'tar archive is truncated');
    const data = blob.slice(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = decodeText(await readBytes(data)).replace(/\0+$/, '');
      // A long name of nothing but zeros was overwritten (bsdtar: "Archive entry has empty or unreadable filename").
      if (!longName && size > 0) throw new ScanError('corrupt', `tar member at ${at}: its long name (GNU) is damaged`);
      continue;
    }
    // 'X' is the extended header's older type (Solaris tar, early pax): GNU tar and libarchive read it as 'x'.
    if (type === 'x' || type === 'X' || type === 'g') {
      const pax = paxRecords(await readBytes(data));
      if (!pax) throw new ScanError('corrupt', `tar member at ${at}: its extended header (pax) is damaged`);
      if (type !== 'g' && pax.has('path')) longName = pax.get('path')!;
      if (type !== 'g' && pax.has('size')) paxSize = paxNumber(pax.get('size')!);
      // A global header's path is the name GNU tar and Python's tarfile give the members after it.
      if (type === 'g' && pax.has('path')) yield nameOnly(pax.get('path')!);
      yield* paxText(pax);
      continue;
    }
    // GNU tar's volume label (`tar -V`): the archive's title, which `tar -tv` lists.
    if (type === 'V') {
      yield { kind: 'text', text: field(h, 0, 100), where: { area: 'properties' } };
      continue;
    }
    // POSIX ustar's name prefix; GNU's format keeps times there instead (`tar -g` writes them).
    const prefix = isGnuHeader(h) ? '' : field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = null;
    if (type === 'M') {
      // A multi-volume continuation: the rest of a file begun in the volume before. Its name is what a
      // listing shows and extracting makes (rule 2), as for links below; its bytes, a piece of the file, are
      // still read (a stamp in them marks the archive), but the file is not read whole.
      yield nameOnly(name);
      ctx.addEntry();
      yield { kind: 'member', name, data };
      yield { kind: 'unscannable', reason: 'unsupported', detail: `tar member ${name} is a multi-volume part`, where: { part: name } };
      continue;
    }
    // A hard link is another name of a member before it, a symbolic link a name for a path: both are
    // names a listing shows and extracting makes (rule 2). Directories and devices carry no content.
    if (type === '1' || type === '2') yield nameOnly(name);
    if (!holdsContent(type)) continue;
    ctx.addEntry();
    yield { kind: 'member', name, data };
  }
  throw new ScanError('corrupt', 'tar archive is truncated (no end-of-archive marker)');
};

/**
 * How many blocks an old GNU sparse header's map runs on in (GNU tar's default format, `tar -S`): its
 * header holds four (offset, size) pairs and a flag at 482 saying one more block follows, each of which
 * holds 21 pairs and the same flag at 504. The member's data after them is its stored pieces one after the
 * other, the holes (zeros) left out, as the pax sparse formats' data is read.
 */
async function sparseMapBlocks(blob: Blob, h: Uint8Array, from: number): Promise<number> {
  let blocks = 0;
  for (let more = h[482] !== 0; more; blocks++) {
    const b = await readBytes(blob, from + blocks * 512, from + (blocks + 1) * 512);
    if (b.length < 512) throw new ScanError('corrupt', 'tar archive is truncated (in a sparse file’s map)');
    more = b[504] !== 0;
  }
  return blocks;
}

/** GNU tar's own format (magic `ustar  \0`), whose bytes 345 on hold times and a sparse map, no prefix. */
const isGnuHeader = (h: Uint8Array): boolean => latin1.decode(h.subarray(257, 265)) === 'ustar  \0';

/** Types whose data describes the member after them: long names, pax records. */
const HEADER_TYPES = new Set(['L', 'K', 'x', 'X', 'g']);

/** A pax record's decimal number; one that is not is `corrupt`, as GNU tar refuses it. */
function paxNumber(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new ScanError('corrupt', `tar extended header (pax) has a bad size: ${value.slice(0, 20)}`);
  return Number(value);
}

/** Types with no content of their own: links, devices, directories, FIFOs, and GNU's long link name. */
const NO_CONTENT = new Set(['1', '2', '3', '4', '5', '6', 'K']);

/**
 * Whether a member's data is a file's content: a regular or contiguous file, and any type tar does not
 * know ('8', 'Z', a vendor's 'A'…'Z'), which POSIX says is read as a regular file and GNU tar, libarchive
 * and Python's tarfile extract as one ("Unknown file type, extracted as normal file").
 */
const holdsContent = (type: string): boolean => !NO_CONTENT.has(type);

/**
 * A pax extended header's records (`<length> <key>=<value>\n`, the length in bytes counting itself), or
 * null when one does not hold together: GNU tar refuses such a header ("Malformed extended header").
 */
export function paxRecords(b: Uint8Array): Map<string, string> | null {
  const out = new Map<string, string>();
  let at = 0;
  while (at < b.length) {
    // Padding after the records; a header of nothing but zeros was overwritten (no writer makes one).
    if (b[at] === 0 && b.subarray(at).every((x) => x === 0)) return at > 0 ? out : null;
    let sp = at;
    while (sp < b.length && sp - at < 20 && b[sp] >= 0x30 && b[sp] <= 0x39) sp++;
    const len = Number(latin1.decode(b.subarray(at, sp)));
    if (sp === at || b[sp] !== 0x20 || !(len > sp - at + 1) || at + len > b.length || b[at + len - 1] !== 0x0a) return null;
    // UTF-8 by the standard; GNU tar writes a name it cannot convert as its bytes (hdrcharset=BINARY).
    const record = decodeText(b.subarray(sp + 1, at + len - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) return null;
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

/**
 * Text a pax header carries besides names: a `comment`, and extended attributes (`tar --xattrs`), which
 * file managers show as a file's comment or tags once extracted: SCHILY.xattr.* as they are, and
 * LIBARCHIVE.xattr.* (bsdtar) in base64.
 */
function* paxText(pax: Map<string, string>): Generator<Extracted> {
  const texts: string[] = [];
  for (const [key, value] of pax) {
    if (key === 'comment' || key.startsWith('SCHILY.xattr.')) texts.push(value);
    else if (key.startsWith('LIBARCHIVE.xattr.')) {
      const d = decodeBase64(value);
      if (!d.bad) texts.push(decodeText(d.bytes));
    }
  }
  // Each on its own: a file manager shows each attribute in a field of its own.
  for (const text of texts) yield { kind: 'text', text, where: { area: 'properties' } };
}

/** Whether the blob holds only zero bytes from `from` to its end (read in slices). */
export async function zerosToEnd(blob: Blob, from: number, ctx?: Pick<ExtractContext, 'checkTime'>): Promise<boolean> {
  const SLICE = 1 << 20;
  for (let at = from; at < blob.size; at += SLICE) {
    ctx?.checkTime();
    const b = await readBytes(blob, at, Math.min(blob.size, at + SLICE));
    if (!b.every((x) => x === 0)) return false;
  }
  return true;
}
