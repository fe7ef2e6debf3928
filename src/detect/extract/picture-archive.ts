/**
 * A 7z or RAR archive after a picture or a recording (`cat photo.jpg secret.7z > photo.jpg`, `copy /b
 * photo.jpg+secret.rar`): viewers show the picture, and 7-Zip and WinRAR open the archive, because they
 * look for an archive's start past the first byte (for their own self-extracting programs). A ZIP after a
 * picture is found by its end record instead (sniff.ts zipAtEnd).
 */
import { readBytes, u32 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { findNeedles, type Needle } from './byte-scan.js';
import type { Extractor } from './types.js';

/**
 * How far into a file an archive's start is looked for: 7-Zip's own reach (7-Zip 26: a 7z after
 * 8,388,608 bytes of a picture is opened, one after 8,499,343 is not); unrar looks less far.
 */
export const ARCHIVE_START_REACH = 1 << 23;
/** A 7z start header's length: the search reads this far past the reach, to check one found at its end. */
const START_HEADER = 32;
/** The bytes the search reads: a file's first ARCHIVE_START_READ bytes are all it needs. */
export const ARCHIVE_START_READ = ARCHIVE_START_REACH + START_HEADER;

const sig = (bytes: number[], anchor: number): Needle => ({ bytes: Uint8Array.from(bytes), enc: 'utf-8', anchor });
const SEVEN_ZIP = sig([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 2);
/** RAR 1.5–4 (`Rar!` 1A 07 00) and RAR 5 (`Rar!` 1A 07 01 00): a byte more each than the shared part. */
const RAR4 = sig([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00], 4);
const RAR5 = sig([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00], 4);
const STARTS = [SEVEN_ZIP, RAR4, RAR5];
/** Bytes read at a time; a start header's length more overlaps the next piece. */
const PIECE = 1 << 20;

/**
 * Where a 7z or RAR archive starts after the first byte, within the reach, or -1. A 7z start header's
 * CRC must hold (as 7-Zip checks it), so six bytes of a photo's noise that happen to spell the signature
 * do not make it an archive.
 */
export async function archiveInPicture(blob: Blob): Promise<number> {
  const reach = Math.min(blob.size, ARCHIVE_START_REACH);
  // In pieces: a phone photo's 8 MiB are not held at once.
  for (let from = 0; from < reach; from += PIECE) {
    const piece = await readBytes(blob, from, Math.min(blob.size, from + PIECE + START_HEADER));
    const to = Math.min(PIECE, reach - from);
    let found = -1;
    findNeedles(piece, STARTS, from ? 0 : 1, to, (at, nd) => {
      if (nd !== SEVEN_ZIP || (at + START_HEADER <= piece.length && crc32(piece.subarray(at + 12, at + START_HEADER)) === u32(piece, at + 8))) found = at;
      return found < 0;
    });
    if (found >= 0) return from + found;
  }
  return -1;
}

/**
 * The archive is a member, read by its own format (what follows its end too: a ZIP after the 7z). The
 * picture before it is a member as well, looked at as any picture is: a ZIP may end there (a picture, a
 * ZIP, then a 7z), and it holds no 7z or RAR start, the first one being where it ends.
 */
export const extractPictureArchive: Extractor = async function* (blob, ctx) {
  const at = await archiveInPicture(blob);
  for (const part of [blob.slice(0, at), blob.slice(at)]) {
    ctx.addEntry();
    yield { kind: 'member', name: '', data: part };
  }
};
