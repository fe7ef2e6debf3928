/**
 * The earlier sessions of a multi-session image (xorriso -dev x.iso … -commit, as disc-burning software adds
 * to a disc): each session writes its own volume descriptors at its start + 16 sectors, and sector 16 holds a
 * copy of the newest, which is what libarchive, Explorer and Files read. A file an earlier session held and a
 * later one removed (xorriso -rm) or replaced is still in the image, whole, and any reader that mounts that
 * session (Linux `mount -o session=1`, isoinfo, xorriso -load sbsector) opens it: its tree is walked here,
 * and each file no current tree lists is read from its extent, its name facing rule 2.
 */
import { readBytes, u32 } from '../bytes.js';
import { files, roots, type TreeFile } from './iso-trees.js';
import { nameOnly, type ExtractContext, type Extracted } from './types.js';

const SECTOR = 2048;
/** Sessions looked at, at most (a disc holds up to 99). */
const MAX_SESSIONS = 99;
/** Read in slices of this many bytes when looking for descriptors. */
const SLICE = 1 << 20;

/**
 * The sectors (past the first set, at 16) that begin with a primary volume descriptor, `\x01CD001\x01`, looked
 * for only outside the files the current trees list (`used`, sorted [first, end) sector ranges): a session
 * never writes into another's files, and the files are most of a large image.
 */
async function primaryDescriptors(blob: Blob, used: [number, number][], ctx: ExtractContext): Promise<number[]> {
  const out: number[] = [];
  const sectors = Math.floor(blob.size / SECTOR);
  let k = 32;
  for (const [first, end] of [...used, [sectors, sectors] as [number, number]]) {
    for (; k < Math.min(first, sectors) && out.length < MAX_SESSIONS; k += SLICE / SECTOR) {
      ctx.checkTime();
      const upto = Math.min(first, sectors, k + SLICE / SECTOR);
      const b = await readBytes(blob, k * SECTOR, upto * SECTOR);
      for (let o = 0; o + 7 <= b.length; o += SECTOR) {
        if (b[o] === 1 && b[o + 1] === 0x43 && b[o + 2] === 0x44 && b[o + 3] === 0x30 && b[o + 4] === 0x30 && b[o + 5] === 0x31 && b[o + 6] === 1) out.push(k + o / SECTOR);
      }
      if (upto >= first) break;
    }
    k = Math.max(k, end);
  }
  return out;
}

export async function* earlierSessions(blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const current = await roots(blob);
  if (!current.primary) return;
  const listed = new Set<number>();
  const used: [number, number][] = [];
  for (const [root, ucs2] of [[current.primary, false], [current.joliet, true]] as const) {
    if (root) for (const f of await files(blob, root, ucs2)) {
      listed.add(f.extent);
      used.push([f.extent, f.extent + Math.ceil(f.size / SECTOR)]);
    }
  }
  used.sort((a, b) => a[0] - b[0]);
  const sessions = await primaryDescriptors(blob, used, ctx);
  if (!sessions.length) return;
  const currentRoot = current.primary.join();
  const read = new Set<number>();
  for (const sector of sessions) {
    const old = await roots(blob, sector);
    if (!old.primary || old.primary.join() === currentRoot) continue; // the newest session's own copy
    // A session's tree lies after its descriptors, its addresses counting from the image's start; an ISO
    // image stored as a file in this one has its own descriptors too, but its addresses count from its own
    // start, before them: not a session (its files are read as that member's).
    if (!(await sessionRoot(blob, old.primary, sector))) continue;
    // Joliet's names where the session has them (what Windows showed), else the ISO 9660 ones.
    const tree: TreeFile[] = old.joliet ? await files(blob, old.joliet, true) : await files(blob, old.primary, false);
    for (const f of tree) {
      ctx.checkTime();
      yield nameOnly(f.name);
      if (f.size === 0 || listed.has(f.extent) || read.has(f.extent)) continue;
      read.add(f.extent);
      ctx.addEntry();
      yield { kind: 'member', name: f.name, data: blob.slice(f.extent * SECTOR, f.extent * SECTOR + f.size), where: { part: `session at sector ${sector - 16}` } };
    }
  }
}

/** Whether a root directory record (from the descriptor at `sector`) leads to a directory after it whose `.` entry is itself. */
async function sessionRoot(blob: Blob, root: Uint8Array, sector: number): Promise<boolean> {
  const extent = u32(root, 2);
  if (extent <= sector || (extent + 1) * SECTOR > blob.size) return false;
  const first = await readBytes(blob, extent * SECTOR, extent * SECTOR + 34);
  return first[0] >= 34 && u32(first, 2) === extent && first[32] === 1 && first[33] === 0;
}
