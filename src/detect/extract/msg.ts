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
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { htmlRuns, markupItems } from './html.js';
import { decompressRtf } from './lzfu.js';
import { codepageDecoder } from './ole2-props.js';
import { parseRtf } from './rtf.js';
import { decodeText, markupEncoding } from './text.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted } from './types.js';
import { scanBytes } from './binary.js';

const PROPS = '__properties_version1.0';
const STREAM = /^__substg1\.0_([0-9A-F]{4})([0-9A-F]{4})(-[0-9A-F]{8})?$/i;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const MV = 0x1000;

const PR_SUBJECT = [0x0037, 0x0e1d, 0x0070];
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;
const PR_ATTACH_DATA = 0x3701;
/**
 * Every name an attachment carries, the one saved first: long file name, 8.3 file name, display name
 * (what Outlook's attachment bar shows), long and 8.3 path names (MS-OXCMSG 2.2.2.x). Clients differ
 * in which they show or save under, so rule 2 applies to each.
 */
const PR_ATTACH_NAMES = [0x3707, 0x3704, 0x3001, 0x370d, 0x3708];
const PR_MESSAGE_CODEPAGE = 0x3ffd;
const PR_INTERNET_CPID = 0x3fde;

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

const VARIABLE = new Set([PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT]);
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
    if (VARIABLE.has(type)) out.streams.push({ name: `__substg1.0_${hex4(id)}${hex4(type)}`, size: type === PT_OBJECT ? 0 : dv.getUint32(o + 8, true) });
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

function stringOf(cfb: Cfb, p: Prop, dec8: TextDecoder | null): string {
  const b = cfb.read(p.entry);
  if (p.type === PT_UNICODE) return new TextDecoder('utf-16le').decode(b.subarray(0, b.length & ~1)).replace(/\0+$/, '');
  return (dec8 ? dec8.decode(b) : decodeText(b)).replace(/\0+$/, '');
}

function* runs(text: string, where: Where): Generator<Extracted> {
  if (!text.trim()) return;
  for (const t of chunkText(text)) yield { kind: 'text', text: t, where };
}

/** The message in storage `st` (the root, or an embedded message named `part`). */
export async function* readMsg(cfb: Cfb, st: CfbEntry, ctx: ExtractContext, nest: number, ole: OleReader, part?: string): AsyncGenerator<Extracted> {
  ctx.checkTime();
  const at = (area: string): Where => (part ? { part, area } : { area });
  const ps = propertyStream(cfb, st, st === cfb.root ? 32 : 24);
  yield* integrity(cfb, st, ps, at('body'));
  const cp = ps.longs.get(PR_MESSAGE_CODEPAGE) ?? ps.longs.get(PR_INTERNET_CPID);
  const dec8 = cp ? codepageDecoder(cp) : null;
  const read = new Set<CfbEntry>();
  for (const p of props(st)) {
    ctx.checkTime();
    read.add(p.entry);
    if (p.type === PT_UNICODE || p.type === PT_STRING8) {
      const area = PR_SUBJECT.includes(p.id) ? 'subject' : p.id === PR_BODY ? 'body' : 'headers';
      if (p.id === PR_HTML) yield* markupItems(stringOf(cfb, p, dec8), ctx);
      else yield* runs(stringOf(cfb, p, dec8), at(area));
    } else if (p.type === PT_BINARY && p.id === PR_HTML) {
      const b = cfb.read(p.entry);
      yield* markupItems((dec8 ?? new TextDecoder(markupEncoding(b))).decode(b), ctx);
    } else if (p.type === PT_BINARY && p.id === PR_RTF_COMPRESSED) {
      yield* rtfBody(cfb.read(p.entry), ctx, at('body'));
    } else read.delete(p.entry);
  }
  // Streams not read as text (binary properties, names this reader does not know): the stamp
  // could still be in them, in any encoding.
  const budget = { left: 1000 };
  for (const c of st.children) {
    if (c.type === 2 && !read.has(c) && c.name !== PROPS) yield* scanBytes(cfb.read(c), ctx, { part: part ?? '', area: 'binary', budget });
  }
  for (const c of st.children) {
    if (c.type !== 1) continue;
    if (c.name.startsWith('__recip_version1.0_')) yield* recipient(cfb, c, dec8, at('headers'));
    else if (c.name.startsWith('__attach_version1.0_')) yield* attachment(cfb, c, ctx, nest, ole, dec8);
    else if (c.name !== '__nameid_version1.0') yield damaged('an unknown storage', at('binary'));
  }
}

function* rtfBody(b: Uint8Array, ctx: ExtractContext, where: Where): Generator<Extracted> {
  const r = decompressRtf(b);
  ctx.addExpanded(r.rtf.length);
  if (r.problem) yield { kind: 'unscannable', reason: 'corrupt', detail: `Outlook item: ${r.problem}`, where };
  if (r.rtf.length === 0) return;
  try {
    for (const text of parseRtf(r.rtf, ctx.checkTime).text.values()) yield* runs(text, where);
    // HTML mail kept as RTF (\fromhtml1): the HTML, text included, may sit in {\*\htmltag} groups,
    // which RTF readers skip. Read it again with those groups opened, as HTML.
    if (isEncapsulatedHtml(r.rtf)) {
      const html = [...parseRtf(openHtmlTags(r.rtf), ctx.checkTime).text.values()].join('\n');
      for (const x of htmlRuns(html)) if (x.kind === 'text') yield { ...x, where };
    }
  } catch (e) {
    if (!(e instanceof ScanError) || e.reason === 'time-budget') throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: `Outlook item: RTF body: ${e.message}`, where };
  }
}

function isEncapsulatedHtml(rtf: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(rtf.subarray(0, 256)).includes('\\fromhtml');
}

/** `{\*\htmltag…` → `{\htmltag…`: the tag groups become ordinary text. */
function openHtmlTags(rtf: Uint8Array): Uint8Array {
  const s = new TextDecoder('latin1').decode(rtf).replace(/\{\\\*\\htmltag/g, '{\\htmltag');
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function* recipient(cfb: Cfb, st: CfbEntry, dec8: TextDecoder | null, where: Where): Generator<Extracted> {
  yield* integrity(cfb, st, propertyStream(cfb, st, 8), where);
  for (const p of props(st)) if (p.type === PT_UNICODE || p.type === PT_STRING8) yield* runs(stringOf(cfb, p, dec8), where);
}

async function* attachment(cfb: Cfb, st: CfbEntry, ctx: ExtractContext, nest: number, ole: OleReader, dec8: TextDecoder | null): AsyncGenerator<Extracted> {
  yield* integrity(cfb, st, propertyStream(cfb, st, 8), { area: 'attachment' });
  const ps = props(st);
  const text = (id: number) => {
    const p = ps.find((x) => x.id === id && (x.type === PT_UNICODE || x.type === PT_STRING8));
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
