/**
 * The last piece of a ZIP split into volumes: Info-ZIP's `zip -s 64k` (x.z01, x.z02 … x.zip; WinZip writes the
 * same), whose end record says it is not the first disk, and a ZIP cut into pieces byte by byte (7-Zip `-v`:
 * x.zip.001 … x.zip.003; HJSplit), whose directory says the archive starts before the piece does. The
 * members' data lie in the pieces before it, but its central directory, here, lists every member, as zipinfo
 * and 7-Zip list the piece: each name faces rule 2 (a marked one marks the piece), and the piece is unscannable.
 */
import { nameReadings, readBytes, startsWith, u16, u32, u64 } from '../bytes.js';
import { namesOf } from './zip-reader.js';
import { ScanError, type ExtractContext } from './types.js';
import { ZIP_END_REACH } from './zip-end.js';

const END_RECORD = [0x50, 0x4b, 5, 6];
const ZIP64_LOCATOR = [0x50, 0x4b, 6, 7];
const ZIP64_END_RECORD = [0x50, 0x4b, 6, 6];
const DIRECTORY_HEADER = [0x50, 0x4b, 1, 2];

/** Where a split ZIP's last piece holds its central directory ([start, end)), or null when it begins in a piece before. */
export type SplitZipDirectory = [number, number] | null;

/**
 * The central directory of the last piece of a split ZIP, or undefined when `blob` is no such piece.
 * `anywhere`: look for the end record in the last 64 KiB (behind an archive comment), not only in the last
 * 22 bytes plus a ZIP64 locator and record.
 */
export async function splitZipPiece(blob: Blob, anywhere: boolean): Promise<SplitZipDirectory | undefined> {
  const tail = await readBytes(blob, Math.max(0, blob.size - (anywhere ? ZIP_END_REACH : 22 + 76)));
  const base = blob.size - tail.length;
  for (let e = tail.length - 22; e >= 0; e--) {
    // The end record whose comment runs exactly to the end of the file.
    if (!startsWith(tail, END_RECORD, e) || e + 22 + u16(tail, e + 20) !== tail.length) continue;
    let disk = u16(tail, e + 4);
    let directoryDisk = u16(tail, e + 6);
    let size = u32(tail, e + 12);
    let offset = u32(tail, e + 16);
    let after = base + e;
    if (e >= 76 && startsWith(tail, ZIP64_LOCATOR, e - 20) && startsWith(tail, ZIP64_END_RECORD, e - 76)) {
      // ZIP64: the 32-bit fields may be full (0xFFFF…); the ZIP64 end record, before its locator, holds them.
      disk = u32(tail, e - 76 + 16);
      directoryDisk = u32(tail, e - 76 + 20);
      size = u64(tail, e - 76 + 40);
      offset = u64(tail, e - 76 + 48);
      after = base + e - 76;
    }
    if (size > after) return disk === 0 ? undefined : null;
    // One disk: a piece only when its directory lies further into the archive than into this file (the
    // archive began before it). Looked for only behind other bytes: a ZIP that starts with its first entry
    // and says so is damaged, not a piece.
    if (disk === 0 && !(anywhere && offset > after - size && startsWith(await readBytes(blob, after - size, after - size + 4), DIRECTORY_HEADER))) return undefined;
    return directoryDisk === disk ? [after - size, after] : null;
  }
  return undefined;
}

/** The member names a split ZIP's last piece lists (its directory, splitZipPiece), each reading of each; at most `max` entries. */
export async function* splitZipNames(blob: Blob, directory: [number, number], ctx: ExtractContext): AsyncGenerator<string> {
  const cd = await readBytes(blob, directory[0], directory[1]);
  const max = 2 * ctx.limits.maxEntries;
  for (let p = 0, n = 0; p + 46 <= cd.length && startsWith(cd, DIRECTORY_HEADER, p); n++) {
    ctx.checkTime();
    if (n >= max) throw new ScanError('too-many-entries', `the piece of a split ZIP lists more than ${max} entries`);
    const flags = u16(cd, p + 8);
    const [nameLen, extraLen, commentLen] = [u16(cd, p + 28), u16(cd, p + 30), u16(cd, p + 32)];
    const raw = cd.slice(p + 46, p + 46 + nameLen);
    const { name, headerName } = namesOf(cd, p + 46 + nameLen, extraLen, raw, flags);
    for (const n of new Set([name, ...(headerName ? [headerName] : []), ...((flags & 0x800) === 0 ? nameReadings(raw) : [])])) yield n;
    p += 46 + nameLen + extraLen + commentLen;
  }
}
