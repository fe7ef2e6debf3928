/**
 * Unknown binaries: look for 秘/㊙ at the byte level in every encoding we read, decode a small
 * window around each hit in the matching encoding, and keep only stretches that read like real
 * text (so random bytes that happen to spell 秘 in UTF-16 produce nothing).
 */
import {
  ALL_NEEDLES,
  type Needle,
  type TextEncodingName,
  type Window,
  decodePadded,
  decodePaddedIn,
  decoder,
  gapCharAt,
  winKey,
  slices,
  windowsFor,
} from './byte-scan.js';
import type { ExtractContext, Extracted, Extractor } from './types.js';
import type { Where } from '../types.js';

/**
 * Decode windows verified per blob at most (a 100 MB random file has about 10,000). Past this the
 * rest is not verified, and the blob is reported `unscannable` rather than called clean.
 */
export const MAX_VERIFIED_HITS = 100_000;

/** Verified-window allowance shared by several buffers of one file. */
export interface HitBudget {
  left: number;
  /** Set once the exhaustion has been reported. */
  reported?: boolean;
}

function* exhausted(budget: HitBudget, where: Where): Generator<Extracted> {
  if (budget.reported) return;
  budget.reported = true;
  yield { kind: 'unscannable', reason: 'too-large', detail: `more than ${MAX_VERIFIED_HITS} possible stamp characters to verify`, where };
}

/** Characters that real text is made of (Latin, CJK, kana, full-width forms, common punctuation). */
function texty(c: number): boolean {
  return (
    c === 9 ||
    c === 10 ||
    c === 13 ||
    (c >= 0x20 && c < 0x7f) ||
    (c >= 0xa0 && c < 0x250) ||
    (c >= 0x2000 && c < 0x2070) ||
    (c >= 0x3000 && c < 0x3100) ||
    (c >= 0x3200 && c < 0x3300) ||
    (c >= 0x4e00 && c < 0xa000) ||
    (c >= 0xff01 && c < 0xffa0)
  );
}
function blank(c: number): boolean {
  return c === 0 || c === 0x20 || c === 9 || c === 10 || c === 13 || c === 0x3000;
}
function charScore(c: number): number {
  if (c === 0) return 0;
  if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f)) return 2;
  if (c >= 0x3000 && c < 0x3100) return 2;
  if (c >= 0xff01 && c < 0xff5f) return 2;
  if (c >= 0x4e00 && c < 0xa000) return 1;
  if ((c >= 0xa0 && c < 0x250) || (c >= 0x2000 && c < 0x2070) || (c >= 0x3200 && c < 0x3300)) return 1;
  if (c >= 0xff61 && c < 0xffa0) return 0;
  if (c === 0xfffd) return -8;
  return -4;
}
function isStampChar(c: number): boolean {
  return c === 0x79d8 || c === 0x3299;
}

/** Blanks skipped after the stamp, at most, and the characters then scored. */
const MAX_BLANKS = 32;
const SCORED = 12;

/**
 * Whether what follows a 秘/㊙ (from `j` on: blanks and NULs, then a dozen characters) reads like text:
 * ASCII and kana score high, ideographs (which random UTF-16 produces a third of the time) and
 * half-width kana (random Shift_JIS) low. Near the end of `s`, the characters there are scored, unless
 * `whole`: then too few of them is a yes (the caller has not seen the rest).
 */
function textFollows(s: string, j: number, whole = false): boolean {
  j = pastGap(s, j);
  let blanks = 0;
  while (j < s.length && blank(s.charCodeAt(j)) && blanks < MAX_BLANKS) {
    j++;
    blanks++;
  }
  if (whole && j + SCORED > s.length) return true;
  let score = 0;
  let k = 0;
  for (; k < SCORED && j + k < s.length; k++) score += charScore(s.charCodeAt(j + k));
  return k === 0 || score / k >= 1.5;
}

/** Where the blanks and invisible characters from `j` on end (no NUL: endsInGap's set). */
function pastGap(s: string, j: number): number {
  for (let n; j < s.length && s.charCodeAt(j) !== 0 && (n = gapCharAt(s, j)) > 0; j += n);
  return j;
}

/** Bytes after a hit that hold the blanks and the dozen characters textFollows reads, in any encoding here. */
const AFTER = 128;

/**
 * textFollows on the bytes right after a hit at `p`, before any window is decoded: a hit whose window
 * would give no run (plausibleRuns) is dropped, and its window never decoded. Random bytes spell 秘 in
 * UTF-16 about once per 16 KiB, in Shift_JIS and EUC-JP about once per 64 KiB, and each window decoded
 * 2 KiB for nothing (in a browser's worker, most of a clean binary's scan time). Exact: after a whole
 * character the decoder starts afresh, so decoding from `p` reads what the window's decoding reads
 * there; UTF-16's code units are taken as they are (an unpaired surrogate scores -4 here, as U+FFFD
 * -8 in the window: never less). Kept: ISO-2022-JP (its state comes from an earlier escape), and a hit
 * too near the end of the bytes.
 */
export function mayBeFollowedByText(buf: Uint8Array, p: number, enc: TextEncodingName): boolean {
  if (enc === 'iso-2022-jp' || p + AFTER > buf.length) return true;
  return textFollows(enc === 'utf-16le' || enc === 'utf-16be' ? codeUnits(buf, p, enc === 'utf-16le') : decoder(enc).decode(buf.subarray(p, p + AFTER)), 0, true);
}

function codeUnits(buf: Uint8Array, p: number, le: boolean): string {
  let s = '';
  for (let i = p; i + 1 < p + AFTER; i += 2) s += String.fromCharCode(le ? buf[i] | (buf[i + 1] << 8) : (buf[i] << 8) | buf[i + 1]);
  return s;
}

/**
 * The readable stretches of `s` around each 秘/㊙ that is followed (after blanks and NULs) by text
 * (textFollows). NUL (a string terminator in binary formats) becomes a space.
 */
export function plausibleRuns(s: string): string[] {
  const out: string[] = [];
  let doneUntil = -1;
  for (let i = 0; i < s.length; i++) {
    if (!isStampChar(s.charCodeAt(i)) || i < doneUntil) continue;
    if (!textFollows(s, i + 1)) continue;
    let a = i;
    while (a > 0 && i - a < 200 && (texty(s.charCodeAt(a - 1)) || s.charCodeAt(a - 1) === 0)) a--;
    // Blanks right after 秘 are a gap of any length (padding in a fixed-width export): the word after
    // them is read, the gap as one blank. NULs are not: records apart in a binary are not one text.
    const gapEnd = pastGap(s, i + 1);
    let b = gapEnd;
    while (b < s.length && b - gapEnd < 400 && (texty(s.charCodeAt(b)) || s.charCodeAt(b) === 0)) b++;
    out.push((s.slice(a, i + 1) + (gapEnd > i + 1 ? ' ' : '') + s.slice(gapEnd, b)).replace(/\0+/g, ' '));
    doneUntil = b;
  }
  return out;
}

export interface ScanBytesOptions {
  needles?: readonly Needle[];
  /** Prefix for `where.part`, e.g. the OLE2 stream name. */
  part?: string;
  area?: string;
  /** Shared counter of verified windows (so several streams of one file share the cap). */
  budget?: HitBudget;
}

/** Byte-prefilter a whole buffer (already in memory) and yield verified text runs. */
export function* scanBytes(buf: Uint8Array, ctx: ExtractContext, opts: ScanBytesOptions = {}, base = 0): Generator<Extracted> {
  const budget = opts.budget ?? { left: MAX_VERIFIED_HITS };
  if (budget.left <= 0) return yield* exhausted(budget, { area: opts.area ?? 'binary', part: opts.part });
  const wins = windowsFor(buf, opts.needles ?? ALL_NEEDLES, 0, buf.length, { maxHits: budget.left, accept: mayBeFollowedByText });
  yield* verify(buf, wins, ctx, opts, budget, base);
  // windowsFor stopped at the allowance: hits past it were never looked at.
  if (budget.left <= 0) yield* exhausted(budget, { area: opts.area ?? 'binary', part: opts.part });
}

function* verify(
  buf: Uint8Array,
  wins: ReturnType<typeof windowsFor>,
  ctx: ExtractContext,
  opts: ScanBytesOptions,
  budget: HitBudget,
  base: number,
): Generator<Extracted> {
  for (const w of wins) {
    if (budget.left-- <= 0) return yield* exhausted(budget, { area: opts.area ?? 'binary', part: opts.part });
    if ((budget.left & 255) === 0) ctx.checkTime();
    yield* runsIn(decodePadded(buf, w), w, opts, base);
  }
}

/** The text runs of a decoded window (plausibleRuns), placed at its hit. */
function* runsIn(text: string, w: Window, opts: ScanBytesOptions, base: number): Generator<Extracted> {
  for (const run of plausibleRuns(text)) {
    const offset = `offset ${base + w.hit}`;
    const where: Where = { area: opts.area ?? 'binary', part: opts.part ? `${opts.part} ${offset}` : offset };
    yield { kind: 'text', text: run, where };
  }
}

export const extractBinary: Extractor = async function* (blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const budget: HitBudget = { left: MAX_VERIFIED_HITS };
  const covered = new Map<string, number>();
  for await (const { buf, base, from, to } of slices(blob, ctx.checkTime)) {
    if (budget.left <= 0) return yield* exhausted(budget, { area: 'binary', part: `offset ${base + from}` });
    // Drop windows already decoded from the previous slice's margin.
    const wins = windowsFor(buf, ALL_NEEDLES, from, to, { maxHits: budget.left, accept: mayBeFollowedByText }).filter(
      (w) => base + w.hit + 300 > (covered.get(winKey(w, base)) ?? 0),
    );
    for (const w of wins) covered.set(winKey(w, base), Math.max(covered.get(winKey(w, base)) ?? 0, base + w.end));
    // As verify, but a gap after 秘 that runs past this slice is read on through the file.
    for (const w of wins) {
      if (budget.left-- <= 0) return yield* exhausted(budget, { area: 'binary', part: `offset ${base + w.hit}` });
      if ((budget.left & 255) === 0) ctx.checkTime();
      yield* runsIn(await decodePaddedIn(blob, buf, base, w, ctx.checkTime), w, {}, base);
    }
    if (budget.left <= 0) yield* exhausted(budget, { area: 'binary', part: `offset ${base + from}` });
  }
};
