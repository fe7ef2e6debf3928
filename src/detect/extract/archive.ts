/**
 * 7z, RAR (4 and 5), CAB and LZH, read through libarchive (see libarchive.ts). Every member is handed
 * back to the scanner, which checks its name (rule 2) and scans it recursively.
 * - Encrypted members: their names are still yielded (rule 2 applies to them), then `encrypted`.
 *   A 7z or RAR with encrypted headers (7z -mhe, rar -hp) hides the names too: `encrypted`.
 * - A RAR's archive comment (shown by unrar, WinRAR and 7-Zip above the list) is read as text.
 * - Bombs: a member whose declared size is past the ratio is refused before decoding; the others are
 *   decoded in 1 MiB slices into an ExpansionGuard, which enforces the ratio, the declared size and the
 *   scan-wide total while the data is produced, with the time budget checked between slices.
 * - A damaged member or header ends the archive as `corrupt` (libarchive cannot resync), never `clean`.
 */
import { decodeName, nameReadings, readBytes, sevenZipNameBytes } from '../bytes.js';
import { crc32 } from '../crc32.js';
import type { ArchiveFormat } from '../sniff.js';
import { afterArchive, archiveEnd, framingProblem } from './archive-bounds.js';
import { cabNames, cabReadableCopy } from './cab-headers.js';
import { crc16, lzhHeaderDamaged, lzhHeaders, lzhNames, namedHere, needsConversion, readableCopy, type LzhHeader } from './lzh-headers.js';
import { CHUNK, LibArchive } from './libarchive.js';
import { rarComments, rarFiles, rarHeadersEncrypted, rarMainHeaderDamaged, rarReadableCopy } from './rar-headers.js';
import { decodeText } from './text.js';
import { chunkText } from '../text-chunks.js';
import { checkDeclared, ExpansionGuard } from './expansion-guard.js';
import { nameOnly, ScanError, ScanLimitError, type ExtractContext, type Extracted, type Extractor } from './types.js';

export const archiveExtractor = (format: ArchiveFormat): Extractor =>
  async function* (blob, ctx) {
    // Encrypted RAR headers hide the end block too: told apart from a cut archive first.
    if (format === 'rar' && rarHeadersEncrypted(await readBytes(blob, 0, 64))) {
      throw new ScanError('encrypted', 'the RAR archive’s headers are encrypted (password required): not even the names can be read');
    }
    if (format === 'rar' && rarMainHeaderDamaged(await readBytes(blob, 0, 1 << 16))) throw new ScanError('corrupt', 'the RAR archive’s main header fails its CRC check (damaged)');
    const problem = await framingProblem(format, blob, -1);
    if (problem && format !== 'cab') throw new ScanError('corrupt', problem);
    yield* readAll(format, blob, ctx);
  };

async function* readAll(format: ArchiveFormat, blob: Blob, ctx: ExtractContext): AsyncIterable<Extracted> {
  const bytes = await readBytes(blob);
  const headers = format === 'lzh' ? lzhHeaders(bytes) : [];
  const damagedHeader = headers.find((h) => needsConversion(h) && lzhHeaderDamaged(bytes, h));
  if (damagedHeader) {
    // Its name is still named (rule 2), in each reading.
    for (const name of lzhNames(damagedHeader)) yield nameOnly(name);
    throw new ScanError('corrupt', 'an LZH member header fails its checksum (damaged)');
  }
  const rar = format === 'rar' ? rarFiles(bytes) : [];
  if (format === 'rar') yield* rarCommentText(bytes, blob.size, ctx);
  // CAB names in each reading, from the cabinet's own entries (libarchive's may not say what was meant).
  if (format === 'cab') for (const name of cabNames(bytes)) yield nameOnly(name);
  const archive = await LibArchive.open(
    (format === 'lzh' && readableCopy(bytes, headers)) || (format === 'rar' && rarReadableCopy(bytes)) || (format === 'cab' && cabReadableCopy(bytes)) || bytes,
  );
  let files = 0;
  let entries = 0;
  try {
    for (let entry = archive.next(), i = 0; entry; entry = archive.next(), i++) {
      ctx.checkTime();
      entries++;
      if (!entry.isFile) continue;
      // An LZH name in a legacy encoding, or a 7z name whose bytes 7-Zip kept as they were (CP932, EUC-JP):
      // its likeliest reading names the member, the others face rule 2 too.
      const escaped = sevenZipNameBytes(entry.name);
      const readings = format === 'lzh' && headers[i] && namedHere(headers[i]) ? lzhNames(headers[i]) : escaped ? nameReadings(escaped) : [];
      if (readings.length) entry.name = readings[0];
      for (const other of readings.slice(1)) yield nameOnly(other);
      // A RAR 4 name in the writer's code page (no Unicode flag): decoded here, not as libarchive spells it.
      const r4 = rar[i];
      if (r4 && !r4.unicode && r4.name.some((c) => c >= 0x80)) entry.name = decodeName(r4.name, false).replace(/\\/g, '/');
      ctx.addEntry();
      files++;
      if (entry.encrypted) {
        yield nameOnly(entry.name);
        yield { kind: 'unscannable', reason: 'encrypted', detail: `${entry.name} is encrypted (password required)`, where: { part: entry.name } };
        continue;
      }
      // Its name first: a marked name is marked even when its data cannot be read (an unknown filter,
      // a bomb's declared size, damage), as a listing shows it.
      yield nameOnly(entry.name);
      if (entry.size < 0) throw new ScanError('expansion-ratio', `${entry.name} declares 2 GiB or more (suspected archive bomb)`);
      checkDeclared(entry.name, entry.size, blob.size, ctx);
      const guard = new ExpansionGuard(ctx, { name: entry.name, declared: entry.size, copy: true });
      guard.consumed(blob.size); // solid archives do not say which compressed bytes a member took
      let crc = 0;
      for (let left = entry.size; left > 0; left -= CHUNK) {
        const chunk = archive.read(Math.min(left, CHUNK));
        if (format === 'lzh') crc = crc16(chunk, crc);
        else if (r4?.stored) crc = crc32(chunk, crc);
        guard.produced(chunk);
      }
      try {
        archive.finish();
      } catch (err) {
        // RAR 5 directories can carry a file type: they have no data to probe.
        if (!(entry.size === 0 && err instanceof ScanError && /marked as a directory/.test(err.message))) throw err;
        continue;
      }
      if (format === 'lzh' && headers[i]?.crc != null && headers[i].crc !== crc) throw new ScanError('corrupt', `${entry.name} fails its CRC check`);
      // A damaged member does not hide its siblings: a marked one still makes the archive marked.
      if (r4?.stored && r4.crc !== crc) {
        yield nameOnly(entry.name);
        yield { kind: 'unscannable', reason: 'corrupt', detail: `${entry.name} fails its CRC check`, where: { part: entry.name } };
        continue;
      }
      yield { kind: 'member', name: entry.name, data: guard.blob() };
    }
    if (entries < headers.length) yield* unreadLzhMembers(headers.slice(entries));
    // libarchive ends a ZIP it cannot follow after a prefix (ZIP64 end records, a cut self-extractor) as if
    // it were empty, with no error: what it did not read is not clean.
    if (format === 'sfx' && entries === 0) throw new ScanError('corrupt', 'no member of the archive after the first bytes could be read (damaged, or a layout the reader does not follow)');
    const problem = format === 'cab' ? await framingProblem(format, blob, files) : null;
    if (problem) throw new ScanError('corrupt', problem);
    const end = archiveEnd(format, bytes);
    // libarchive ends its header loop at a damaged cpio header as at the archive's end, with no error: a
    // header it could not read would hide every member after it. Its entries must lead to TRAILER!!!.
    if (format === 'cpio' && end === null) throw new ScanError('corrupt', 'cpio archive is damaged (a header, or the NUL that ends a name, is damaged, or its entries do not lead to its TRAILER!!! entry)');
    yield* afterArchive(blob, end, ctx);
  } catch (err) {
    if (err instanceof ScanError) throw err;
    throw new ScanError('corrupt', `archive cannot be read: ${String((err as Error)?.message ?? err)}`);
  } finally {
    archive.close();
  }
}

/**
 * Members libarchive stopped before (damage, or a header it cannot read). Their content is unread, so
 * the archive is not clean; their names, decoded here, still face rule 2.
 */
function* unreadLzhMembers(rest: LzhHeader[]): Generator<Extracted> {
  for (const h of rest) for (const name of lzhNames(h)) yield nameOnly(name);
  throw new ScanError('corrupt', `${rest.length} LZH member(s) could not be read (damage, or a header the reader does not know)`);
}

/** A RAR's archive comment as text; one that cannot be read leaves the archive unscannable, its members still read. */
async function* rarCommentText(bytes: Uint8Array, compressed: number, ctx: ExtractContext): AsyncIterable<Extracted> {
  for (const comment of rarComments(bytes)) {
    let text: string;
    try {
      if ('unread' in comment) throw new ScanError('unsupported', comment.unread);
      text = decodeText('text' in comment ? comment.text : await commentBytes(comment.archive, compressed, ctx));
    } catch (err) {
      // Scan-wide limits end the archive; anything else leaves only the comment unread.
      if (err instanceof ScanLimitError) throw err;
      const e = err instanceof ScanError ? err : new ScanError('corrupt', String((err as Error)?.message ?? err));
      yield { kind: 'unscannable', reason: e.reason, detail: `the archive comment cannot be read: ${e.message}`, where: { area: 'comments' } };
      continue;
    }
    for (const t of chunkText(text)) yield { kind: 'text', text: t, where: { area: 'comments' } };
    // Read all the same, so a stamp the damage spared still marks the archive.
    if (comment.damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: comment.damaged, where: { area: 'comments' } };
  }
}

/** The comment's bytes: the one member of the archive rarComments made of it, decoded as members are. */
async function commentBytes(archive: Uint8Array, compressed: number, ctx: ExtractContext): Promise<Uint8Array> {
  const reader = await LibArchive.open(archive);
  try {
    const entry = reader.next();
    if (!entry) throw new ScanError('corrupt', 'the comment header is damaged');
    if (entry.size < 0) throw new ScanError('expansion-ratio', 'the archive comment declares 2 GiB or more (suspected archive bomb)');
    checkDeclared('(archive comment)', entry.size, compressed, ctx);
    const guard = new ExpansionGuard(ctx, { name: '(archive comment)', declared: entry.size, copy: true });
    guard.consumed(archive.length);
    for (let left = entry.size; left > 0; left -= CHUNK) guard.produced(reader.read(Math.min(left, CHUNK)));
    reader.finish();
    return guard.bytes();
  } finally {
    reader.close();
  }
}
