/**
 * Windows metafiles (EMF, WMF): drawings that Office, Visio, CAD tools and LibreOffice export, and that
 * documents embed. Their text is in text-out records, one run each, placed by coordinates: LibreOffice
 * writes 「秘」 and 「Confidential」 as two records, so a byte search never sees the stamp whole. Runs that
 * share a baseline are joined into a line, in drawing order (baseline.ts).
 *
 * EMF: EMR_EXTTEXTOUTW / EMR_POLYTEXTOUTW (UTF-16LE) and their ANSI forms. WMF: META_TEXTOUT and
 * META_EXTTEXTOUT, in the charset of the font selected (Shift_JIS, GBK, Big5…; LibreOffice on a
 * machine without a Japanese locale writes Japanese in GBK). https://learn.microsoft.com/openspecs/windows_protocols/ms-emf/ · ms-wmf/
 * EMF+ records (in EMR_COMMENT) and text drawn as outlines are not text here; the byte search
 * (binary.ts) still runs over the whole file for anything else.
 */
import { blobOf, readBytes, u16, u32 } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { linesByBaseline, type PlacedRun } from './baseline.js';
import { extractBinary } from './binary.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

/** More records than any real drawing has: a hostile file stops here, said. */
const MAX_RECORDS = 1_000_000;

export const extractMetafile: Extractor = async function* (blob, ctx) {
  const b = await readBytes(blob);
  const { runs, damage } = isEmf(b) ? emfRuns(b, ctx) : wmfRuns(b, ctx);
  const text = linesByBaseline(runs);
  for (const chunk of text ? chunkText(text) : []) yield { kind: 'text', text: chunk, where: { area: 'drawing' } };
  yield* extractBinary(blobOf(b), ctx); // the bytes already read, not the file again
  // After what was read: a stamp before the damage still marks the drawing.
  if (damage) yield { kind: 'unscannable', reason: 'corrupt', detail: damage, where: { area: 'drawing' } };
};

/**
 * The text runs of a drawing, and what was wrong with it when its records stopped early. Every
 * metafile ends with its end-of-file record (EMR_EOF, META_EOF): records that stop before it, or one
 * that runs past the end, were cut short (a download or a copy that did not finish), and what followed
 * was not read.
 */
interface Runs {
  runs: PlacedRun[];
  damage: string | null;
}

/** EMR_HEADER first, with the " EMF" signature at offset 40. */
export function isEmf(b: Uint8Array): boolean {
  return b.length >= 44 && u32(b, 0) === 1 && u32(b, 40) === 0x464d4520;
}

/** A placeable WMF (0x9AC6CDD7), or a bare one: type 1 or 2, a 9-word header. */
export function isWmf(b: Uint8Array): boolean {
  if (b.length >= 22 && u32(b, 0) === 0x9ac6cdd7) return true;
  return b.length >= 18 && (u16(b, 0) === 1 || u16(b, 0) === 2) && u16(b, 2) === 9 && (u16(b, 4) === 0x100 || u16(b, 4) === 0x300);
}

const i32 = (b: Uint8Array, at: number) => u32(b, at) | 0;
const i16 = (b: Uint8Array, at: number) => (u16(b, at) << 16) >> 16;

function emfRuns(b: Uint8Array, ctx: ExtractContext): Runs {
  const runs: PlacedRun[] = [];
  const ansi = new TextDecoder('windows-1252');
  const wide = new TextDecoder('utf-16le');
  let n = 0;
  for (let at = 0; at + 8 <= b.length; ) {
    const type = u32(b, at);
    const size = u32(b, at + 4);
    if (size < 8 || size % 4 !== 0 || at + size > b.length) return { runs, damage: 'an EMF record runs past the end of the file' };
    if (++n > MAX_RECORDS) throw new ScanError('too-large', `an EMF drawing with more than ${MAX_RECORDS} records`);
    if ((n & 4095) === 0) ctx.checkTime();
    const rec = b.subarray(at, at + size);
    // EMR_EXTTEXTOUTA (83) / W (84): bounds, mode, scales, then one EMRTEXT at 36.
    if (type === 83 || type === 84) pushEmrText(rec, 36, type === 84, runs, wide, ansi);
    // EMR_POLYTEXTOUTA (96) / W (97): bounds, mode, scales, a count, then that many EMRTEXTs of 40 bytes.
    else if (type === 96 || type === 97) {
      const count = u32(rec, 36);
      for (let i = 0; i < count && 40 + i * 40 + 40 <= rec.length; i++) pushEmrText(rec, 40 + i * 40, type === 97, runs, wide, ansi);
    } else if (type === 14) return { runs, damage: null }; // EMR_EOF
    at += size;
  }
  return { runs, damage: CUT_SHORT('EMF') };
}

const CUT_SHORT = (kind: string) => `the ${kind} drawing ends before its end-of-file record: it was cut short`;

/** One EMRTEXT at `at` of a record: its reference point, and its string (offsets from the record). */
function pushEmrText(rec: Uint8Array, at: number, utf16: boolean, runs: PlacedRun[], wide: TextDecoder, ansi: TextDecoder): void {
  if (at + 40 > rec.length) return;
  const y = i32(rec, at + 4);
  const chars = u32(rec, at + 8);
  const off = u32(rec, at + 12);
  const end = off + chars * (utf16 ? 2 : 1);
  if (chars === 0 || end > rec.length) return;
  runs.push({ y, text: (utf16 ? wide : ansi).decode(rec.subarray(off, end)) });
}

/** A WMF font's charset (LOGFONT lfCharSet) → the encoding of the strings drawn with it. */
const CHARSETS: Record<number, string> = {
  128: 'shift_jis', 129: 'euc-kr', 134: 'gbk', 136: 'big5', 161: 'windows-1253', 162: 'windows-1254', 163: 'windows-1258',
  177: 'windows-1255', 178: 'windows-1256', 186: 'windows-1257', 204: 'windows-1251', 222: 'windows-874', 238: 'windows-1250',
};
const DEFAULT_CHARSET = 1;
const sjisStrict = new TextDecoder('shift_jis', { fatal: true });

/**
 * A string in the charset its font names. DEFAULT_CHARSET is the writer's system code page: on a
 * Japanese Windows, Shift_JIS (taken when the bytes are valid Shift_JIS), else Windows-1252.
 */
function decodeIn(charset: number, bytes: Uint8Array): string {
  if (charset === DEFAULT_CHARSET && bytes.some((c) => c >= 0x80)) {
    try {
      return sjisStrict.decode(bytes);
    } catch {
      /* not Shift_JIS: the Western code page */
    }
  }
  return new TextDecoder(CHARSETS[charset] ?? 'windows-1252').decode(bytes);
}

function wmfRuns(b: Uint8Array, ctx: ExtractContext): Runs {
  const runs: PlacedRun[] = [];
  let at = u32(b, 0) === 0x9ac6cdd7 ? 22 : 0;
  at += u16(b, at + 2) * 2; // the header's size, in 16-bit words
  // The object table: CREATE* records take the lowest free slot; SELECTOBJECT picks one.
  const objects: (number | null)[] = [];
  const charsets = new Map<number, number>();
  let charset = 0;
  let n = 0;
  while (at + 6 <= b.length) {
    const words = u32(b, at);
    const fn = u16(b, at + 4);
    if (words < 3 || at + words * 2 > b.length) return { runs, damage: 'a WMF record runs past the end of the file' };
    if (++n > MAX_RECORDS) throw new ScanError('too-large', `a WMF drawing with more than ${MAX_RECORDS} records`);
    if ((n & 4095) === 0) ctx.checkTime();
    const rec = b.subarray(at + 6, at + words * 2);
    if (fn === 0x0000) return { runs, damage: null }; // META_EOF
    if (CREATES.has(fn)) {
      let slot = objects.indexOf(null);
      if (slot < 0) slot = objects.push(null) - 1;
      objects[slot] = fn;
      // LOGFONT: height, width, escapement, orientation, weight (5 words), italic, underline, strike, charset.
      if (fn === 0x02fb && rec.length > 13) charsets.set(slot, rec[13]);
      else charsets.delete(slot);
    } else if (fn === 0x012d && rec.length >= 2) {
      const slot = u16(rec, 0);
      if (objects[slot] === 0x02fb) charset = charsets.get(slot) ?? 0;
    } else if (fn === 0x01f0 && rec.length >= 2) {
      objects[u16(rec, 0)] = null; // META_DELETEOBJECT
    } else if (fn === 0x0521 && rec.length >= 2) {
      // META_TEXTOUT: length, string (padded to a word), y, x.
      const len = u16(rec, 0);
      const pad = len + (len & 1);
      if (2 + pad + 4 <= rec.length) runs.push({ y: i16(rec, 2 + pad), text: decodeIn(charset, rec.subarray(2, 2 + len)) });
    } else if (fn === 0x0a32 && rec.length >= 8) {
      // META_EXTTEXTOUT: y, x, length, options, [clip rectangle], string.
      const len = u16(rec, 4);
      const options = u16(rec, 6);
      const start = 8 + (options & 0x0006 ? 8 : 0);
      if (start + len <= rec.length) runs.push({ y: i16(rec, 0), text: decodeIn(charset, rec.subarray(start, start + len)) });
    }
    at += words * 2;
  }
  return { runs, damage: CUT_SHORT('WMF') };
}

/** META_CREATE* records: each takes a slot in the object table. */
const CREATES = new Set([0x00f7, 0x01f9, 0x02fa, 0x02fb, 0x02fc, 0x06ff, 0x0142]);
