/**
 * SQLite databases (`SQLite format 3`): a value too long for its page runs on in a chain of overflow
 * pages, each starting with the next page's number, so a stamp that crosses a page boundary is
 * 「秘 Confidenti」 ‖ four bytes ‖ 「al」 in the file and no byte search finds it (`sqlite3` shows it whole).
 * The whole file is searched as bytes (what fits in one page is found there), and each value that
 * overflows is put back together from its chain and read as a member of its own. B-tree cells are
 * read from table and index pages (leaf and interior); the format: https://www.sqlite.org/fileformat2.html.
 */
import { readBytes, u32be } from '../bytes.js';
import { extractBinary } from './binary.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { databaseValue } from '../member-names.js';

export const SQLITE_HEADER = 'SQLite format 3\0';
/** Values put back together at most, and overflow pages followed per value (a loop in a damaged file). */
const MAX_VALUES = 100_000;

export const extractSqlite: Extractor = async function* (blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  yield* extractBinary(blob, ctx);
  const head = await readBytes(blob, 0, 100);
  if (head.length < 100) throw new ScanError('corrupt', 'the SQLite database is cut short (no header)');
  const raw = (head[16] << 8) | head[17];
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new ScanError('corrupt', 'the SQLite database header names no valid page size');
  const usable = pageSize - head[20];
  const pages = Math.floor(blob.size / pageSize);
  let values = 0;
  for (let n = 1; n <= pages; n++) {
    ctx.checkTime();
    const page = await readBytes(blob, (n - 1) * pageSize, n * pageSize);
    const at = n === 1 ? 100 : 0; // page 1 begins with the file header
    const type = page[at];
    // 0x0D table leaf (rows), 0x0A index leaf, 0x02 index interior; 0x05 table interior cells hold no payload.
    if (type !== 0x0d && type !== 0x0a && type !== 0x02) continue;
    const cells = (page[at + 3] << 8) | page[at + 4];
    const pointers = at + (type === 0x02 ? 12 : 8);
    for (let c = 0; c < cells && pointers + 2 * c + 1 < page.length; c++) {
      let p = (page[pointers + 2 * c] << 8) | page[pointers + 2 * c + 1];
      if (type === 0x02) p += 4; // the left child's page number
      const [size, afterSize] = varint(page, p);
      p = type === 0x0d ? varint(page, afterSize)[1] : afterSize; // a table row's id
      const local = localSize(size, usable, type === 0x0d);
      if (local >= size || p + local + 4 > page.length) continue; // all of it on this page: the byte search saw it
      if (++values > MAX_VALUES) throw new ScanError('too-many-entries', `more than ${MAX_VALUES} long values in the SQLite database`);
      const value = await chain(blob, page.subarray(p, p + local), u32be(page, p + local), size, pageSize, usable, pages);
      ctx.addEntry();
      yield { kind: 'member', name: databaseValue(n), data: new Blob([value]) };
    }
  }
};

/** A value's bytes: the part on its page, then each overflow page's after its 4-byte link, up to `size`. */
async function chain(blob: Blob, first: Uint8Array, next: number, size: number, pageSize: number, usable: number, pages: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(size);
  out.set(first);
  let filled = first.length;
  const seen = new Set<number>();
  while (filled < size) {
    if (next < 1 || next > pages || seen.has(next)) throw new ScanError('corrupt', 'an overflow chain of the SQLite database is broken');
    seen.add(next);
    const page = await readBytes(blob, (next - 1) * pageSize, (next - 1) * pageSize + usable);
    const take = Math.min(usable - 4, size - filled);
    out.set(page.subarray(4, 4 + take), filled);
    filled += take;
    next = u32be(page, 0);
  }
  return out;
}

/** How much of a payload of `size` bytes is stored on the cell's own page (the file format, 1.6). */
function localSize(size: number, usable: number, table: boolean): number {
  const max = table ? usable - 35 : Math.floor(((usable - 12) * 64) / 255) - 23;
  if (size <= max) return size;
  const min = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = min + ((size - min) % (usable - 4));
  return k <= max ? k : min;
}

/** A big-endian variable-length integer (1–9 bytes): its value and the offset after it. */
function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[at + i] ?? 0;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) return [v, at + i + 1];
  }
  return [v * 256 + (b[at + 8] ?? 0), at + 9];
}
