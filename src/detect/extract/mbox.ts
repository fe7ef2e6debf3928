/**
 * Mailboxes (.mbox: mboxo, mboxrd, mboxcl as written by mutt, Thunderbird, Python's `mailbox`,
 * Google Takeout): messages separated by `From ` lines. Each message is handed back as a member
 * (`message-N.eml`), read as a message by the scanner. A separator is a `From ` line at the start
 * of the file or after an empty line, followed by a header field: a `From ` that only begins a
 * sentence in a body that its writer forgot to escape does not split the message.
 */
import { readBytes } from '../bytes.js';
import type { Extractor } from './types.js';

const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "
const FIELD_START = /^[!-9;-~]{1,76}[ \t]*:/;

export const extractMbox: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  const starts = separators(bytes, ctx.checkTime);
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0); // text before the first separator is read too
  for (let k = 0; k < starts.length; k++) {
    ctx.checkTime();
    ctx.addEntry();
    const end = k + 1 < starts.length ? starts[k + 1] : bytes.length;
    // Without its `From ` line the member is a plain message (and is not taken for a mailbox again).
    const nl = bytes.indexOf(0x0a, starts[k]);
    const from = isSeparator(bytes, starts[k]) && nl >= 0 && nl < end ? nl + 1 : starts[k];
    yield { kind: 'member', name: `message-${k + 1}.eml`, data: blob.slice(from, end) };
  }
};

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

function isSeparator(b: Uint8Array, i: number): boolean {
  return FROM.every((c, j) => b[i + j] === c) && nextLineIsField(b, i);
}

function nextLineIsField(b: Uint8Array, i: number): boolean {
  const nl = b.indexOf(0x0a, i);
  if (nl < 0) return false;
  const line = String.fromCharCode(...b.subarray(nl + 1, Math.min(b.length, nl + 80)));
  return FIELD_START.test(line);
}
