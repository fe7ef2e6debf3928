/**
 * Long text read in overlapping runs (text-chunks.ts): a gap of blanks between 秘 and Confidential
 * longer than the overlap, across the cut between two runs, is still read as the stamp (text3 #5:
 * 3,000 spaces across a 1M-character cut in an ISO-2022-JP text were clean).
 */
import { describe, expect, it } from 'vitest';
import { chunkText, TextChunker } from '../../src/detect/text-chunks.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { scanBlob } from '../../src/detect/index.js';

const SIZE = 4096;
const OVERLAP = 256;
/** 秘 `before` characters ahead of the first cut, then `gap`, then `word`. */
const text = (before: number, gap: string, word = 'Confidential') => `${'x'.repeat(SIZE - before)}秘${gap}${word} ${'y'.repeat(SIZE)}`;
const streamed = (s: string, piece: number) => {
  const c = new TextChunker(SIZE, OVERLAP);
  const runs: string[] = [];
  for (let i = 0; i < s.length; i += piece) runs.push(...c.push(s.slice(i, i + piece)));
  return [...runs, ...c.flush()];
};
const marked = (runs: Iterable<string>) => [...runs].some((r) => findStamp(r));

describe('a gap across the cut between two runs', () => {
  it.each([
    ['3,000 spaces', 1000, ' '.repeat(3000)],
    ['20,000 line breaks (several runs of blanks)', 300, '\n'.repeat(20_000)],
    ['zero-width spaces and full-width spaces', 600, '\u200b\u3000'.repeat(3000)],
  ])('%s: the stamp, in one piece and streamed; 秘書室 after the gap is not', (_, before, gap) => {
    for (const runs of [() => chunkText(text(before, gap), SIZE, OVERLAP), () => streamed(text(before, gap), 1000), () => streamed(text(before, gap), 7)]) {
      expect(marked(runs())).toBe(true);
    }
    const trap = text(before, gap, '書室 Confidential');
    expect(marked(chunkText(trap, SIZE, OVERLAP))).toBe(false);
    expect(marked(streamed(trap, 1000))).toBe(false);
  });
  it('the word at the very end of the text, after the gap', () => {
    const s = `${'x'.repeat(SIZE - 10)}秘${' '.repeat(5000)}Confidential`;
    expect(marked(chunkText(s, SIZE, OVERLAP))).toBe(true);
    expect(marked(streamed(s, 1000))).toBe(true);
  });
});

describe('a text read whole (ISO-2022-JP)', () => {
  it('秘, 3,000 spaces across the 1M-character cut, Confidential: marked; 秘書室 there clean', async () => {
    const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const kanji = (jis: number[]) => [0x1b, 0x24, 0x42, ...jis, 0x1b, 0x28, 0x42];
    const file = (after: number[]) =>
      new Blob([Uint8Array.from([...kanji([0x32, 0x71, 0x35, 0x44]), 0x0a, ...ascii('x'.repeat((1 << 20) - 1000)), ...kanji([0x48, 0x6b]), ...ascii(' '.repeat(3000)), ...after, 0x0a])]);
    expect((await scanBlob(file(ascii('Confidential')), 'memo.txt')).verdict).toBe('marked');
    expect((await scanBlob(file([...kanji([0x3d, 0x71, 0x3c, 0x3c]), ...ascii(' Confidential')]), 'memo.txt')).verdict).toBe('clean');
  });
});
