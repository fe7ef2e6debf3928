/**
 * TNEF (MS-OXTNEF): the winmail.dat (application/ms-tnef) Outlook attaches to mail it sends in its
 * rich-text format outside Exchange. Mail clients other than Outlook show its attachments and body
 * after decoding it, so it is read as the message it wraps: a stream of attributes, each at the
 * message level or at the level of the attachment begun last. Legacy attributes hold the subject,
 * the plain body, the sender and each attachment's title and bytes, in the OEM code page; two
 * attributes hold MAPI property lists (the message's, an attachment's): the HTML and compressed RTF
 * bodies, the attachment's long name, an embedded message (TNEF again) or OLE object.
 */
import { blobOf, readBytes } from '../bytes.js';
import { baseName } from '../rules/name.js';
import type { Where } from '../types.js';
import { scanBytes } from './binary.js';
import { isString, isVariable, MV, propertyItems, propertyString, PR_ATTACH_DATA, PR_ATTACH_NAMES, PR_INTERNET_CPID, PR_MESSAGE_CODEPAGE, PT_BINARY, PT_OBJECT, runs } from './mapi.js';
import { codepageDecoder } from './ole2-props.js';
import { decodeText } from './text.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted } from './types.js';

const TNEF_SIGNATURE = [0x78, 0x9f, 0x3e, 0x22];

const LVL_MESSAGE = 1;
const LVL_ATTACHMENT = 2;

// Attribute ids (the low word; the high word is the value's type).
const ATT_FROM = 0x8000;
const ATT_SUBJECT = 0x8004;
const ATT_BODY = 0x800c;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_TRANSPORT_NAME = 0x9001;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_MSG_PROPS = 0x9003;
const ATT_RECIP_TABLE = 0x9004;
const ATT_ATTACHMENT = 0x9005;
const ATT_OEM_CODEPAGE = 0x9007;
/**
 * Every attribute MS-OXTNEF 2.1.3.3 defines (owner, sent-for, delegate, dates, request, original class;
 * 0x8000–0x8020 the message's and attachments' legacy attributes; 0x9001–0x9007 the rest). Another id
 * is not TNEF as Outlook writes it (a damaged id, most likely): a part whose meaning is unknown.
 */
const KNOWN = new Set([0x0000, 0x0001, 0x0002, 0x0006, 0x0007, 0x0008, 0x0009, 0x8000, ...range(0x8004, 0x800d), ...range(0x800f, 0x8013), 0x8020, ...range(0x9001, 0x9007)]);
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
// Value types that are text (atpString, atpText) and that cannot be (dates, numbers, a version).
const ATP_STRING = 0x0001;
const ATP_TEXT = 0x0002;
const ATP_NUMBERS = new Set([0x0003, 0x0004, 0x0005, 0x0007, 0x0008]);
/** A date or a number is at most 14 bytes (atpDate); anything longer is searched whatever its type says. */
const mayHoldText = (a: Attribute) => !ATP_NUMBERS.has(a.type) || a.data.length > 14;

/** Embedded messages followed inside one winmail.dat (each is also an archive level). */
const MAX_NEST = 4;

interface Attribute {
  level: number;
  id: number;
  type: number;
  data: Uint8Array;
}

interface Attachment {
  names: string[];
  data?: Uint8Array;
  /** The value of PR_ATTACH_DATA_OBJ when it is an object (an embedded message, an OLE object), past its IID. */
  object?: Uint8Array;
}

const damaged = (detail: string, where: Where): Extracted => ({ kind: 'unscannable', reason: 'corrupt', detail: `winmail.dat: ${detail}`, where });

export async function* extractTnef(blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  yield* readTnef(await readBytes(blob), ctx, 0);
}

async function* readTnef(b: Uint8Array, ctx: ExtractContext, nest: number, part?: string): AsyncGenerator<Extracted> {
  if (b.length < 6 || !TNEF_SIGNATURE.every((x, i) => b[i] === x)) throw new ScanError('corrupt', 'winmail.dat: not a TNEF stream');
  const at = (area: string): Where => (part ? { part, area } : { area });
  let dec8: TextDecoder | null = null;
  let mapi: TextDecoder | null = null;
  let current: Attachment | null = null;
  const budget = { left: 1000 };
  for (const a of attributes(b)) {
    ctx.checkTime();
    if ('problem' in a) {
      yield damaged(a.problem, at(a.level === LVL_ATTACHMENT ? 'attachment' : 'body'));
      continue;
    }
    const legacyText = () => (dec8 ? dec8.decode(a.data) : decodeText(a.data)).replace(/\0+$/, '');
    if (a.id === ATT_OEM_CODEPAGE && a.data.length >= 4) dec8 = codepageDecoder(u32(a.data, 0));
    else if (a.id === ATT_ATTACH_REND_DATA || (a.level === LVL_ATTACHMENT && !current)) {
      // Each attachment begins with its rendering attribute; what follows belongs to it.
      if (current) yield* attachment(current, ctx, nest);
      current = { names: [] };
      if (a.id !== ATT_ATTACH_REND_DATA) yield* attachmentAttribute(a, current, legacyText, mapi, ctx, budget, at);
    } else if (a.level === LVL_ATTACHMENT && current) yield* attachmentAttribute(a, current, legacyText, mapi, ctx, budget, at);
    else if (a.id === ATT_MSG_PROPS) {
      // The OEM code page is the legacy attributes'; 8-bit properties are in the message's own (or,
      // when it names none, guessed; the HTML body by its own declaration).
      const list = propertyList(a.data);
      const cp = list.longs.get(PR_MESSAGE_CODEPAGE) ?? list.longs.get(PR_INTERNET_CPID);
      if (cp) mapi = codepageDecoder(cp);
      yield* messageProperties(list, mapi, ctx, budget, at);
    } else if (a.id === ATT_RECIP_TABLE) {
      for (const row of recipientRows(a.data)) yield* messageProperties(row, mapi, ctx, budget, () => at('headers'));
    } else if (a.id === ATT_SUBJECT || a.id === ATT_BODY || a.id === ATT_FROM || a.type === ATP_STRING || a.type === ATP_TEXT) {
      yield* runs(legacyText(), at(a.id === ATT_SUBJECT ? 'subject' : a.id === ATT_BODY ? 'body' : 'headers'));
    } else {
      if (!KNOWN.has(a.id)) yield damaged(`an attribute of unknown kind (0x${a.id.toString(16)})`, at('body'));
      if (mayHoldText(a)) yield* scanBytes(a.data, ctx, { part: part ?? '', area: 'binary', budget });
    }
  }
  if (current) yield* attachment(current, ctx, nest);
}

async function* attachmentAttribute(
  a: Attribute, att: Attachment, legacyText: () => string, dec8: TextDecoder | null, ctx: ExtractContext, budget: { left: number }, at: (area: string) => Where,
): AsyncGenerator<Extracted> {
  if (a.id === ATT_ATTACH_DATA) att.data = a.data;
  else if (a.id === ATT_ATTACH_TITLE || a.id === ATT_ATTACH_TRANSPORT_NAME) att.names.push(legacyText());
  else if (a.id === ATT_ATTACHMENT) {
    const list = propertyList(a.data);
    for (const p of list.props) {
      if (PR_ATTACH_NAMES.includes(p.id) && isString(p.type)) att.names.push(propertyString(p.value, p.type, dec8));
      else if (p.id === PR_ATTACH_DATA && p.type === PT_BINARY) att.data ??= p.value;
      else if (p.id === PR_ATTACH_DATA && p.type === PT_OBJECT) att.object = p.value.subarray(16);
      else if (isString(p.type)) yield* runs(propertyString(p.value, p.type, dec8), at('attachment'));
      else if (p.type === PT_BINARY) yield* scanBytes(p.value, ctx, { area: 'attachment', budget });
    }
    if (list.problem) yield damaged(list.problem, at('attachment'));
  } else {
    if (!KNOWN.has(a.id)) yield damaged(`an attribute of unknown kind (0x${a.id.toString(16)})`, at('attachment'));
    // The icon Outlook draws for the attachment (a metafile), and the other attributes.
    if (mayHoldText(a)) yield* scanBytes(a.data, ctx, { area: 'attachment', budget });
  }
}

async function* messageProperties(list: PropertyList, dec8: TextDecoder | null, ctx: ExtractContext, budget: { left: number }, at: (area: string) => Where): AsyncGenerator<Extracted> {
  for (const p of list.props) {
    ctx.checkTime();
    if (yield* propertyItems(p.id, p.type, p.value, dec8, ctx, at)) continue;
    if (p.type === PT_BINARY || p.type === PT_OBJECT) yield* scanBytes(p.value, ctx, { area: 'binary', budget });
  }
  if (list.problem) yield damaged(list.problem, at('body'));
}

async function* attachment(att: Attachment, ctx: ExtractContext, nest: number): AsyncGenerator<Extracted> {
  const names = [...new Set(att.names.map((n) => baseName(n.trim())).filter((n) => n))];
  const label = names[0] ?? 'attachment';
  const where = { area: 'attachment' } as const;
  ctx.addEntry();
  if (att.object && TNEF_SIGNATURE.every((x, i) => att.object![i] === x)) {
    if (nest >= MAX_NEST || ctx.depth + nest + 1 > ctx.limits.maxDepth) {
      yield { kind: 'unscannable', reason: 'too-deep', detail: 'winmail.dat: embedded messages nest too deep', where: { part: label } };
    } else yield* readTnef(att.object, ctx, nest + 1, label);
  } else if (att.object ?? att.data) {
    // A file's bytes, or an OLE object's compound file (read as its own format by the scanner).
    const content = att.object ?? att.data!;
    ctx.addExpanded(content.length);
    yield { kind: 'member', name: label, data: blobOf(content), where, ...(att.object && { object: true as const }) };
  }
  // Rule 2 applies to every name the attachment shows, also when it has no bytes here.
  for (const name of att.data || att.object ? names.slice(1) : names) yield nameOnly(name, where);
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/**
 * The attributes after the signature and key: level (1 byte), id (4: type << 16 | id), length (4),
 * the data, a checksum (2: the data's bytes summed). A checksum that does not match, or data cut
 * short, is reported; what can still be read is read.
 */
function* attributes(b: Uint8Array): Generator<Attribute | { problem: string; level: number }> {
  let o = 6;
  while (o < b.length) {
    if (o + 9 > b.length) return yield { problem: 'the last attribute is cut short', level: 0 };
    const level = b[o];
    const full = u32(b, o + 1);
    const len = u32(b, o + 5);
    const start = o + 9;
    const data = b.subarray(start, Math.min(b.length, start + len));
    if (level !== LVL_MESSAGE && level !== LVL_ATTACHMENT) return yield { problem: `an attribute of unknown level ${level} at byte ${o}`, level: 0 };
    const attr = { level, id: full & 0xffff, type: full >>> 16, data };
    if (start + len + 2 > b.length) {
      yield attr;
      return yield { problem: 'the last attribute is cut short', level };
    }
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i];
    if ((sum & 0xffff) !== u16(b, start + len)) yield { problem: `attribute 0x${attr.id.toString(16)} fails its checksum`, level };
    yield attr;
    o = start + len + 2;
  }
}

interface Property {
  id: number;
  type: number;
  value: Uint8Array;
}

interface PropertyList {
  props: Property[];
  longs: Map<number, number>;
  problem?: string;
}

// Sizes of the fixed-size property types (MS-OXCDATA 2.11.1); each value is padded to 4 bytes.
const FIXED: Record<number, number> = { 0x0001: 0, 0x0002: 2, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000a: 4, 0x000b: 2, 0x0014: 8, 0x0040: 8, 0x0048: 16 };
const isSized = (type: number) => isVariable(type) || type === 0x00fb; // and a server id
const pad4 = (n: number) => (n + 3) & ~3;

/** A property list (MS-OXTNEF 2.1.3.5): a count, then each property's tag, its name if named, its value(s). */
function propertyList(b: Uint8Array, at = 0): PropertyList & { end: number } {
  const out: PropertyList & { end: number } = { props: [], longs: new Map(), end: b.length };
  const fail = (problem: string) => Object.assign(out, { problem, end: b.length });
  if (at + 4 > b.length) return fail('a property list cut short');
  const count = u32(b, at);
  let o = at + 4;
  for (let n = 0; n < count; n++) {
    if (o + 4 > b.length) return fail('a property list cut short');
    const type = u16(b, o);
    const id = u16(b, o + 2);
    o += 4;
    if (id >= 0x8000) {
      // A named property: its GUID, then a number or a UTF-16 name.
      if (o + 24 > b.length) return fail('a property name cut short');
      const kind = u32(b, o + 16);
      o += 20;
      o += kind === 0 ? 4 : 4 + pad4(u32(b, o));
    }
    const base = type & ~MV;
    const values = type & MV || isSized(base) ? (o + 4 <= b.length ? u32(b, (o += 4) - 4) : -1) : 1;
    if (values < 0 || values > b.length) return fail('a property list cut short');
    for (let v = 0; v < values; v++) {
      let size: number;
      if (isSized(base)) {
        if (o + 4 > b.length) return fail('a property value cut short');
        size = u32(b, o);
        o += 4;
      } else if (base in FIXED) size = FIXED[base];
      else return fail(`a property of unknown type 0x${base.toString(16)}`);
      if (o + size > b.length) return fail('a property value cut short');
      const value = b.subarray(o, o + size);
      out.props.push({ id, type: base, value });
      if (base === 0x0003) out.longs.set(id, u32(value, 0));
      o += pad4(size);
    }
  }
  out.end = o;
  return out;
}

/** attRecipTable: a count of rows, each a property list of its own. */
function* recipientRows(b: Uint8Array): Generator<PropertyList> {
  const rows = b.length >= 4 ? u32(b, 0) : 0;
  let o = 4;
  for (let r = 0; r < rows; r++) {
    const row = propertyList(b, o);
    yield row;
    if (row.problem) return;
    o = row.end;
  }
}
