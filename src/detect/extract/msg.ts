/**
 * Outlook items (.msg, MS-OXMSG): a compound file whose storage holds one `__substg1.0_IIIITTTT`
 * stream per property (IIII the property id, TTTT its type), `__recip_version1.0_#N` storages
 * for recipients and `__attach_version1.0_#N` storages for attachments. An attachment's data is
 * a binary stream (a file: handed back as a member) or a storage (an embedded message, read here
 * recursively; or an embedded OLE object, read like any compound document).
 *
 * Every string property is read as text (subject, body, headers, names, and the named
 * properties add-ins write); the HTML body and the compressed RTF body are decoded too.
 */
import type { Cfb, CfbEntry } from './cfb-reader.js';
import { blobOf } from '../bytes.js';
import { baseName } from '../rules/name.js';
import type { Where } from '../types.js';
import { isString, isVariable, MV, propertyItems, propertyString, PR_ATTACH_DATA, PR_ATTACH_NAMES, PR_INTERNET_CPID, PR_MESSAGE_CODEPAGE, PT_BINARY, PT_OBJECT, runs } from './mapi.js';
import { codepageDecoder } from './ole2-props.js';
import { nameOnly, type ExtractContext, type Extracted } from './types.js';
import { scanBytes } from './binary.js';

const PROPS = '__properties_version1.0';
const STREAM = /^__substg1\.0_([0-9A-F]{4})([0-9A-F]{4})(-[0-9A-F]{8})?$/i;

/** Embedded messages followed inside one .msg (each is also an archive level). */
const MAX_NEST = 4;

const MSG_NAME = /^__(substg1\.0_|properties_version1\.0$|nameid_version1\.0$|recip_version1\.0_|attach_version1\.0_)/;

/**
 * An Outlook item: a storage of `__substg1.0_` property streams. At the top, any of the names only
 * Outlook items use is enough, so that an item whose directory was damaged is still read as one
 * (and its losses reported) rather than as an unknown compound file.
 */
export function isMsg(cfb: Cfb, st: CfbEntry): boolean {
  if (st === cfb.root) return st.children.some((c) => MSG_NAME.test(c.name));
  return !!cfb.child(st, PROPS) && st.children.some((c) => c.name.startsWith('__substg1.0_'));
}

/** Reads an OLE object storage that is not a message (callback into ole2.ts, which owns those). */
export type OleReader = (st: CfbEntry, nest: number) => AsyncGenerator<Extracted>;

interface Prop {
  id: number;
  type: number;
  entry: CfbEntry;
}

function props(st: CfbEntry): Prop[] {
  const out: Prop[] = [];
  for (const c of st.children) {
    const m = STREAM.exec(c.name);
    if (!m) continue;
    let type = parseInt(m[2], 16);
    if (m[3]) type &= ~MV; // one value of a multi-valued property
    else if (type & MV) continue; // the lengths stream of a multi-valued property
    out.push({ id: parseInt(m[1], 16), type, entry: c });
  }
  return out;
}

interface PropertyStream {
  /** PT_LONG values by property id (code page, attach method). */
  longs: Map<number, number>;
  /** Stream names (`__substg1.0_IIIITTTT`) of the variable-size properties it lists, with their sizes. */
  streams: { name: string; size: number }[];
  /** Attachment count from the top-level header (MS-OXMSG 2.4.1.1), when this is the file's own message. */
  attachments?: number;
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** `__properties_version1.0`: one 16-byte entry per property after a header of `headerSize` bytes. */
function propertyStream(cfb: Cfb, st: CfbEntry, headerSize: number): PropertyStream {
  const out: PropertyStream = { longs: new Map(), streams: [] };
  const e = cfb.child(st, PROPS);
  if (!e) return out;
  const b = cfb.read(e);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (headerSize === 32 && b.length >= 32) out.attachments = dv.getUint32(20, true);
  for (let o = headerSize; o + 16 <= b.length; o += 16) {
    const type = dv.getUint16(o, true);
    const id = dv.getUint16(o + 2, true);
    if (type === 0x0003) out.longs.set(id, dv.getUint32(o + 8, true));
    if (isVariable(type)) out.streams.push({ name: `__substg1.0_${hex4(id)}${hex4(type)}`, size: type === PT_OBJECT ? 0 : dv.getUint32(o + 8, true) });
  }
  return out;
}

/**
 * What the property stream promises and the storage lacks (a stream lost to a damaged directory,
 * a renamed stream), and streams cut shorter than their declared size: the text they held is unread.
 */
function* integrity(cfb: Cfb, st: CfbEntry, ps: PropertyStream, where: Where): Generator<Extracted> {
  if (!cfb.child(st, PROPS)) yield damaged('the property stream is missing', where);
  const missing = ps.streams.filter((p) => !cfb.child(st, p.name));
  if (missing.length) yield damaged(`${missing.length} propert${missing.length > 1 ? 'ies' : 'y'} listed but missing`, where);
  // Strings are listed with their terminator (2 bytes in UTF-16): a stream shorter than that lost its end.
  const short = ps.streams.filter((p) => (cfb.child(st, p.name)?.size ?? Infinity) + 2 < p.size);
  if (short.length) yield damaged(`stream ${short[0].name} is shorter than its property says`, where);
  if (ps.attachments !== undefined) {
    const found = st.children.filter((c) => c.type === 1 && c.name.startsWith('__attach_version1.0_')).length;
    if (found < ps.attachments) yield damaged(`${ps.attachments - found} attachment(s) listed but missing`, where);
  }
  for (const c of st.children) {
    if (c.type === 2 && cfb.read(c).length < c.size) yield damaged(`stream ${c.name} is cut short`, where);
  }
}

const damaged = (detail: string, where: Where): Extracted => ({ kind: 'unscannable', reason: 'corrupt', detail: `Outlook item: ${detail}`, where });

const stringOf = (cfb: Cfb, p: Prop, dec8: TextDecoder | null) => propertyString(cfb.read(p.entry), p.type, dec8);

/** The message in storage `st` (the root, or an embedded message named `part`). */
export async function* readMsg(cfb: Cfb, st: CfbEntry, ctx: ExtractContext, nest: number, ole: OleReader, part?: string): AsyncGenerator<Extracted> {
  ctx.checkTime();
  const at = (area: string): Where => (part ? { part, area } : { area });
  const ps = propertyStream(cfb, st, st === cfb.root ? 32 : 24);
  yield* integrity(cfb, st, ps, at('body'));
  const cp = ps.longs.get(PR_MESSAGE_CODEPAGE) ?? ps.longs.get(PR_INTERNET_CPID);
  const dec8 = cp ? codepageDecoder(cp) : null;
  const read = new Set<CfbEntry>();
  // What a property that is not read as text holds, read once for the byte search below.
  const held = new Map<CfbEntry, Uint8Array>();
  for (const p of props(st)) {
    ctx.checkTime();
    if (!isString(p.type) && p.type !== PT_BINARY) continue;
    const b = cfb.read(p.entry);
    if (yield* propertyItems(p.id, p.type, b, dec8, ctx, at)) read.add(p.entry);
    else held.set(p.entry, b);
  }
  // Streams not read as text (binary properties, names this reader does not know): the stamp
  // could still be in them, in any encoding.
  const budget = { left: 1000 };
  for (const c of st.children) {
    if (c.type === 2 && !read.has(c) && c.name !== PROPS) yield* scanBytes(held.get(c) ?? cfb.read(c), ctx, { part: part ?? '', area: 'binary', budget });
  }
  for (const c of st.children) {
    if (c.type !== 1) continue;
    if (c.name.startsWith('__recip_version1.0_')) yield* recipient(cfb, c, dec8, at('headers'));
    else if (c.name.startsWith('__attach_version1.0_')) yield* attachment(cfb, c, ctx, nest, ole, dec8);
    else if (c.name !== '__nameid_version1.0') yield damaged('an unknown storage', at('binary'));
  }
}

function* recipient(cfb: Cfb, st: CfbEntry, dec8: TextDecoder | null, where: Where): Generator<Extracted> {
  yield* integrity(cfb, st, propertyStream(cfb, st, 8), where);
  for (const p of props(st)) if (isString(p.type)) yield* runs(stringOf(cfb, p, dec8), where);
}

async function* attachment(cfb: Cfb, st: CfbEntry, ctx: ExtractContext, nest: number, ole: OleReader, dec8: TextDecoder | null): AsyncGenerator<Extracted> {
  yield* integrity(cfb, st, propertyStream(cfb, st, 8), { area: 'attachment' });
  const ps = props(st);
  const text = (id: number) => {
    const p = ps.find((x) => x.id === id && isString(x.type));
    return p ? stringOf(cfb, p, dec8).trim() : '';
  };
  const names = [...new Set(PR_ATTACH_NAMES.map((id) => baseName(text(id))).filter((n) => n))];
  const label = names[0] ?? st.name;
  const where = { area: 'attachment' } as const;
  const data = ps.find((p) => p.id === PR_ATTACH_DATA);
  ctx.addEntry();
  const bytes = data?.type === PT_BINARY;
  if (bytes) {
    const content = cfb.read(data.entry);
    ctx.addExpanded(content.length);
    yield { kind: 'member', name: label, data: blobOf(content), where };
  } else if (data?.type === PT_OBJECT && data.entry.type === 1) {
    if (nest >= MAX_NEST || ctx.depth + nest + 1 > ctx.limits.maxDepth) {
      yield { kind: 'unscannable', reason: 'too-deep', detail: 'Outlook item: embedded messages nest too deep', where: { part: label } };
    } else if (isMsg(cfb, data.entry)) yield* readMsg(cfb, data.entry, ctx, nest + 1, ole, label);
    else yield* ole(data.entry, nest + 1);
  }
  // Rule 2 applies to every name the attachment shows, also when its content is a storage or is not
  // in the item at all (attached by reference): the bytes were named by the first, so not that one.
  for (const name of bytes ? names.slice(1) : names) yield nameOnly(name, where);
}
