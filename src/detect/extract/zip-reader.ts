/**
 * A ZIP reader over a Blob: the central directory is read from the end, each member is read
 * and inflated on demand, so memory holds one member at a time. Guards against bombs
 * (declared and actual expansion ratio, total expanded bytes) and lying headers.
 */
import { Gunzip, Inflate } from 'fflate';
import { concat, decodeName, readBytes, u16, u32, u64 } from '../bytes.js';
import { RATIO_FLOOR_BYTES } from '../limits.js';
import { ScanError, type ExtractContext } from './types.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDir: boolean;
  encrypted: boolean;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

// The scanner reads a ZIP's directory to tell OOXML/ODF/plain ZIP apart, then the extractor
// needs it again: read it once per Blob.
const directories = new WeakMap<Blob, ZipEntry[]>();

export async function readZipDirectory(blob: Blob, ctx: ExtractContext): Promise<ZipEntry[]> {
  const known = directories.get(blob);
  if (known) return known;
  const entries = await parseZipDirectory(blob, ctx);
  directories.set(blob, entries);
  return entries;
}

async function parseZipDirectory(blob: Blob, ctx: ExtractContext): Promise<ZipEntry[]> {
  const tailLen = Math.min(blob.size, 65_557);
  const tail = await readBytes(blob, blob.size - tailLen);
  let e = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === EOCD) {
      e = i;
      break;
    }
  }
  if (e < 0) throw new ScanError('corrupt', 'ZIP end of central directory not found (truncated?)');
  let count = u16(tail, e + 10);
  let cdSize = u32(tail, e + 12);
  let cdOffset = u32(tail, e + 16);
  if ((count === 0xffff || cdOffset === 0xffffffff) && e >= 20 && u32(tail, e - 20) === EOCD64_LOCATOR) {
    const rec = await readBytes(blob, u64(tail, e - 12), u64(tail, e - 12) + 56);
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  if (count > ctx.limits.maxEntries) throw new ScanError('too-many-entries', `ZIP has ${count} entries`);
  if (cdOffset + cdSize > blob.size) throw new ScanError('corrupt', 'ZIP central directory lies outside the file');
  const cd = await readBytes(blob, cdOffset, cdOffset + cdSize);
  const entries: ZipEntry[] = [];
  for (let p = 0; p + 46 <= cd.length && entries.length < count; ) {
    if (u32(cd, p) !== CDH) throw new ScanError('corrupt', 'ZIP central directory is damaged');
    const flags = u16(cd, p + 8);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    const name = decodeName(cd.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    let compressedSize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    let localOffset = u32(cd, p + 42);
    ({ compressedSize, size, localOffset } = zip64Extra(cd, p + 46 + nameLen, extraLen, { compressedSize, size, localOffset }));
    const method = u16(cd, p + 10);
    entries.push({
      name,
      method,
      flags,
      compressedSize,
      size,
      localOffset,
      isDir: name.endsWith('/'),
      encrypted: (flags & 1) !== 0 || method === 99,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function zip64Extra(
  b: Uint8Array,
  at: number,
  len: number,
  v: { compressedSize: number; size: number; localOffset: number },
) {
  for (let p = at; p + 4 <= at + len; ) {
    const id = u16(b, p);
    const sz = u16(b, p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      if (v.size === 0xffffffff) {
        v.size = u64(b, q);
        q += 8;
      }
      if (v.compressedSize === 0xffffffff) {
        v.compressedSize = u64(b, q);
        q += 8;
      }
      if (v.localOffset === 0xffffffff) v.localOffset = u64(b, q);
    }
    p += 4 + sz;
  }
  return v;
}

const CHUNK = 1 << 20;

/** The member's bytes, inflated, with every bomb guard applied while inflating. */
export async function readZipEntry(blob: Blob, entry: ZipEntry, ctx: ExtractContext): Promise<Uint8Array> {
  const data = await zipEntryBlob(blob, entry, ctx);
  return data instanceof Uint8Array ? data : readBytes(data);
}

/**
 * The member as a Blob: a stored member is a slice of the archive (no copy, so a 90 MB stored
 * member costs no memory); a deflated one is inflated under the bomb guards.
 */
export async function zipEntryBlob(blob: Blob, entry: ZipEntry, ctx: ExtractContext): Promise<Blob | Uint8Array> {
  if (entry.encrypted) throw new ScanError('encrypted', `ZIP member ${entry.name} is password-protected`);
  const lfh = await readBytes(blob, entry.localOffset, entry.localOffset + 30);
  if (lfh.length < 30 || u32(lfh, 0) !== LFH) throw new ScanError('corrupt', `ZIP member ${entry.name}: bad local header`);
  const start = entry.localOffset + 30 + u16(lfh, 26) + u16(lfh, 28);
  const end = start + entry.compressedSize;
  if (end > blob.size) throw new ScanError('corrupt', `ZIP member ${entry.name} is truncated`);
  checkRatio(entry.name, entry.size, entry.compressedSize, ctx);
  if (entry.method === 0) {
    ctx.addExpanded(entry.compressedSize);
    return blob.slice(start, end);
  }
  if (entry.method !== 8) throw new ScanError('corrupt', `ZIP member ${entry.name}: unsupported compression method ${entry.method}`);
  return inflateGuarded(blob.slice(start, end), entry.name, entry.size, ctx);
}

function checkRatio(name: string, size: number, compressed: number, ctx: ExtractContext): void {
  if (size > RATIO_FLOOR_BYTES && size / Math.max(compressed, 1) > ctx.limits.maxRatio) {
    throw new ScanError('expansion-ratio', `${name} expands ${Math.round(size / Math.max(compressed, 1))}× (suspected archive bomb)`);
  }
}

/**
 * Raw-deflate `data` in slices. Stops as soon as the output outgrows what the header declared
 * or what the ratio allows, so a member that lies about its size cannot exhaust memory.
 */
export async function inflateGuarded(
  data: Blob,
  name: string,
  declared: number,
  ctx: ExtractContext,
  format: 'deflate-raw' | 'gzip' = 'deflate-raw',
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Throwing from the callback aborts fflate mid-push, so a bomb never runs to its end.
  const onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > RATIO_FLOOR_BYTES && total / Math.max(data.size, 1) > ctx.limits.maxRatio) {
      throw new ScanError('expansion-ratio', `${name} expands more than ${ctx.limits.maxRatio}× (suspected archive bomb)`);
    }
    if (declared >= 0 && total > declared + 1024 && total > RATIO_FLOOR_BYTES) {
      throw new ScanError('corrupt', `${name} inflates beyond its declared size`);
    }
    chunks.push(chunk);
  };
  // Gunzip also reads concatenated members (`cat a.gz b.gz`), as gunzip does.
  const inflater = format === 'gzip' ? new Gunzip(onData) : new Inflate(onData);
  try {
    for (let at = 0; at < data.size; at += CHUNK) {
      ctx.checkTime();
      inflater.push(await readBytes(data, at, at + CHUNK), at + CHUNK >= data.size);
    }
  } catch (err) {
    if (err instanceof ScanError) throw err;
    throw new ScanError('corrupt', `${name}: compressed data is damaged`);
  }
  ctx.addExpanded(total);
  return concat(chunks, total);
}


/** A ZIP opened for reading parts by name (what the OOXML and ODF extractors need). */
export interface ZipArchive {
  entries: ZipEntry[];
  has(name: string): boolean;
  /** The part's bytes, or null when it does not exist. */
  read(name: string): Promise<Uint8Array | null>;
  /** The part as text (UTF-8, or UTF-16 with a BOM), or null. */
  text(name: string): Promise<string | null>;
}

export async function openZip(blob: Blob, ctx: ExtractContext): Promise<ZipArchive> {
  const entries = await readZipDirectory(blob, ctx);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const read = async (name: string) => {
    const e = byName.get(name);
    return e ? readZipEntry(blob, e, ctx) : null;
  };
  return {
    entries,
    has: (name) => byName.has(name),
    read,
    text: async (name) => {
      const bytes = await read(name);
      return bytes ? decodeXml(bytes) : null;
    },
  };
}

/** XML parts are UTF-8 unless a BOM says UTF-16. */
export function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

export const isUtf16Xml = (b: Uint8Array): boolean => (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
