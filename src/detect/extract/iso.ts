/**
 * A disc image: its ISO 9660 side through libarchive (with Joliet and Rock Ridge names), a file only
 * the Joliet tree lists (iso-trees.ts), the files of earlier sessions (iso-sessions.ts), then its UDF side (udf.ts), whose names may be the only full ones. A UDF-only image is read through UDF alone.
 */
import { archiveExtractor } from './archive.js';
import { jolietOnlyFiles, treeFiles } from './iso-trees.js';
import { earlierSessions } from './iso-sessions.js';
import { firstVolumeDescriptor, hasUdf, udfFiles } from './udf.js';
import { readBytes } from '../bytes.js';
import { ScanError, ScanLimitError, type Extracted, type Extractor } from './types.js';

const readIso9660 = /* @__PURE__ */ archiveExtractor('iso');

export const extractIso: Extractor = async function* (blob, ctx) {
  const iso9660 = (await firstVolumeDescriptor(blob)) === 'CD001';
  if (iso9660) yield* volumeIds(blob);
  let entries = 0;
  if (iso9660) {
    for await (const x of readIso9660(blob, ctx)) {
      if (x.kind === 'member') entries++;
      yield x;
    }
  }
  // libarchive listed nothing, with no error: the tree is read here, and the image said not read in full.
  if (iso9660 && entries === 0) yield* treeFiles(blob, ctx);
  if (iso9660) yield* jolietOnlyFiles(blob, ctx);
  if (iso9660) yield* earlierSessions(blob, ctx);
  if (!(await hasUdf(blob))) return;
  if (!iso9660) return yield* udfFiles(blob, ctx, true);
  try {
    yield* udfFiles(blob, ctx, false);
  } catch (err) {
    // The files were read through ISO 9660; what is unread is their UDF names.
    if (!(err instanceof ScanError) || err instanceof ScanLimitError) throw err;
    yield { kind: 'unscannable', reason: err.reason, detail: `the image's UDF file names: ${err.message}` };
  }
};

/** Volume descriptors looked at, from sector 16 to the set's terminator (writers put two to four). */
const MAX_DESCRIPTORS = 16;
/** Identifier fields of a primary or supplementary volume descriptor (ECMA-119 8.4): volume, volume set, publisher, preparer, application. */
const ID_FIELDS: readonly [number, number][] = [[40, 32], [190, 128], [318, 128], [446, 128], [574, 128]];

/**
 * An image's own titles, its "document properties": the volume id (the drive's name in Explorer and Files),
 * volume set, publisher, preparer and application ids, from the primary descriptor (d-characters) and
 * Joliet's supplementary one (UCS-2 big-endian, where Japanese names are).
 */
async function* volumeIds(blob: Blob): AsyncGenerator<Extracted> {
  const texts: string[] = [];
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const d = await readBytes(blob, (16 + i) * 2048, (17 + i) * 2048);
    if (d.length < 2048 || d[0] === 255 || String.fromCharCode(...d.subarray(1, 6)) !== 'CD001') break;
    if (d[0] !== 1 && d[0] !== 2) continue;
    const joliet = d[0] === 2 && d[88] === 0x25 && d[89] === 0x2f;
    const dec = new TextDecoder(joliet ? 'utf-16be' : 'utf-8');
    for (const [at, len] of ID_FIELDS) texts.push(dec.decode(d.subarray(at, at + len)).replace(/[\0 ]+$/, ''));
  }
  // Each on its own: a properties dialog (isoinfo -d, Explorer) shows each under its own label.
  for (const text of new Set(texts.filter((t) => t))) yield { kind: 'text', text, where: { area: 'properties' } };
}
