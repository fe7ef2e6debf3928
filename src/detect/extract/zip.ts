/** Plain ZIP archives: every member is handed back to the scanner, which recurses into it. */
import { blobOf } from '../bytes.js';
import type { Extractor } from './types.js';
import { readZipDirectory, zipEntryBlob } from './zip-reader.js';

export const extractZip: Extractor = async function* (blob, ctx) {
  const entries = await readZipDirectory(blob, ctx);
  for (const entry of entries) {
    if (entry.isDir) continue;
    ctx.addEntry();
    ctx.checkTime();
    if (entry.encrypted) {
      // Its name still counts (rule 2): an encrypted member named 秘—… makes the archive marked.
      yield { kind: 'member', name: entry.name, data: new Blob([]) };
      yield { kind: 'unscannable', reason: 'encrypted', detail: `password-protected ZIP member ${entry.name}`, where: { part: entry.name } };
      continue;
    }
    const data = await zipEntryBlob(blob, entry, ctx);
    yield { kind: 'member', name: entry.name, data: data instanceof Uint8Array ? blobOf(data) : data };
  }
};
