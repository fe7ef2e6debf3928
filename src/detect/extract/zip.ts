/** Plain ZIP archives: every member is handed back to the scanner, which recurses into it. */
import { nameOnly, ScanError, ScanLimitError, type Extracted, type ExtractContext, type Extractor } from './types.js';
import { afterArchive } from './archive-bounds.js';
import { localEntry, localNames, readZipDirectory, unlistedRanges, zipComment, zipEnd, zipEntryBlob, zipEntryHead, zipEntryTail, type ZipEntry } from './zip-reader.js';
import { blobOf } from '../bytes.js';
import { isPicture, mayEndInZip, SNIFF_HEAD, ZIP_END_REACH } from '../sniff.js';
import { chunkText } from '../text-chunks.js';
import { UNLISTED_IN_ZIP } from '../member-names.js';
import { IworkTables } from './iwork-tables.js';
import { missingBookParts } from './epub-parts.js';

const IWORK_PART = /^Index\/.+\.iwa$/i;

export const extractZip: Extractor = async function* (blob, ctx) {
  const entries = await readZipDirectory(blob, ctx);
  // An iWork document (a .numbers, .pages or .key file is a ZIP; a bundle zipped keeps it as Index.zip):
  // its archives are handed on as members, and its tables read as rows once all are known.
  const iwork = new IworkTables();
  // The document's own archives are parts of it, not files in it: a stamp found there is in the document.
  const iworkDocument = entries.some((e) => e.name === 'Index/Document.iwa');
  // Comments: the archive's own and each member's, which archivers show beside the list of files. Each
  // is read on its own: a listing puts a member's name and sizes between two of them (`unzip -v`).
  for (const comment of [zipComment(blob), ...entries.map((e) => e.comment)]) {
    if (comment.trim()) for (const text of chunkText(comment)) yield { kind: 'text', text, where: { area: 'comments' } };
  }
  for (const entry of entries) {
    if (entry.isDir) continue;
    ctx.addEntry();
    ctx.checkTime();
    for await (const item of member(blob, entry, ctx)) {
      if (item.kind === 'member' && !item.nameOnly) await iwork.add(item.name, item.data, ctx);
      yield iworkDocument && item.kind === 'member' && IWORK_PART.test(item.name) ? { ...item, part: true } : item;
    }
  }
  yield* iwork.tables(ctx);
  // An EPUB's package document and chapters, named by its lists: one missing is text the book lost.
  yield* missingBookParts(blob, entries, ctx);
  // Bytes no listed member covers: a local entry the directory does not list is read as a streaming
  // reader reads it (7-Zip lists one before the listed ones), anything else (text between members) as
  // it is.
  for (const [start, b] of await unlistedRanges(blob, entries)) {
    let a = start;
    for (let local = await localEntry(blob, a, b, true); local; local = await localEntry(blob, a, b, true)) {
      ctx.addEntry();
      if (!local.entry.isDir) yield* member(blob, local.entry, ctx);
      a = local.end;
    }
    if (a >= b) continue;
    ctx.addEntry();
    yield { kind: 'member', name: UNLISTED_IN_ZIP, data: blob.slice(a, b) };
  }
  yield* afterArchive(blob, zipEnd(blob), ctx);
};

/**
 * A ZIP without its end record (a download cut short; a ZIP after a program, cut): read as a streaming
 * reader reads it, local entry after local entry, as far as they go (7-Zip opens it so, warning of an
 * "unexpected end of archive"). What comes after them was not read: the archive is unscannable, unless
 * a member that was read is marked.
 */
export const extractCutZip: Extractor = async function* (blob, ctx) {
  let at = 0;
  for (let local = await localEntry(blob, at, blob.size, true); local; local = await localEntry(blob, at, blob.size, true)) {
    ctx.addEntry();
    ctx.checkTime();
    if (!local.entry.isDir) yield* member(blob, local.entry, ctx);
    at = local.end;
  }
  yield { kind: 'unscannable', reason: 'corrupt', detail: 'the ZIP archive is cut short (its list of files is missing): only the files before the cut were read' };
};

async function* member(blob: Blob, entry: ZipEntry, ctx: ExtractContext): AsyncGenerator<Extracted> {
  if (entry.headerName) yield nameOnly(entry.headerName);
  for (const name of await localNames(blob, entry)) yield nameOnly(name);
  // A photo or a recording is not read past its first bytes (scan.ts), so it is not inflated past them.
  // A stored one's end is looked at too, for a ZIP after the picture (sniff.ts); a compressed one's
  // cannot be without inflating it all, which a ZIP of photos would wait for (docs/formats.md).
  const head = ctx.pictureHeads ? await zipEntryHead(blob, entry, SNIFF_HEAD) : null;
  const tail = head && isPicture(head) ? await zipEntryTail(blob, entry, ZIP_END_REACH) : null;
  if (head && isPicture(head) && !(tail && mayEndInZip(tail))) {
    yield { kind: 'member', name: entry.name, data: blobOf(head) };
    return;
  }
  let data: Blob;
  try {
    data = await zipEntryBlob(blob, entry, ctx);
  } catch (err) {
    // One unreadable member (damaged, Deflate64, a bomb) does not hide its siblings: a
    // marked sibling still makes the archive marked. Scan-wide limits end the archive.
    if (!(err instanceof ScanError) || err instanceof ScanLimitError) throw err;
    yield nameOnly(entry.name);
    yield { kind: 'unscannable', reason: err.reason, detail: err.message, where: { part: entry.name } };
    return;
  }
  yield { kind: 'member', name: entry.name, data };
}
