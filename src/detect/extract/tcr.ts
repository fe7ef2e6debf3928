/**
 * Psion's TCR e-books (calibre writes them: `ebook-convert x.html x.tcr`): `!!8-Bit!!`, then a dictionary of
 * 256 byte strings (each a length byte and its bytes), then the text, one byte per dictionary entry. The text
 * is not in the file's bytes (「秘 Confidential」 is a few entries' numbers), so it is put back together as
 * calibre's reader does and read as a file of its own (its encoding is the writer's: UTF-8 by default).
 */
import { readBytes } from '../bytes.js';
import { ExpansionGuard } from './expansion-guard.js';
import { ScanError, type Extractor } from './types.js';

/** `!!8-Bit!!` */
export const TCR_START = [0x21, 0x21, 0x38, 0x2d, 0x42, 0x69, 0x74, 0x21, 0x21];

/** Output is handed to the guard in slices of this size (a bomb stops at the first one past a limit). */
const SLICE = 64 * 1024;

export const extractTcr: Extractor = async function* (blob, ctx) {
  const b = await readBytes(blob);
  let at = TCR_START.length;
  const entries: Uint8Array[] = [];
  for (let i = 0; i < 256; i++) {
    if (at >= b.length || at + 1 + b[at] > b.length) throw new ScanError('corrupt', 'a TCR e-book whose dictionary does not fit the file (damaged or truncated)');
    entries.push(b.subarray(at + 1, at + 1 + b[at]));
    at += 1 + b[at];
  }
  const guard = new ExpansionGuard(ctx, { name: 'TCR e-book text' });
  guard.consumed(b.length);
  const out = new Uint8Array(SLICE + 255);
  let used = 0;
  for (; at < b.length; at++) {
    const entry = entries[b[at]];
    out.set(entry, used);
    used += entry.length;
    if (used >= SLICE) {
      guard.produced(out.slice(0, used));
      used = 0;
    }
  }
  guard.produced(out.slice(0, used));
  ctx.addEntry();
  yield { kind: 'member', name: '', data: guard.blob() };
};
