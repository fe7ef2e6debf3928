/**
 * Hostile input: truncated and byte-mutated versions of every corpus file, archive bombs,
 * lying headers, deep nesting. None may throw or run past its time budget; each ends in a
 * valid verdict (and the limit-breaking ones in `unscannable` with the right reason).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanBlob, type ScanResult } from '../../src/detect/index.js';
import { corpus, corpusPath, inCorpus } from '../support/corpus.js';
import { lieAboutSizes, nested, prng, zip } from '../support/zip-build.js';

const BUDGET = 3000;
const limits = { timeBudgetMs: BUDGET };
const VERDICTS = ['marked', 'clean', 'unscannable'];

function expectSane(r: ScanResult, label: string): void {
  expect(VERDICTS, label).toContain(r.verdict);
  // The budget is checked between steps; one step may overrun it a little, never by seconds.
  expect(r.ms, label).toBeLessThan(BUDGET + 1500);
}

const files = corpus().filter((e) => inCorpus(e.file)).map((e) => e.file);

describe('truncated corpus files', () => {
  it.each(files)('%s', async (file) => {
    const bytes = readFileSync(corpusPath(file));
    for (const frac of [0, 0.1, 0.5, 0.9, 0.99]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * frac));
      const r = await scanBlob(new Blob([cut]), `cut-${file}`, { limits });
      expectSane(r, `${file} cut at ${frac}`);
    }
  });
});

describe('byte-mutated corpus files', () => {
  it.each(files)('%s', async (file) => {
    const bytes = readFileSync(corpusPath(file));
    const rand = prng(file.length * 7919);
    for (let variant = 0; variant < 6; variant++) {
      const m = bytes.slice();
      const flips = 1 + Math.floor(rand() * 32);
      for (let i = 0; i < flips; i++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
      const r = await scanBlob(new Blob([m]), `mut-${variant}-${file}`, { limits });
      expectSane(r, `${file} variant ${variant}`);
    }
  });
});

describe('archive bombs and nesting', () => {
  const MiB = 1024 * 1024;

  it('a member that expands far beyond the ratio is unscannable (expansion-ratio)', async () => {
    const bomb = zip({ 'zeros.bin': new Uint8Array(64 * MiB) }, 9);
    const r = await scanBlob(new Blob([bomb]), 'bomb.zip');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'expansion-ratio' });
  });

  it('a member lying about its size is stopped while inflating', async () => {
    const bomb = lieAboutSizes(zip({ 'zeros.bin': new Uint8Array(32 * MiB) }, 9), 100);
    const r = await scanBlob(new Blob([bomb]), 'liar.zip');
    expect(r.verdict).toBe('unscannable');
    expect(['expansion-ratio', 'corrupt']).toContain(r.verdict === 'unscannable' && r.reason);
  });

  it('many moderately compressible members add up to a bomb', async () => {
    // Each member stays under the size where its own ratio is judged; together they are a bomb.
    const member = new Uint8Array(900 * 1024);
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 300; i++) files[`part${i}.bin`] = member;
    const r = await scanBlob(new Blob([zip(files, 9)]), 'wide.zip');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'expansion-ratio' });
  });

  it('archives nested deeper than the limit are unscannable (too-deep)', async () => {
    const r = await scanBlob(new Blob([nested(8, '秘 Confidential')]), 'deep.zip');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'too-deep' });
  });

  it('archives nested within the limit are read to the bottom', async () => {
    const r = await scanBlob(new Blob([nested(5, 'memo: 秘 Confidential')]), 'ok.zip');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1 });
    if (r.verdict === 'marked') expect(r.location.path).toEqual(['level4.zip', 'level3.zip', 'level2.zip', 'level1.zip', 'note.txt']);
  });

  it('a marked member wins over an unreadable sibling', async () => {
    const archive = zip({ 'bad.docx': new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), '秘—plan.txt': 'hello' });
    const r = await scanBlob(new Blob([archive]), 'mixed.zip');
    expect(r).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—plan.txt'] } });
  });

  it.each([
    ['秘 Confidential', 'marked'],
    ['nothing to see', 'unscannable'],
  ])('a member in an unsupported compression (Deflate64) does not hide a sibling saying %j', async (memo, verdict) => {
    const archive = zip({ 'a-data.bin': 'x'.repeat(1000), 'b-memo.txt': memo });
    // Rewrite the first member's method to 9 (Deflate64) in its local and central headers.
    const dv = new DataView(archive.buffer);
    dv.setUint16(8, 9, true);
    for (let i = archive.length - 22; i > 0; i--) {
      if (dv.getUint32(i, true) === 0x02014b50) {
        if (new TextDecoder().decode(archive.subarray(i + 46, i + 56)) === 'a-data.bin') dv.setUint16(i + 10, 9, true);
      }
    }
    const r = await scanBlob(new Blob([archive]), 'mixed-methods.zip');
    expect(r.verdict).toBe(verdict);
    if (r.verdict === 'marked') expect(r.location.path).toEqual(['b-memo.txt']);
    if (r.verdict === 'unscannable') expect(r.detail).toContain('compression method 9');
  });

  it('too many entries is unscannable (too-many-entries)', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`f${i}.txt`] = 'x';
    const r = await scanBlob(new Blob([zip(files)]), 'many.zip', { limits: { maxEntries: 50 } });
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'too-many-entries' });
  });

  it('the time budget ends a long scan with a verdict', async () => {
    const big = new Blob([new Uint8Array(64 * MiB).fill(0x41)]);
    const r = await scanBlob(big, 'big.txt', { limits: { timeBudgetMs: 1 }, designated: { keywords: ['zzz'] } });
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'time-budget' });
  });

  it('an aborted scan ends with a verdict', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await scanBlob(new Blob([zip({ 'a.txt': 'x' })]), 'a.zip', { signal: ac.signal });
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'time-budget' });
  });

  it('files over the size limit are too-large unless the name marks them', async () => {
    const blob = new Blob([new Uint8Array(2048)]);
    expect(await scanBlob(blob, 'data.bin', { limits: { maxBytes: 1024 } })).toMatchObject({ verdict: 'unscannable', reason: 'too-large' });
    expect(await scanBlob(blob, '秘—data.bin', { limits: { maxBytes: 1024 } })).toMatchObject({ verdict: 'marked', rule: 2 });
  });

  it('hostile file names are just names', async () => {
    for (const name of ['<img src=x onerror=alert(1)>.txt', '=HYPERLINK("http://x","y").csv', '../../etc/passwd', '\u202egnp.exe']) {
      const r = await scanBlob(new Blob(['hello']), name);
      expect(r.verdict, name).toBe('clean');
    }
  });
});
