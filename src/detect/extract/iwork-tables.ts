/**
 * The tables of an iWork document (Numbers' sheets, a table in Pages or Keynote) read as a grid, so a
 * stamp split across neighbouring cells (秘 in A1, Confidential in B1) reads as Numbers shows it, side by
 * side: each row goes through RowTexts (sheet-rows.ts) as xlsx, ods and csv rows do. The archives' byte
 * search (iwa.ts) sees each cell's text alone, in a string table, never next to its neighbour.
 *
 * The model, as the open readers use it (SheetJS's numbers reader, the numbers-parser package's protos):
 * each `Index/…/*.iwa` holds objects, each a protobuf message with an id and a type (iwa-objects below).
 * A table (TST.TableModelArchive, type 6001) has a data store (field 4) naming its tiles (field 3: each
 * a tile id and a reference to a TST.Tile, type 6002; rows per tile in 2), its string table (field 4) and its rich text
 * table (field 17), both TST.TableDataList (entries: key 1, string 3, rich text payload 9). A tile's
 * rows (field 5: row index 1, cell count 2, storage 6 with offsets 7, or before Numbers 3.5 storage 3
 * with offsets 4; wide offsets 8) hold one 16-bit offset per column (0xFFFF: no cell) into cell records
 * whose flags say which values follow: a string cell's key into the string table, a rich text cell's
 * into the rich text table (a TST.RichTextPayloadArchive naming the TSWP storage whose text is field 3).
 *
 * Its column headers (data store field 2) say which columns are hidden: the cells either side of one stand
 * side by side on screen, and are read so too (HiddenColumns).
 *
 * A table whose storage cannot be read whole (a reference to a missing object, a cell record cut short
 * or in a layout not known here, a cell pointing at no string) is reported unscannable, with the reason:
 * its rows were not read, so it is never clean.
 */
import type { UnscannableReason, Where } from '../types.js';
import { ProtobufError, bytesField, bytesFields, readFields, readVarint, varintField, type ProtoFields } from './protobuf.js';
import { decodeIwa } from './iwa.js';
import { HiddenColumns, RowTexts, type TextCell } from './sheet-rows.js';
import { ScanError, ScanLimitError, type ExtractContext, type Extracted } from './types.js';

/** An archive of an iWork document: `Index/…/*.iwa`, also inside a bundle's folder (`x.numbers/Index/…`). */
const ARCHIVE = /(?:^|\/)Index\/.+\.iwa$/i;

/** Decompressed archives kept per ZIP for its tables; past this their tables are not read (unscannable). */
const MAX_KEPT_BYTES = 256 * 1024 * 1024;

const TABLE_MODEL = 6001;
const TILE = 6002;
/** Rows a tile holds when its table does not say: a tile's rows are numbered from its id times this. */
const TILE_ROWS = 256;

interface IwaObject {
  type: number;
  data: Uint8Array;
  /** The archive holding it. */
  part: string;
}

/** A table that cannot be read whole: why, and the verdict's reason. */
class TableError extends Error {
  constructor(
    message: string,
    readonly reason: 'corrupt' | 'unsupported' = 'corrupt',
  ) {
    super(message);
  }
}

/** The iWork archives among a ZIP's members, by document, read for their tables after the members. */
export class IworkTables {
  /** Document (the folder before `Index/`) → its archives, decompressed, by name. */
  private readonly docs = new Map<string, [string, Uint8Array][]>();
  private kept = 0;
  private over = false;

  /** A member of the ZIP: kept if it is an iWork archive that decompresses (a damaged one is reported as a member). */
  async add(name: string, data: Blob, ctx: ExtractContext): Promise<void> {
    const at = name.search(ARCHIVE);
    if (at < 0) return;
    const doc = name.slice(0, name[at] === '/' ? at + 1 : at);
    let bytes: Uint8Array;
    try {
      bytes = await decodeIwa(data, ctx, true);
    } catch (err) {
      if (err instanceof ScanError && !(err instanceof ScanLimitError)) return;
      throw err;
    }
    if ((this.kept += bytes.length) > MAX_KEPT_BYTES) this.over = true;
    if (this.over) return;
    let list = this.docs.get(doc);
    if (!list) this.docs.set(doc, (list = []));
    list.push([name, bytes]);
  }

  /** Each document's tables as rows, or why one could not be read. */
  *tables(ctx: ExtractContext): Generator<Extracted> {
    if (this.over) {
      yield { kind: 'unscannable', reason: 'too-large', detail: `an iWork document's archives expand past ${MAX_KEPT_BYTES} bytes: its tables were not read as rows` };
    }
    for (const [doc, archives] of this.docs) {
      const objects = new Map<number, IwaObject>();
      for (const [name, bytes] of archives) {
        try {
          readObjects(bytes, name, objects, ctx);
        } catch (err) {
          if (!(err instanceof ProtobufError)) throw err;
          yield { kind: 'unscannable', reason: 'corrupt', detail: `an iWork archive's objects cannot be read (${err.message})`, where: { part: name } };
        }
      }
      const sheets = sheetNames(objects);
      for (const [id, obj] of objects) {
        if (obj.type !== TABLE_MODEL) continue;
        yield* table(obj, id, objects, sheets.get(id), ctx);
      }
      this.docs.delete(doc);
    }
  }
}

/**
 * An archive's objects into `out` by id. Each is an ArchiveInfo (its length as a varint first: the id in
 * field 1, one MessageInfo per message in field 2, with its type in 1 and length in 3), then the messages.
 * The first message is the object; later ones (rare) are diffs, not read.
 */
function readObjects(b: Uint8Array, part: string, out: Map<number, IwaObject>, ctx: ExtractContext): void {
  for (let pos = 0; pos < b.length; ) {
    ctx.checkTime();
    const [n, p] = readVarint(b, pos);
    if (p + n > b.length) throw new ProtobufError('an object header runs past the archive');
    const info = readFields(b.subarray(p, p + n));
    pos = p + n;
    const id = varintField(info, 1);
    let first: IwaObject | undefined;
    for (const m of bytesFields(info, 2)) {
      const mi = readFields(m);
      const len = varintField(mi, 3) ?? 0;
      if (pos + len > b.length) throw new ProtobufError('an object runs past the archive');
      first ??= { type: varintField(mi, 1) ?? 0, data: b.subarray(pos, pos + len), part };
      pos += len;
    }
    if (id !== undefined && first && !out.has(id)) out.set(id, first);
  }
}

const SHEET = 2;
const TABLE_INFO = 6000;

/**
 * Numbers' sheet names by the table models on them, for the location: a sheet (TN.SheetArchive, type 2:
 * name 1, drawables 2) places tables (TST.TableInfoArchive, type 6000: model 2). Only names: a sheet
 * that does not read so leaves its tables named by their own names (every table model is read anyway).
 */
function sheetNames(objects: Map<number, IwaObject>): Map<number, string> {
  const out = new Map<number, string>();
  for (const obj of objects.values()) {
    if (obj.type !== SHEET) continue;
    try {
      const sheet = readFields(obj.data);
      const name = bytesField(sheet, 1);
      if (!name) continue;
      for (const d of bytesFields(sheet, 2)) {
        const info = objects.get(refOf(d) ?? -1);
        const model = info?.type === TABLE_INFO ? refOf(bytesField(readFields(info.data), 2)) : undefined;
        if (model !== undefined) out.set(model, utf8.decode(name));
      }
    } catch (err) {
      if (!(err instanceof ProtobufError)) throw err;
    }
  }
  return out;
}

/** A TSP.Reference's object id (field 1). */
function refOf(b: Uint8Array | undefined): number | undefined {
  return b ? varintField(readFields(b), 1) : undefined;
}

function resolve(objects: Map<number, IwaObject>, ref: number | undefined, type: number | null, what: string): IwaObject {
  const obj = ref === undefined ? undefined : objects.get(ref);
  if (!obj) throw new TableError(`its ${what} is missing`);
  if (type !== null && obj.type !== type) throw new TableError(`its ${what} is an object of another kind (${obj.type})`);
  return obj;
}

const utf8 = new TextDecoder('utf-8');

/** A TST.TableDataList: key → text. Rich text entries name a payload whose storage holds the text. */
function dataList(objects: Map<number, IwaObject>, ref: number | undefined, what: string): Map<number, string> {
  const out = new Map<number, string>();
  if (ref === undefined) return out;
  const list = readFields(resolve(objects, ref, null, what).data);
  for (const entry of bytesFields(list, 3)) {
    const e = readFields(entry);
    const key = varintField(e, 1);
    if (key === undefined) continue;
    const s = bytesField(e, 3);
    if (s) {
      out.set(key, utf8.decode(s));
      continue;
    }
    const payload = bytesField(e, 9);
    if (!payload) continue;
    const storage = resolve(objects, refOf(bytesField(readFields(resolve(objects, refOf(payload), null, `${what}'s text`).data), 1)), null, `${what}'s text`);
    out.set(key, bytesFields(readFields(storage.data), 3).map((t) => utf8.decode(t)).join(''));
  }
  return out;
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
};

/**
 * A cell record's keys into the string and rich text tables (-1: none). Version 5 (Numbers 3.5 and
 * later): type in byte 1, flags at 8, then the values the flags name, in order: a decimal (16 bytes),
 * a double (8), a date (8), the string key (4), the rich text key (4). Versions 0–3: type in byte 2, flags
 * at 4, as SheetJS's reader places them.
 */
function cellKeys(c: Uint8Array): { string: number; rich: number } {
  const dv = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const u32 = (at: number): number => {
    if (at + 4 > c.length) throw new TableError('a cell record is cut short');
    return dv.getUint32(at, true);
  };
  let string = -1;
  let rich = -1;
  const v = c[0];
  if (v === 5) {
    const flags = u32(8);
    let p = 12 + (flags & 1 ? 16 : 0) + (flags & 2 ? 8 : 0) + (flags & 4 ? 8 : 0);
    if (flags & 8) string = u32((p += 4) - 4);
    if (flags & 16) rich = u32(p);
  } else if (v <= 3) {
    const flags = u32(4);
    let p = (v > 1 ? 12 : 8) + popcount(flags & (v > 1 ? 0xd8e : 0x18e)) * 4;
    if (flags & 0x200) rich = u32((p += 4) - 4);
    p += popcount(flags & (v > 1 ? 0x3000 : 0x1000)) * 4;
    if (flags & 0x10) string = u32(p);
  } else {
    throw new TableError(`a cell is stored in a layout not known here (version ${v})`, 'unsupported');
  }
  return { string, rich };
}

/** A table's rows, located by its sheet's name and its own (シート「明細」の表「表 1」), or why it cannot be read. */
function* table(obj: IwaObject, id: number, objects: Map<number, IwaObject>, sheet: string | undefined, ctx: ExtractContext): Generator<Extracted> {
  let name = '';
  let own = '';
  try {
    const model = readFields(obj.data);
    const tableName = bytesField(model, 8);
    own = tableName ? utf8.decode(tableName) : '';
    name = [sheet, own].filter(Boolean).join(' › ');
    // Sheet and table apart: a Numbers sheet holds several tables, each with its own A1.
    const where: Where = { part: obj.part, ...(sheet ? { sheet } : {}), ...(own ? { table: own } : {}) };
    const cells = grid(model, objects, ctx);
    const rows = new RowTexts();
    rows.hidden = hiddenColumns(model, objects);
    for (const [, row] of [...cells].sort((a, b) => a[0] - b[0])) {
      rows.add(row.sort((a, b) => a.col - b.col), where);
      yield* rows.take();
    }
  } catch (err) {
    if (!(err instanceof TableError || err instanceof ProtobufError)) throw err;
    const reason: UnscannableReason = err instanceof TableError ? err.reason : 'corrupt';
    yield {
      kind: 'unscannable',
      reason,
      detail: `a table (${name ? `「${name}」` : `object ${id}`}) of an iWork document cannot be read cell by cell: ${err.message}`,
      where: { part: obj.part, ...(sheet ? { sheet } : {}), ...(own ? { table: own } : {}) },
    };
  }
}

/**
 * The table's hidden columns: its column headers (data store field 2, a TST.HeaderStorageBucket: one
 * header per column in field 2, its index in 1, its hiding state in 3, not zero when hidden). Numbers
 * shows the cells either side of a hidden column side by side (RowTexts reads a row both ways).
 */
function hiddenColumns(model: ProtoFields, objects: Map<number, IwaObject>): HiddenColumns | null {
  const store = readFields(bytesField(model, 4) ?? new Uint8Array());
  const ref = refOf(bytesField(store, 2));
  if (ref === undefined) return null;
  const hidden = new HiddenColumns();
  for (const h of bytesFields(readFields(resolve(objects, ref, null, 'column headers').data), 2)) {
    const header = readFields(h);
    const index = varintField(header, 1);
    if (index !== undefined && varintField(header, 3)) hidden.add(index, index);
  }
  return hidden.any ? hidden : null;
}

/** The table's text cells, by row. */
function grid(model: ProtoFields, objects: Map<number, IwaObject>, ctx: ExtractContext): Map<number, TextCell[]> {
  const storeBytes = bytesField(model, 4);
  if (!storeBytes) throw new TableError('its cell storage is missing');
  const store = readFields(storeBytes);
  const strings = dataList(objects, refOf(bytesField(store, 4)), 'string table');
  const rich = dataList(objects, refOf(bytesField(store, 17)), 'rich text table');
  const tiles = bytesField(store, 3);
  if (!tiles) throw new TableError('its tiles are missing');
  const rows = new Map<number, TextCell[]>();
  const placed = new Set<string>();
  const seen = new Set<number>();
  const tileStorage = readFields(tiles);
  // Rows per tile (TileStorage field 2; Numbers writes 256): a tile's rows start at its id times this.
  const tileRows = varintField(tileStorage, 2) || TILE_ROWS;
  for (const t of bytesFields(tileStorage, 1)) {
    const tf = readFields(t);
    const base = (varintField(tf, 1) ?? 0) * tileRows;
    const ref = refOf(bytesField(tf, 2));
    // A tile named twice would be read twice (a crafted table naming one tile a million times).
    if (ref !== undefined && seen.has(ref)) throw new TableError('it names one tile twice');
    if (ref !== undefined) seen.add(ref);
    const tile = readFields(resolve(objects, ref, TILE, 'tile').data);
    // Which storage the tile was last saved with (field 7): the newer one, unless it says otherwise.
    const bnc = varintField(tile, 7);
    for (const ri of bytesFields(tile, 5)) {
      ctx.checkTime();
      const info = readFields(ri);
      const useNew = bytesField(info, 7) && bnc !== 0;
      const offsets = useNew ? bytesField(info, 7) : bnc !== 1 ? bytesField(info, 4) : undefined;
      const storage = useNew ? bytesField(info, 6) : bytesField(info, 3);
      if (!offsets || !storage) throw new TableError('a row of a tile has no cell storage');
      const width = varintField(info, 8) ? 4 : 1;
      const row = base + (varintField(info, 1) ?? 0);
      const odv = new DataView(offsets.buffer, offsets.byteOffset, offsets.byteLength);
      let count = 0;
      for (let col = 0; col * 2 + 2 <= offsets.length; col++) {
        const off = odv.getUint16(col * 2, true);
        if (off === 0xffff) continue;
        count++;
        if (off * width >= storage.length) throw new TableError('a cell lies past its row\'s storage');
        const { string, rich: r } = cellKeys(storage.subarray(off * width));
        let text: string | undefined;
        if (r >= 0) {
          text = rich.get(r);
          if (text === undefined) throw new TableError(`a rich text cell points at no text (${r})`);
        } else if (string >= 0) {
          text = strings.get(string);
          if (text === undefined) throw new TableError(`a text cell points at no string (${string})`);
        }
        if (text === undefined) continue;
        const key = `${row},${col}`;
        if (placed.has(key)) throw new TableError('two cells stand at one place');
        placed.add(key);
        let list = rows.get(row);
        if (!list) rows.set(row, (list = []));
        list.push({ row, col, text, sst: null });
      }
      const declared = varintField(info, 2);
      if (declared !== undefined && declared !== count) throw new TableError(`a row says it has ${declared} cells, its storage ${count}`);
    }
  }
  return rows;
}
