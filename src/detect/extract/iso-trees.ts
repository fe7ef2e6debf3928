/**
 * An ISO 9660 image can hold two directory trees over the same data: the primary one (with Rock Ridge
 * names) and Joliet's (UCS-2 names, what Windows shows). libarchive reads one of them, Rock Ridge when
 * there is one; a file listed only in the Joliet tree (`genisoimage -R -J -hide FILE`, which takes it out
 * of the primary tree only) is opened by 7-Zip and by Windows Explorer, and was never read. Here both
 * trees are walked and each file only Joliet lists is read from its extent, as those readers read it.
 */
import { readBytes, u32 } from '../bytes.js';
import { nameOnly, type ExtractContext, type Extracted } from './types.js';

const SECTOR = 2048;
/** Directories walked at most per tree (a loop or a bomb), and files listed at most. */
const MAX_DIRECTORIES = 10_000;
const MAX_FILES = 100_000;
const MAX_DESCRIPTORS = 16;

export interface TreeFile {
  name: string;
  extent: number;
  size: number;
}

/** The root directory records of the primary tree and of the Joliet tree (null when there is none), from the descriptor set at sector `first`. */
export async function roots(blob: Blob, first = 16): Promise<{ primary: Uint8Array | null; joliet: Uint8Array | null }> {
  let primary: Uint8Array | null = null;
  let joliet: Uint8Array | null = null;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const d = await readBytes(blob, (first + i) * SECTOR, (first + 1 + i) * SECTOR);
    if (d.length < SECTOR || d[0] === 255 || String.fromCharCode(...d.subarray(1, 6)) !== 'CD001') break;
    // A supplementary descriptor with a UCS-2 escape sequence (level 1, 2 or 3) is Joliet's.
    if (d[0] === 1) primary ??= d.slice(156, 190);
    else if (d[0] === 2 && d[88] === 0x25 && d[89] === 0x2f && [0x40, 0x43, 0x45].includes(d[90])) joliet ??= d.slice(156, 190);
  }
  return { primary, joliet };
}

/** Every file a tree lists (breadth first, each directory once). */
export async function files(blob: Blob, root: Uint8Array, ucs2: boolean): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const seen = new Set<number>();
  const queue: { extent: number; size: number; path: string }[] = [{ extent: u32(root, 2), size: u32(root, 10), path: '' }];
  const decode = new TextDecoder(ucs2 ? 'utf-16be' : 'latin1');
  while (queue.length && seen.size < MAX_DIRECTORIES && out.length < MAX_FILES) {
    const dir = queue.shift()!;
    if (seen.has(dir.extent)) continue;
    seen.add(dir.extent);
    const bytes = await readBytes(blob, dir.extent * SECTOR, dir.extent * SECTOR + Math.min(dir.size, 16 << 20));
    for (let at = 0; at < bytes.length; ) {
      const len = bytes[at];
      // Records do not cross a sector: a zero length is the padding to the next one.
      if (len === 0) {
        at = (Math.floor(at / SECTOR) + 1) * SECTOR;
        continue;
      }
      if (len < 34 || at + len > bytes.length) break;
      const nameLen = bytes[at + 32];
      const raw = bytes.subarray(at + 33, at + 33 + nameLen);
      const isDir = (bytes[at + 25] & 2) !== 0;
      if (!(nameLen === 1 && raw[0] <= 1)) {
        const name = dir.path + decode.decode(raw).replace(/;\d+$/, '');
        const entry = { extent: u32(bytes, at + 2), size: u32(bytes, at + 10) };
        if (isDir) queue.push({ ...entry, path: `${name}/` });
        else out.push({ name, ...entry });
      }
      at += len;
    }
  }
  return out;
}

/** Files the Joliet tree lists whose data the primary tree does not: read from their extents. */
export async function* jolietOnlyFiles(blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const { primary, joliet } = await roots(blob);
  if (!primary || !joliet) return;
  const listed = new Set((await files(blob, primary, false)).map((f) => f.extent));
  for (const f of await files(blob, joliet, true)) {
    // A file both trees list is read under its Rock Ridge name; its Joliet name (what Windows shows,
    // and may differ) is checked too.
    if (listed.has(f.extent)) yield nameOnly(f.name);
    if (f.size === 0 || listed.has(f.extent)) continue;
    ctx.addEntry();
    ctx.checkTime();
    yield { kind: 'member', name: f.name, data: blob.slice(f.extent * SECTOR, f.extent * SECTOR + f.size) };
  }
}

/**
 * The files the primary tree lists, read from their extents (names as the tree stores them, Joliet's too),
 * for an image libarchive reads no entry of: a few stray bytes in the system area (the first 32 KiB, which
 * readers ignore) make it take the image for another format and list nothing, with no error, where 7-Zip
 * lists every file. Nothing when the tree lists none.
 */
export async function* treeFiles(blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const { primary, joliet } = await roots(blob);
  const listed = primary ? await files(blob, primary, false) : [];
  if (!listed.length) return;
  if (joliet) for (const f of await files(blob, joliet, true)) yield nameOnly(f.name);
  for (const f of listed) {
    ctx.addEntry();
    ctx.checkTime();
    yield { kind: 'member', name: f.name, data: blob.slice(f.extent * SECTOR, f.extent * SECTOR + f.size) };
  }
  yield { kind: 'unscannable', reason: 'corrupt', detail: 'the image\'s directory could not be read in full (libarchive listed no file): its files were read from the ISO 9660 tree, their Rock Ridge names unread' };
}
