/**
 * MAPI properties (MS-OXPROPS), as Outlook's two containers carry them: a .msg file (msg.ts, one
 * stream per property) and TNEF, the winmail.dat of rich-text mail (tnef.ts, lists inside
 * attributes). What a property's value shows a reader is decided here, once, for both.
 */
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { htmlRuns, markupItems } from './html.js';
import { decompressRtf } from './lzfu.js';
import { parseRtf } from './rtf.js';
import { decodeText, markupEncoding } from './text.js';
import { ScanError, type ExtractContext, type Extracted } from './types.js';

export const PT_STRING8 = 0x001e;
export const PT_UNICODE = 0x001f;
export const PT_BINARY = 0x0102;
export const PT_OBJECT = 0x000d;
/** The multi-valued flag of a property type. */
export const MV = 0x1000;

const PR_SUBJECT = [0x0037, 0x0e1d, 0x0070];
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;
export const PR_ATTACH_DATA = 0x3701;
/**
 * Every name an attachment carries, the one saved first: long file name, 8.3 file name, display name
 * (what Outlook's attachment bar shows), long and 8.3 path names (MS-OXCMSG 2.2.2.x). Clients differ
 * in which they show or save under, so rule 2 applies to each.
 */
export const PR_ATTACH_NAMES = [0x3707, 0x3704, 0x3001, 0x370d, 0x3708];
export const PR_MESSAGE_CODEPAGE = 0x3ffd;
export const PR_INTERNET_CPID = 0x3fde;

// Declarations rather than constants: msg.ts is loaded inside an import cycle (rtf.ts → ole2.ts → msg.ts)
// that can run before this module's constants are set.
export function isString(type: number): boolean {
  return type === PT_UNICODE || type === PT_STRING8;
}

/** The types whose values have a size of their own (the others are fixed-size numbers, dates, ids). */
export function isVariable(type: number): boolean {
  return isString(type) || type === PT_BINARY || type === PT_OBJECT;
}

/** A string property's value: UTF-16LE, or 8-bit text in the message's code page (guessed when it names none). */
export function propertyString(b: Uint8Array, type: number, dec8: TextDecoder | null): string {
  if (type === PT_UNICODE) return new TextDecoder('utf-16le').decode(b.subarray(0, b.length & ~1)).replace(/\0+$/, '');
  return (dec8 ? dec8.decode(b) : decodeText(b)).replace(/\0+$/, '');
}

export function* runs(text: string, where: Where): Generator<Extracted> {
  if (!text.trim()) return;
  for (const t of chunkText(text)) yield { kind: 'text', text: t, where };
}

/**
 * What one property of a message shows: its text (subject, body, headers, the named properties
 * add-ins write), the HTML body, the compressed RTF body. Returns false for a value it does not read
 * as text (another binary property): the caller searches its bytes.
 */
export async function* propertyItems(id: number, type: number, b: Uint8Array, dec8: TextDecoder | null, ctx: ExtractContext, at: (area: string) => Where): AsyncGenerator<Extracted, boolean> {
  if (id === PR_HTML && isString(type)) yield* markupItems(propertyString(b, type, dec8), ctx);
  else if (isString(type)) yield* runs(propertyString(b, type, dec8), at(PR_SUBJECT.includes(id) ? 'subject' : id === PR_BODY ? 'body' : 'headers'));
  else if (type === PT_BINARY && id === PR_HTML) yield* markupItems((dec8 ?? new TextDecoder(markupEncoding(b))).decode(b), ctx);
  else if (type === PT_BINARY && id === PR_RTF_COMPRESSED) yield* rtfBody(b, ctx, at('body'));
  else return false;
  return true;
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
