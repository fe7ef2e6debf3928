/**
 * A ZIP archive after other bytes, found by its end record: where its central directory is, and where
 * the archive itself starts. Asked by sniff.ts (is there a ZIP at the end?) and by picture-archive.ts
 * (read it from its own first byte).
 */
import { readBytes, startsWith, u16, u32, u64 } from '../bytes.js';
import { localEntry } from './zip-reader.js';

/** How far from its end a ZIP's end record can be (22 bytes and a comment of up to 65,535). */
export const ZIP_END_REACH = 65557;
const END_RECORD = [0x50, 0x4b, 5, 6];
const ZIP64_END_RECORD = [0x50, 0x4b, 6, 6];
const ZIP64_LOCATOR = [0x50, 0x4b, 6, 7];
const DIRECTORY_HEADER = [0x50, 0x4b, 1, 2];

export interface ZipLayout {
  /** Where the central directory is in the file. */
  directory: number;
  /**
   * Where the offsets the archive records count from: 0 when they count from the file's start (`zip -A`,
   * Python's zipfile appending to a program), the archive's first byte when a prefix was put before an
   * archive made on its own (`cat stub x.zip`: unzip reads it, warning of "extra bytes at beginning").
   */
  start: number;
}

/**
 * The ZIP whose end record is in the last 64 KiB of `blob`, when that record points back at a central
 * directory that is there; else null. A ZIP64 archive has its own end record and locator between the
 * directory and this record, and when the 32-bit fields are full (0xFFFF, 0xFFFFFFFF: npm archiver's
 * forceZip64 writes every one so) the sizes and offsets are in the ZIP64 record, which is read where it
 * lies (just before the locator), since the locator's own offset may count from a start we do not know yet.
 */
export async function zipLayout(blob: Blob): Promise<ZipLayout | null> {
  const from = Math.max(0, blob.size - ZIP_END_REACH);
  const tail = await readBytes(blob, from);
  if (tail.length < 22) return null;
  // From the end back, from one `P` to the one before it (the native search: a text member of an
  // archive of thousands is looked at here, its every byte once).
  for (let i = tail.lastIndexOf(0x50, tail.length - 22); i >= 0; i = i > 0 ? tail.lastIndexOf(0x50, i - 1) : -1) {
    if (!startsWith(tail, END_RECORD, i)) continue;
    const end = from + i;
    let size = u32(tail, i + 12);
    let offset = u32(tail, i + 16);
    // The record the directory ends at: this one, or a ZIP64 end record (56 bytes) and its locator (20).
    let after = end;
    const locator = await readBytes(blob, Math.max(0, end - 20), end);
    if (end >= 76 && startsWith(locator, ZIP64_LOCATOR)) {
      const record = await readBytes(blob, end - 76, end - 20);
      if (startsWith(record, ZIP64_END_RECORD)) {
        after = end - 76;
        const full = u16(tail, i + 10) === 0xffff || size === 0xffffffff || offset === 0xffffffff;
        if (full) [size, offset] = [u64(record, 40), u64(record, 48)];
      }
    }
    const directory = after - size;
    if (directory <= 0 || !startsWith(await readBytes(blob, directory, directory + 4), DIRECTORY_HEADER)) return null;
    // An offset past the directory is damage: the archive's start is then unknown (read in place).
    return { directory, start: Math.max(0, directory - offset) };
  }
  return null;
}

const LOCAL_HEADER = [0x50, 0x4b, 3, 4];

/**
 * Where a ZIP that starts at `at` ends, by walking it as a streaming reader does: its local entries,
 * then its central directory, to its end record and comment. Null when the walk breaks off before an end
 * record (the archive was cut short, or a member's sizes come only after its data): the ZIP then runs
 * to `limit`, and its reader says what it could not read. At most `maxEntries` members are walked (each
 * has a local entry and a directory entry).
 */
export async function zipExtent(blob: Blob, at: number, limit: number, maxEntries: number): Promise<number | null> {
  let p = at;
  for (let n = 0; n <= 2 * maxEntries + 3; n++) {
    const h = await readBytes(blob, p, Math.min(limit, p + 46));
    if (startsWith(h, LOCAL_HEADER)) {
      const local = await localEntry(blob, p, limit, true); // its sizes (ZIP64 ones too, or its data descriptor)
      if (!local) return null;
      p = local.end;
    } else if (startsWith(h, DIRECTORY_HEADER) && h.length >= 46) {
      p += 46 + u16(h, 28) + u16(h, 30) + u16(h, 32);
    } else if (startsWith(h, ZIP64_END_RECORD) && h.length >= 12) {
      p += 12 + u64(h, 4);
    } else if (startsWith(h, ZIP64_LOCATOR)) {
      p += 20;
    } else if (startsWith(h, END_RECORD) && h.length >= 22) {
      const end = p + 22 + u16(h, 20);
      return end <= limit ? end : null;
    } else return null;
    if (p > limit) return null;
  }
  return null;
}
