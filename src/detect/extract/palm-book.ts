/**
 * Mobipocket (.mobi, .azw, .azw3, .prc: Kindle's format, as calibre, kindlegen and Calligra write it)
 * and PalmDoc (.pdb, .prc) e-books. Both are Palm databases: a header naming the database's type and
 * creator (`BOOKMOBI`, `TEXtREAd`) and listing its records; record 0 describes the book (PalmDOC
 * header: compression, text length, how many text records; then, in a Mobipocket book, the MOBI header
 * with the text's encoding, the title and an EXTH block of properties); records 1…n hold the text (the
 * book's HTML, or a PalmDoc's plain text), at most 4,096 bytes each once decompressed with PalmDoc's
 * LZ77. So a stamp an e-book reader shows is not in the file's bytes: it is read here as the reader
 * reads it, the text as a member of its own (HTML or text, read by its own format), the title and
 * the properties each apart. A book with a KF8 part (calibre's default, "both") has a second copy of
 * the text after a boundary, which newer Kindles show instead: both are read.
 *
 * Not read, and said: text compressed with Huffman/CDIC (older kindlegen's), a book with DRM, a text
 * that does not decompress to the length its header gives (AbiWord's PalmDoc export writes such files;
 * calibre shows them garbled). Pictures and the index records are not text (skipped, as pictures are).
 * Sources: MobileRead wiki "MOBI" and "PalmDOC"; calibre's ebooks/mobi/reader (trailing entries).
 */
import { readBytes, u32be } from '../bytes.js';
import { propertiesText } from './xml-text.js';
import { ExpansionGuard } from './expansion-guard.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';

const be16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));

/** A Palm database holding an e-book: its type and creator at byte 60. */
export function isPalmBook(head: Uint8Array): boolean {
  if (head.length < 78) return false;
  const kind = ascii(head, 60, 8);
  return kind === 'BOOKMOBI' || kind === 'TEXtREAd';
}

const NO_COMPRESSION = 1;
const PALMDOC = 2;
const HUFF_CDIC = 17480;
/** EXTH record types that hold text a reader shows in the book's details (author, publisher, description, subject, contributor, rights, subject code, source, updated title). */
const EXTH_TEXT = new Set([100, 101, 103, 105, 108, 109, 110, 112, 503]);
/** EXTH 121: the record where a joint book's KF8 part begins (its own record 0). */
const EXTH_KF8_BOUNDARY = 121;

export const extractPalmBook: Extractor = async function* (blob, ctx) {
  const file = await readBytes(blob);
  const records = recordsOf(file);
  const first = yield* readBook(file, records, 0, ctx);
  if (first.kf8 !== null && first.kf8 > 0 && first.kf8 < records.length) yield* readBook(file, records, first.kf8, ctx);
};

/** Each record's bytes, by the database's record list (offsets in order, inside the file). */
function recordsOf(file: Uint8Array): Uint8Array[] {
  const count = be16(file, 76);
  const listEnd = 78 + 8 * count;
  if (count === 0 || listEnd > file.length) throw new ScanError('corrupt', 'an e-book whose record list does not fit the file (damaged or truncated)');
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(u32be(file, 78 + 8 * i));
  offsets.push(file.length);
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const [start, end] = [offsets[i], offsets[i + 1]];
    if (start < listEnd || end < start || end > file.length) throw new ScanError('corrupt', `an e-book whose record ${i} lies outside the file or before the one it follows (damaged)`);
    records.push(file.subarray(start, end));
  }
  return records;
}

/**
 * The book whose record 0 is `records[at]`: its title and properties as text, its text records,
 * decompressed, as one member. Returns the KF8 part's record (EXTH 121) when record 0 names one.
 */
async function* readBook(file: Uint8Array, records: Uint8Array[], at: number, ctx: ExtractContext): AsyncGenerator<Extracted, { kf8: number | null }> {
  const head = records[at];
  if (head.length < 16) throw new ScanError('corrupt', 'an e-book whose first record is too short to describe it (damaged)');
  const compression = be16(head, 0);
  const textLength = u32be(head, 4);
  const textRecords = be16(head, 8);
  const encryption = be16(head, 12);
  const mobi = head.length >= 24 && ascii(head, 16, 4) === 'MOBI' ? mobiHeader(head) : null;
  if (mobi?.properties.length) yield { kind: 'text', text: propertiesText(mobi.properties), where: { area: 'properties' } };
  const kf8 = mobi?.kf8 ?? null;
  if (encryption !== 0) {
    yield { kind: 'unscannable', reason: 'encrypted', detail: 'an e-book protected with DRM: its text cannot be read without the reader’s key' };
    return { kf8 };
  }
  if (compression !== NO_COMPRESSION && compression !== PALMDOC) {
    const what = compression === HUFF_CDIC ? 'Huffman (HUFF/CDIC)' : `an unknown method (${compression})`;
    yield { kind: 'unscannable', reason: 'unsupported', detail: `an e-book whose text is compressed with ${what}, which is not read here` };
    return { kf8 };
  }
  if (at + textRecords >= records.length) throw new ScanError('corrupt', `an e-book that lists ${textRecords} text records but has fewer (damaged or truncated)`);
  const guard = new ExpansionGuard(ctx, { name: 'e-book text', declared: textLength });
  for (let i = at + 1; i <= at + textRecords; i++) {
    const record = records[i].subarray(0, records[i].length - trailingSize(records[i], mobi?.extraFlags ?? 0));
    guard.consumed(record.length);
    guard.produced(compression === PALMDOC ? palmDocInflate(record) : record);
  }
  guard.finish();
  ctx.addEntry();
  yield { kind: 'member', name: '', data: guard.blob() };
  return { kf8 };
}

interface MobiHeader {
  /** The title, then the EXTH block's text properties. */
  properties: string[];
  /** Bits saying which trailing entries follow each text record's data. */
  extraFlags: number;
  kf8: number | null;
}

/** The MOBI header at byte 16 of a book's record 0. */
function mobiHeader(head: Uint8Array): MobiHeader {
  const length = u32be(head, 20);
  const utf8 = u32be(head, 28) === 65001;
  const decoder = new TextDecoder(utf8 ? 'utf-8' : 'windows-1252');
  const decode = (b: Uint8Array): string => decoder.decode(b);
  const properties: string[] = [];
  if (head.length >= 92) {
    const [offset, size] = [u32be(head, 84), u32be(head, 88)];
    if (offset + size <= head.length) properties.push(decode(head.subarray(offset, offset + size)));
  }
  const extraFlags = length >= 0xe4 && head.length >= 0xf4 ? be16(head, 0xf2) : 0;
  let kf8: number | null = null;
  const exth = 16 + length;
  if (head.length >= 132 && u32be(head, 128) & 0x40 && exth + 12 <= head.length && ascii(head, exth, 4) === 'EXTH') {
    const count = u32be(head, exth + 8);
    let p = exth + 12;
    for (let k = 0; k < count && p + 8 <= head.length; k++) {
      const [type, size] = [u32be(head, p), u32be(head, p + 4)];
      if (size < 8 || p + size > head.length) break;
      const data = head.subarray(p + 8, p + size);
      if (EXTH_TEXT.has(type)) properties.push(decode(data));
      else if (type === EXTH_KF8_BOUNDARY && data.length === 4) kf8 = u32be(data, 0);
      p += size;
    }
  }
  return { properties, extraFlags, kf8 };
}

/**
 * How many bytes at a text record's end are trailing entries, not text (calibre's reader): one entry
 * per set bit of the flags above bit 0, each ending in its own size (a backward varint), then, with
 * bit 0, the bytes of a character the next record continues (its count in the last byte's low bits).
 */
function trailingSize(record: Uint8Array, flags: number): number {
  let size = 0;
  for (let f = flags >> 1; f; f >>= 1) {
    if (!(f & 1)) continue;
    let value = 0;
    for (let shift = 0, end = record.length - size; end > 0 && shift < 28; shift += 7) {
      const v = record[--end];
      value |= (v & 0x7f) << shift;
      if (v & 0x80) break;
    }
    size += value;
  }
  if (flags & 1 && record.length > size) size += (record[record.length - size - 1] & 3) + 1;
  if (size > record.length) throw new ScanError('corrupt', 'an e-book text record whose trailing entries are longer than the record (damaged)');
  return size;
}

/**
 * PalmDoc's LZ77: a byte 1–8 copies that many literal bytes; 0x09–0x7F is itself; 0xC0–0xFF is a space
 * and the byte with its top bit cleared; 0x80–0xBF and the next byte are a distance (11 bits) and a
 * length (3 bits, +3) back into the output.
 */
export function palmDocInflate(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length * 8 + 8);
  let o = 0;
  for (let i = 0; i < src.length; ) {
    const c = src[i++];
    if (c >= 1 && c <= 8) {
      if (i + c > src.length) throw new ScanError('corrupt', 'an e-book text record that ends inside a literal run (damaged)');
      out.set(src.subarray(i, i + c), o);
      o += c;
      i += c;
    } else if (c < 0x80) out[o++] = c;
    else if (c >= 0xc0) {
      out[o++] = 0x20;
      out[o++] = c ^ 0x80;
    } else {
      if (i >= src.length) throw new ScanError('corrupt', 'an e-book text record that ends inside a back reference (damaged)');
      const pair = (c << 8) | src[i++];
      const distance = (pair >> 3) & 0x7ff;
      const length = (pair & 7) + 3;
      if (distance === 0 || distance > o) throw new ScanError('corrupt', 'an e-book text record that refers back past its start (damaged)');
      for (let k = 0; k < length; k++, o++) out[o] = out[o - distance];
    }
  }
  return out.subarray(0, o);
}
