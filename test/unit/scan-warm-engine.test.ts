/**
 * The scan worker's engine warm-up (extension/scan/warm-engine.ts): it runs the engine's two main paths
 * (text, and bytes that are no text) on samples of its own, and gives way to the first job at once.
 */
import { describe, expect, it } from 'vitest';
import { warmEngine } from '../../extension/scan/warm-engine.js';
import { scanBlob } from '../../src/detect/index.js';
import type { ScanResult } from '../../src/detect/types.js';

describe('warmEngine', () => {
  it('scans a text and bytes that are no text through the given path, both read whole and clean', async () => {
    const seen: { name: string; size: number; r: ScanResult }[] = [];
    const done = await warmEngine(async (blob, name) => seen.push({ name, size: blob.size, r: await scanBlob(blob, name, { hash: 'unless-clean' }) }), new AbortController().signal);
    expect(done).toBe(2);
    expect(seen.map((s) => [s.name, s.r.verdict, s.r.format])).toEqual([
      ['warm-up.txt', 'clean', 'text'],
      ['warm-up.bin', 'clean', 'binary'],
    ]);
    for (const s of seen) expect(s.size).toBeGreaterThanOrEqual(256 << 10);
  });

  it('a job that comes during the warm-up aborts the sample being scanned and starts no other', async () => {
    const stop = new AbortController();
    const names: string[] = [];
    const verdicts: string[] = [];
    const done = await warmEngine(async (blob, name) => {
      names.push(name);
      const scanning = scanBlob(blob, name, { signal: stop.signal });
      stop.abort(); // the job arrives while the first sample is being scanned
      verdicts.push((await scanning).verdict);
    }, stop.signal);
    expect(names).toEqual(['warm-up.txt']);
    expect(verdicts).toEqual(['unscannable']);
    expect(done).toBe(0);
  });

  it('starts nothing once a job has come, and a scan that fails ends it quietly', async () => {
    const stop = new AbortController();
    stop.abort();
    let calls = 0;
    expect(await warmEngine(async () => void calls++, stop.signal)).toBe(0);
    expect(calls).toBe(0);
    await expect(warmEngine(() => Promise.reject(new Error('no engine')), new AbortController().signal)).resolves.toBe(0);
  });
});
