/**
 * A disc image: its ISO 9660 side through libarchive (with Joliet and Rock Ridge names), then its UDF
 * side (udf.ts), whose names may be the only full ones. A UDF-only image is read through UDF alone.
 */
import { archiveExtractor } from './archive.js';
import { firstVolumeDescriptor, hasUdf, udfFiles } from './udf.js';
import { ScanError, ScanLimitError, type Extractor } from './types.js';

const readIso9660 = /* @__PURE__ */ archiveExtractor('iso');

export const extractIso: Extractor = async function* (blob, ctx) {
  const iso9660 = (await firstVolumeDescriptor(blob)) === 'CD001';
  if (iso9660) yield* readIso9660(blob, ctx);
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
