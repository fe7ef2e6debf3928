/**
 * A small, defensive reader for Compound File Binary (OLE2) containers: header, DIFAT, FAT,
 * miniFAT and directory. Every chain walk is bounded (cycle-safe) and sizes are capped by the
 * file size, so mutated input ends in ScanError('corrupt') or in partial streams, never in a hang.
 * Every irregularity met on the way (a chain that loops, ends early, runs past its stream's size
 * or points outside the file; a directory link out of range or visited twice) is recorded in
 * `problems`, so the extractor can report what it could not read instead of calling it clean.
 */
import { ScanError } from './types.js';

const SIG = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;
const NOSTREAM = 0xffffffff;

export function isCfb(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  for (let i = 0; i < 8; i++) if (b[i] !== SIG[i]) return false;
  return true;
}

export interface CfbEntry {
  id: number;
  name: string;
  /** 1 storage, 2 stream, 5 root. */
  type: number;
  start: number;
  size: number;
  children: CfbEntry[];
  /** Path from the root, `/`-separated, without the root's name. */
  path: string;
}

/**
 * A directory entry's name: its UTF-16 characters up to the first NUL (at most 31), and whether its
 * length field agrees (MS-CFB 2.6.1: the length in bytes counts the NUL, so it is even and at most 64).
 * A damaged length (1050 for 26, 66, ±2) used to cut the name or run past its NUL: the stream, its
 * name no longer "Data" or "\x01Ole10Native", was skipped without a word.
 */
function entryName(dd: DataView, o: number): { name: string; sound: boolean } {
  const length = dd.getUint16(o + 64, true);
  let name = '';
  let i = 0;
  for (; i < 62; i += 2) {
    const c = dd.getUint16(o + i, true);
    if (c === 0) break;
    name += String.fromCharCode(c);
  }
  return { name, sound: length === i + 2 && dd.getUint16(o + i, true) === 0 };
}

export class Cfb {
  readonly root: CfbEntry;
  /** The class the root storage names (a GUID, upper case), e.g. a Windows Installer package's. */
  readonly rootClsid: string;
  private readonly ss: number;
  private readonly fat: Uint32Array;
  private miniFat: Uint32Array = new Uint32Array(0);
  private miniStream: Uint8Array | null = null;
  private readonly miniCutoff: number;
  private readonly entries: CfbEntry[] = [];
  /** What could not be read as the file claims (part, then what is wrong). Empty for a sound file. */
  readonly problems: { part: string; detail: string }[] = [];
  private problem(part: string, detail: string): void {
    if (this.problems.length < 100) this.problems.push({ part, detail });
  }

  constructor(
    private readonly b: Uint8Array,
    private readonly checkTime: () => void = () => {},
  ) {
    if (!isCfb(b)) throw new ScanError('corrupt', 'not a compound file');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const shift = dv.getUint16(30, true);
    if (shift !== 9 && shift !== 12) throw new ScanError('corrupt', `compound file: bad sector size 2^${shift}`);
    this.ss = 1 << shift;
    this.miniCutoff = dv.getUint32(56, true) || 4096;
    const nSectors = Math.ceil(Math.max(0, b.length - this.ss) / this.ss);
    const numFat = dv.getUint32(44, true);
    const dirStart = dv.getUint32(48, true);
    const miniFatStart = dv.getUint32(60, true);
    const numMiniFat = dv.getUint32(64, true);
    let difatSect = dv.getUint32(68, true);
    const numDifat = dv.getUint32(72, true);

    // DIFAT: 109 entries in the header, then chained DIFAT sectors.
    const fatSectors: number[] = [];
    for (let i = 0; i < 109 && fatSectors.length < numFat; i++) {
      const s = dv.getUint32(76 + i * 4, true);
      if (s !== FREESECT) fatSectors.push(s);
    }
    const seenDifat = new Set<number>();
    const perDifat = this.ss / 4 - 1;
    for (let k = 0; k < numDifat && fatSectors.length < numFat; k++) {
      if (difatSect >= nSectors || seenDifat.has(difatSect)) {
        this.problem('DIFAT', difatSect >= nSectors ? 'DIFAT chain points outside the file' : 'DIFAT chain loops');
        break;
      }
      seenDifat.add(difatSect);
      const off = this.off(difatSect);
      for (let i = 0; i < perDifat && fatSectors.length < numFat; i++) {
        const s = dv.getUint32(off + i * 4, true);
        if (s !== FREESECT) fatSectors.push(s);
      }
      difatSect = dv.getUint32(off + perDifat * 4, true);
    }
    if (fatSectors.length === 0) throw new ScanError('corrupt', 'compound file: no FAT');
    if (fatSectors.length < numFat) this.problem('FAT', `the header lists ${numFat} FAT sectors, ${fatSectors.length} were found`);
    const per = this.ss / 4;
    this.fat = new Uint32Array(Math.min(fatSectors.length, Math.ceil(nSectors / per) + 1) * per).fill(FREESECT);
    for (let i = 0; i < fatSectors.length && (i + 1) * per <= this.fat.length; i++) {
      const s = fatSectors[i];
      if (s >= nSectors) {
        this.problem('FAT', 'a FAT sector lies outside the file');
        continue;
      }
      const off = this.off(s);
      for (let j = 0; j < per; j++) this.fat[i * per + j] = dv.getUint32(off + j * 4, true);
    }

    // Directory.
    const dir = this.chain(dirStart, Infinity, 'directory');
    if (dir.length < 128) throw new ScanError('corrupt', 'compound file: no directory');
    const dd = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
    const raw: { name: string; sound: boolean; type: number; left: number; right: number; child: number; start: number; size: number }[] = [];
    for (let o = 0; o + 128 <= dir.length; o += 128) {
      const { name, sound } = entryName(dd, o);
      const size = dd.getUint32(o + 120, true) + (this.ss === 4096 ? dd.getUint32(o + 124, true) * 2 ** 32 : 0);
      raw.push({
        name,
        sound,
        type: dir[o + 66],
        left: dd.getUint32(o + 68, true),
        right: dd.getUint32(o + 72, true),
        child: dd.getUint32(o + 76, true),
        start: dd.getUint32(o + 116, true),
        size,
      });
    }
    if (raw[0].type !== 5) throw new ScanError('corrupt', 'compound file: no root entry');
    this.rootClsid = guid(dir.subarray(80, 96));
    const visited = new Set<number>();
    const make = (id: number, path: string): CfbEntry => {
      const r = raw[id];
      const e: CfbEntry = { id, name: r.name, type: r.type, start: r.start, size: r.size, children: [], path };
      this.entries.push(e);
      return e;
    };
    this.root = make(0, '');
    // Walk each storage's red-black tree of children iteratively, never visiting an entry twice.
    const stack: CfbEntry[] = [this.root];
    visited.add(0);
    while (stack.length) {
      const parent = stack.pop()!;
      const todo = [raw[parent.id].child];
      while (todo.length) {
        const id = todo.pop()!;
        if (id === NOSTREAM) continue;
        if (id >= raw.length || visited.has(id)) {
          this.problem('directory', id >= raw.length ? 'a directory link points outside the directory' : 'directory links loop');
          continue;
        }
        visited.add(id);
        const r = raw[id];
        todo.push(r.left, r.right);
        if (r.type !== 1 && r.type !== 2) {
          this.problem('directory', `an entry of unknown type ${r.type} is linked in`);
          continue;
        }
        const e = make(id, parent.path ? parent.path + '/' + r.name : r.name);
        // Read by the name it spells (to its NUL), and said: LibreOffice refuses the file, or reads no such stream.
        if (!r.sound) this.problem(e.path, 'its directory entry\'s name length is damaged (MS-CFB 2.6.1: even, at most 64 bytes, its last character the name\'s NUL)');
        parent.children.push(e);
        if (r.type === 1) stack.push(e);
      }
    }

    // Mini stream and miniFAT.
    if (numMiniFat > 0) {
      const mf = this.chain(miniFatStart, numMiniFat * this.ss, 'miniFAT');
      this.miniFat = new Uint32Array(mf.length >> 2);
      const mdv = new DataView(mf.buffer, mf.byteOffset, mf.byteLength);
      for (let i = 0; i < this.miniFat.length; i++) this.miniFat[i] = mdv.getUint32(i * 4, true);
    }
  }

  private off(sector: number): number {
    return (sector + 1) * this.ss;
  }

  /**
   * The bytes of a FAT chain, at most `max` bytes; a broken or cyclic chain ends early. With a
   * finite `max` (a stream's size) the chain must cover exactly that many bytes: shorter, longer,
   * looping or leaving the file is recorded as a problem of `part`.
   */
  private chain(start: number, max: number, part: string): Uint8Array {
    const nSectors = Math.floor(Math.max(0, this.b.length - this.ss) / this.ss) + 1;
    const limit = Math.min(max, this.b.length);
    const parts: number[] = [];
    const seen = new Set<number>();
    let s = start;
    while (s !== ENDOFCHAIN && parts.length * this.ss < limit) {
      if (s >= this.fat.length || s >= nSectors || seen.has(s)) {
        this.problem(part, seen.has(s) ? 'sector chain loops' : 'sector chain points outside the file');
        break;
      }
      seen.add(s);
      parts.push(s);
      s = this.fat[s];
      if ((parts.length & 4095) === 0) this.checkTime();
    }
    if (max !== Infinity && parts.length * this.ss >= limit && s !== ENDOFCHAIN && max <= this.b.length) {
      this.problem(part, 'sector chain runs past the size its directory entry gives');
    }
    const len = Math.min(limit, parts.length * this.ss);
    const out = new Uint8Array(len);
    let o = 0;
    for (const p of parts) {
      const src = this.b.subarray(this.off(p), Math.min(this.b.length, this.off(p) + this.ss));
      const n = Math.min(src.length, len - o);
      out.set(src.subarray(0, n), o);
      o += n;
      if (o >= len) break;
    }
    if (max !== Infinity && o < max) this.problem(part, `stream ends after ${o} of its ${max} bytes`);
    return o < len ? out.subarray(0, o) : out;
  }

  /** The contents of a stream (possibly shorter than its declared size if the file is damaged: see `problems`). */
  read(e: CfbEntry): Uint8Array {
    if (e.type !== 2) return new Uint8Array(0);
    if (e.size < this.miniCutoff) return this.readMini(e);
    return this.chain(e.start, e.size, e.path);
  }

  private readMini(e: CfbEntry): Uint8Array {
    if (!this.miniStream) this.miniStream = this.chain(this.root.start, this.root.size, 'mini stream');
    const ms = 64;
    const size = e.size;
    const out = new Uint8Array(size);
    const seen = new Set<number>();
    let s = e.start;
    let o = 0;
    while (o < size && s !== ENDOFCHAIN) {
      const src = s < this.miniFat.length && !seen.has(s) ? this.miniStream.subarray(s * ms, s * ms + ms) : null;
      if (!src || src.length === 0) {
        this.problem(e.path, seen.has(s) ? 'mini sector chain loops' : 'mini sector chain points outside the mini stream');
        break;
      }
      seen.add(s);
      const n = Math.min(src.length, size - o);
      out.set(src.subarray(0, n), o);
      o += n;
      s = this.miniFat[s];
    }
    if (o < size) this.problem(e.path, `stream ends after ${o} of its ${size} bytes`);
    // An empty stream should start at ENDOFCHAIN, but some writers (e.g. oxmsg's .msg) leave sector 0 there:
    // nothing is declared, so nothing is unread. Only a chain longer than a non-zero size hides bytes.
    else if (s !== ENDOFCHAIN && size > 0) this.problem(e.path, 'mini sector chain runs past the size its directory entry gives');
    return o < size ? out.subarray(0, o) : out;
  }

  /** Child of a storage by name (case-insensitive, as in CFB). */
  child(parent: CfbEntry, name: string): CfbEntry | undefined {
    const n = name.toUpperCase();
    return parent.children.find((c) => c.name.toUpperCase() === n);
  }

  /** Every stream below a storage, depth-first. */
  streams(parent: CfbEntry = this.root): CfbEntry[] {
    const out: CfbEntry[] = [];
    const stack = [parent];
    while (stack.length) {
      const p = stack.pop()!;
      for (const c of p.children) {
        if (c.type === 2) out.push(c);
        else stack.push(c);
      }
    }
    return out;
  }
}

/** A GUID as written in a directory entry (Data1–3 little-endian), in its usual text form. */
function guid(b: Uint8Array): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...b.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`.toUpperCase();
}
