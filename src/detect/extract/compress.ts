/**
 * Unix compress (.Z, .tar.Z, .taz): one LZW stream, decoded here as ncompress and gzip's unlzw decode
 * it, so a file's content is one member named like gzip's (x.tar.Z → x.tar), read by its own format
 * (a tar by tar.ts, with its pax comments, extended attributes and volume label).
 *
 * The stream: `1F 9D`, a flags byte (the largest code width, 9–16 bits, and block mode: code 256 clears
 * the table), then codes packed least significant bit first, 9 bits wide at first. compress writes codes
 * in groups of eight of one width: when the width grows, or the table is cleared, the rest of the group
 * is padding, skipped up to the next multiple of eight codes from where the width began.
 */
import { readBytes } from '../bytes.js';
import { singleStream, type ExpansionGuard } from './expansion-guard.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

export const extractCompress: Extractor = singleStream('compress stream', decodeCompress);

const CLEAR = 256;
const INIT_BITS = 9;
/** Output is handed to the guard in slices of this size (a bomb stops at the first one past a limit). */
const SLICE = 64 * 1024;

export async function decodeCompress(data: Blob, guard: ExpansionGuard, ctx: ExtractContext): Promise<void> {
  guard.consumed(data.size);
  const input = await readBytes(data);
  if (input.length < 3 || input[0] !== 0x1f || input[1] !== 0x9d) throw new ScanError('corrupt', `${guard.name}: not a compress stream`);
  const maxBits = input[2] & 0x1f;
  const blockMode = (input[2] & 0x80) !== 0;
  if (maxBits < INIT_BITS || maxBits > 16) throw new ScanError('corrupt', `${guard.name}: its largest code width (${maxBits} bits) is not one compress writes`);
  const maxMaxCode = 1 << maxBits;
  const prefix = new Uint16Array(maxMaxCode);
  const suffix = new Uint8Array(maxMaxCode);
  for (let c = 0; c < 256; c++) suffix[c] = c;
  const stack = new Uint8Array(maxMaxCode);
  const out = new Uint8Array(SLICE + maxMaxCode);
  let used = 0;
  const totalBits = input.length * 8;
  let bits = INIT_BITS;
  let maxCode = (1 << bits) - 1;
  let freeEnt = blockMode ? CLEAR + 1 : CLEAR;
  let at = 24; // the bit being read: codes start after the three header bytes, and so do their groups
  let groupStart = at;
  let oldCode = -1;
  let finChar = 0;
  /** The next group boundary (eight codes of the current width from where it began): the rest is padding. */
  const skipToGroup = () => {
    const group = bits * 8;
    at = groupStart + Math.ceil((at - groupStart) / group) * group;
    groupStart = at;
  };
  for (let n = 0; at + bits <= totalBits; n++) {
    if ((n & 0xffff) === 0) ctx.checkTime();
    if (freeEnt > maxCode) {
      skipToGroup();
      bits++;
      maxCode = bits === maxBits ? maxMaxCode : (1 << bits) - 1;
      continue;
    }
    const code = readCode(input, at, bits);
    at += bits;
    if (oldCode === -1) {
      if (code >= 256) throw new ScanError('corrupt', `${guard.name}: compressed data is damaged (the first code is not a byte)`);
      oldCode = finChar = code;
      out[used++] = code;
      continue;
    }
    if (code === CLEAR && blockMode) {
      freeEnt = CLEAR;
      skipToGroup();
      bits = INIT_BITS;
      maxCode = (1 << bits) - 1;
      continue;
    }
    let c = code;
    let sp = stack.length;
    if (c >= freeEnt) {
      // The code being defined (KwKwK): the previous string and its own first byte.
      if (c > freeEnt) throw new ScanError('corrupt', `${guard.name}: compressed data is damaged (a code not yet defined)`);
      stack[--sp] = finChar;
      c = oldCode;
    }
    while (c >= 256) {
      stack[--sp] = suffix[c];
      c = prefix[c];
    }
    stack[--sp] = finChar = suffix[c];
    out.set(stack.subarray(sp), used);
    used += stack.length - sp;
    if (freeEnt < maxMaxCode) {
      prefix[freeEnt] = oldCode;
      suffix[freeEnt] = finChar;
      freeEnt++;
    }
    oldCode = code;
    if (used >= SLICE) {
      guard.produced(out.slice(0, used));
      used = 0;
    }
  }
  if (used) guard.produced(out.slice(0, used));
}

/** `bits` bits at bit `at`, least significant first (at most 16 bits: three bytes hold them). */
function readCode(b: Uint8Array, at: number, bits: number): number {
  const i = at >> 3;
  const word = b[i] | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16);
  return (word >> (at & 7)) & ((1 << bits) - 1);
}
