/**
 * Mailboxes (.mbox: mboxo, mboxrd, mboxcl as written by mutt, Thunderbird, Python's `mailbox`,
 * Google Takeout): messages separated by `From ` lines. Each message is handed back as a member
 * (`message-N.eml`), read as a message by the scanner. A separator is a `From ` line at the start
 * of the file or after an empty line, followed by a header field: a `From ` that only begins a
 * sentence in a body that its writer forgot to escape does not split the message. MMDF and Babyl
 * mailboxes (no `From ` lines) are split by their own separators.
 *
 * mboxcl2 (Solaris mailx, qmail, mutt's Content-Length) leaves a body's `From ` lines as they are and
 * frames each message by its Content-Length field instead: mutt reads it so, Python and Thunderbird
 * split at such a line. Where a valid Content-Length runs past the split, the message is read both ways.
 */
import { mailboxMessage } from '../member-names.js';
import { blobOf, concat, readBytes } from '../bytes.js';
import type { Extractor } from './types.js';

const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "
const FIELD_START = /^[!-9;-~]{1,76}[ \t]*:/;

/** MMDF (mutt's `mbox_type=MMDF`, Python's `mailbox.MMDF`): each message between lines of four ^A. */
export const MMDF_START = '\x01\x01\x01\x01\n';
/** The line of four ^A that `head` starts with, if it does (with CRLF, as a box copied through Windows has it). */
export const mmdfSeparator = (head: string): string | null =>
  head.startsWith(MMDF_START) ? MMDF_START : head.startsWith('\x01\x01\x01\x01\r\n') ? '\x01\x01\x01\x01\r\n' : null;
/** Babyl (Emacs RMAIL, Python's `mailbox.Babyl`): an options block, then each message after a ^_^L line. */
export const BABYL_START = 'BABYL OPTIONS:';

export const extractMbox: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  const head = String.fromCharCode(...bytes.subarray(0, 16));
  const mmdf = mmdfSeparator(head);
  if (mmdf || head.startsWith(BABYL_START)) {
    let k = 0;
    for (const parts of mmdf ? mmdfMessages(bytes, mmdf) : babylMessages(bytes)) {
      ctx.checkTime();
      ctx.addEntry();
      yield { kind: 'member', name: mailboxMessage(++k), data: blobOf(concat(parts.map(([a, b]) => bytes.subarray(a, b)))) };
    }
    return;
  }
  const starts = separators(bytes, ctx.checkTime);
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0); // text before the first separator is read too
  for (let k = 0; k < starts.length; k++) {
    ctx.checkTime();
    ctx.addEntry();
    const end = k + 1 < starts.length ? starts[k + 1] : bytes.length;
    // Without its `From ` line the member is a plain message (and is not taken for a mailbox again).
    const nl = bytes.indexOf(0x0a, starts[k]);
    const from = isSeparator(bytes, starts[k]) && nl >= 0 && nl < end ? nl + 1 : starts[k];
    yield { kind: 'member', name: mailboxMessage(k + 1), data: blob.slice(from, end) };
    const framed = contentLengthEnd(bytes, from);
    if (framed !== null && framed > end) yield { kind: 'member', name: mailboxMessage(k + 1, true), data: blob.slice(from, framed) };
  }
};

const CONTENT_LENGTH = /^content-length:[ \t]*(\d{1,12})[ \t]*\r?$/im;
/** How far a header block is looked for its Content-Length field. */
const HEADER_REACH = 64 * 1024;

/**
 * Where the body of the message at `from` ends by its Content-Length field, when it has one that
 * frames it: the body then ends at the end of the file or at a separator (after the blank line
 * mboxcl2 writes between messages). Null otherwise (no field, or one a later edit left stale).
 */
function contentLengthEnd(b: Uint8Array, from: number): number | null {
  // The blank line that ends the header block, found line by line (a box holds many messages).
  let body = -1;
  for (let nl = b.indexOf(0x0a, from); nl >= 0 && nl < from + HEADER_REACH; nl = b.indexOf(0x0a, nl + 1)) {
    const next = b[nl + 1] === 0x0d ? nl + 2 : nl + 1;
    if (b[next] === 0x0a) {
      body = next + 1;
      break;
    }
  }
  if (body < 0) return null;
  const length = CONTENT_LENGTH.exec(new TextDecoder('latin1').decode(b.subarray(from, body)));
  if (!length) return null;
  const end = body + Number(length[1]);
  if (end > b.length) return null;
  let next = end;
  for (let k = 0; k < 2 && (b[next] === 0x0a || (b[next] === 0x0d && b[next + 1] === 0x0a)); k++) next += b[next] === 0x0a ? 1 : 2;
  return next === b.length || FROM.every((c, j) => b[next + j] === c) ? end : null;
}

/** Offsets of the separator lines. */
export function separators(b: Uint8Array, checkTime: () => void): number[] {
  const out: number[] = [];
  let lines = 0;
  for (let i = 0; i < b.length; ) {
    const afterBlank = i === 0 || (b[i - 1] === 0x0a && (i === 1 || b[i - 2] === 0x0a || (b[i - 2] === 0x0d && b[i - 3] === 0x0a)));
    if (afterBlank && isSeparator(b, i)) out.push(i);
    const nl = b.indexOf(0x0a, i);
    if (nl < 0) break;
    i = nl + 1;
    if ((++lines & 0xffff) === 0) checkTime();
  }
  return out;
}

/**
 * Where a message saved with an mbox `From ` line first (formail's output, a message copied out of a mailbox,
 * mutt's save to a file) starts: past that line, as Python's email reads it (the "Unix From"); else 0.
 */
export function afterFromLine(b: Uint8Array): number {
  const nl = b.indexOf(0x0a);
  return nl >= 0 && isSeparator(b, 0) ? nl + 1 : 0;
}

function isSeparator(b: Uint8Array, i: number): boolean {
  return FROM.every((c, j) => b[i + j] === c) && nextLineIsField(b, i);
}

function nextLineIsField(b: Uint8Array, i: number): boolean {
  const nl = b.indexOf(0x0a, i);
  if (nl < 0) return false;
  const line = String.fromCharCode(...b.subarray(nl + 1, Math.min(b.length, nl + 80)));
  return FIELD_START.test(line);
}

/** Byte ranges of each MMDF message: between its ^A lines (`sep`), without a `From ` line some writers add. */
function* mmdfMessages(b: Uint8Array, sep: string): Generator<[number, number][]> {
  const text = new TextDecoder('latin1').decode(b);
  for (let at = text.indexOf(sep); at >= 0; ) {
    const start = at + sep.length;
    const end = text.indexOf(sep, start);
    const stop = end < 0 ? b.length : end;
    const from = text.startsWith('From ', start) ? text.indexOf('\n', start) + 1 : start;
    if (stop > from) yield [[from, stop]];
    at = end < 0 ? -1 : text.indexOf(sep, end + sep.length);
  }
}

/**
 * Byte ranges of each Babyl message: its original header (before `*** EOOH ***`), then its body (after
 * the header shown, which follows that line). A message without the line is taken as it stands.
 */
function* babylMessages(b: Uint8Array): Generator<[number, number][]> {
  const text = new TextDecoder('latin1').decode(b);
  const SEP = '\x1f\x0c';
  for (let at = text.indexOf(SEP); at >= 0; ) {
    const next = text.indexOf('\x1f', at + SEP.length);
    const stop = next < 0 ? b.length : next;
    const start = text.indexOf('\n', at) + 1; // past the separator and the labels line after it
    const labelsEnd = start > 0 ? text.indexOf('\n', start) + 1 : 0;
    const eooh = labelsEnd > 0 ? text.indexOf('\n*** EOOH ***\n', labelsEnd - 1) : -1;
    if (labelsEnd > 0 && labelsEnd < stop) {
      const shown = eooh >= 0 && eooh < stop ? eooh + '\n*** EOOH ***\n'.length : -1;
      const blank = shown >= 0 ? text.slice(shown, stop).search(/\r?\n\r?\n|^\r?\n/) : -1;
      if (blank >= 0) yield [[labelsEnd, eooh + 1], [shown + blank, stop]];
      else yield [[labelsEnd, stop]];
    }
    at = next < 0 ? -1 : text.indexOf(SEP, next);
  }
}
