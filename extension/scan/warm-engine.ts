/**
 * The engine's code made ready before the first file: the scan worker starts when a file is about to
 * appear (content/warm-up.ts), but its first scan still ran the engine's functions for the first time,
 * compiled from source as they were called and then run cold. In Chromium a clean 1 MB text chosen
 * 500 ms after its input got focus spent 19–27 ms in the engine against about 1 ms for the next file.
 * While the employee picks the file, the worker scans a small text and a small run of other bytes,
 * made here (never a file of the employee's), through the same path a job takes, and drops the
 * verdicts. A job that arrives first is never held up: the warm-up starts only while no job has come,
 * and once one has, the sample being scanned is aborted and no other is started.
 */

/** Big enough for the engine's loops to run hot, small enough to be over long before a file is picked. */
const SAMPLE_BYTES = 256 << 10;

/** Clean office-like prose (Japanese and English, UTF-8), and bytes that are no text (an unknown file). */
function samples(): [Blob, string][] {
  const line = new TextEncoder().encode('来週の定例は水曜 10 時から。部品の納期と検査の段取りを確認します。Meeting notes for the team.\n');
  const text = new Uint8Array(SAMPLE_BYTES);
  for (let at = 0; at < text.length; at += line.length) text.set(line.subarray(0, Math.min(line.length, text.length - at)), at);
  const other = new Uint8Array(SAMPLE_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < other.length; i++) other[i] = (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 24;
  return [
    [new Blob([text]), 'warm-up.txt'],
    [new Blob([other]), 'warm-up.bin'],
  ];
}

/**
 * Scans the samples with `scan` (the worker's own path for a job, aborted by `stop`) until `stop` is
 * aborted; never throws. Resolves with how many samples were scanned whole.
 */
export async function warmEngine(scan: (blob: Blob, name: string) => Promise<unknown>, stop: AbortSignal): Promise<number> {
  let done = 0;
  for (const [blob, name] of samples()) {
    if (stop.aborted) break;
    try {
      await scan(blob, name);
      if (!stop.aborted) done++;
    } catch {
      /* a warm-up that fails changes nothing: the job's own scan decides */
    }
  }
  return done;
}
