/**
 * Fuzzing PDF and RTF. Neither has a checksum over its text: a flip inside the bytes that spell
 * the stamp (in RTF its escapes, in a PDF its content stream, which may be compressed) changes the
 * document itself, so flips there are excluded. Everything else must end marked or unscannable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz, rangesOf } from '../support/fuzz.js';

const FIX = join(import.meta.dirname, '../fixtures');
const ascii = (s: string) => new TextEncoder().encode(s);

/** RTF: from the escape that spells 秘 (\uN or \'hh\'hh) to the end of the "…onfidential" after it (its C may be an escape too). */
function rtfStamp(seed: Uint8Array): [number, number][] {
  const word = [...rangesOf(seed, ascii('onfidential')), ...rangesOf(seed, ascii('ONFIDENTIAL'))];
  const starts = [...rangesOf(seed, ascii('\\u31192')), ...rangesOf(seed, ascii("\\'94\\'e9"))];
  return starts.flatMap(([s]) => word.filter(([w]) => w > s && w - s < 96).map(([, e]) => [s, e] as [number, number]));
}

/** PDF: the data of every stream (content streams carry the text; a flip there rewrites the page). */
function pdfStreams(seed: Uint8Array): [number, number][] {
  const ends = rangesOf(seed, ascii('endstream'));
  return rangesOf(seed, ascii('stream')).flatMap(([, s]) => {
    const e = ends.find(([x]) => x >= s);
    return e && !ascii('end').every((c, k) => seed[s - 9 + k] === c) ? [[s, e[0]] as [number, number]] : [];
  });
}

describe('fuzz: PDF and RTF', () => {
  // Not unicode-uc.rtf: its stamp reads right only under the \uc2 set in its first line, so a flip
  // there (or in a brace that scopes it) legitimately turns 秘 into 秘é — a different document.
  for (const file of ['rtf/lo-comment.rtf', 'rtf/cp932-hh.rtf']) {
    it(`mutants of marked ${file} end marked or unscannable, except flips inside the stamp's escapes`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const stamp = rtfStamp(seed);
      expect(stamp.length).toBeGreaterThan(0);
      // Also excused: the "{\rtf" signature. Without it the bytes are plain text, and are read as such.
      const exclude = (at: number) => at < 5 || stamp.some(([s, e]) => at >= s && at < e);
      const counts = await fuzz(seed, { name: file.split('/')[1], n: 40, seed: 13, exclude, excludeCut: (n) => n < 6 });
      expect(counts.marked ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }

  for (const file of ['pdf/multipage-p2.pdf', 'pdf/objstm-p2.pdf']) {
    it(`mutants of marked ${file} end marked or unscannable, except flips inside stream data`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const streams = pdfStreams(seed);
      expect(streams.length).toBeGreaterThan(0);
      const counts = await fuzz(seed, { name: file.split('/')[1], n: 30, seed: 17, exclude: (at) => streams.some(([s, e]) => at >= s && at < e) });
      expect(counts.marked ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }
});
