/**
 * Part of a Blob's bytes without slicing it, for the engine's forward reads (byte-scan.ts slices(),
 * the text sample). A Blob may carry, under RANGE_READ, a function that gives its bytes [start, end):
 * the scan worker's read-ahead does (extension/scan/read-ahead.ts), and counts them for progress
 * (progress.ts). Any other Blob is sliced and read as usual.
 *
 * Why: in a browser every blob.slice() registers a new blob with the browser process, and every
 * arrayBuffer() of a slice is a fresh copy; the read-ahead already holds the bytes. For a clean 10 MB
 * file the slice-and-copy of the engine's 20 slices cost 5–10 ms in the worker, more than the search.
 *
 * The bytes given may be a view of memory the reader keeps: read them, never write them.
 */
export const RANGE_READ = Symbol('upload-guard range read');

export type RangeRead = (start: number, end: number) => Promise<Uint8Array>;

/** Bytes [start, end) of `blob` (offsets already within its size), through its RANGE_READ when it has one. */
export async function readRange(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  const own = (blob as Blob & { [RANGE_READ]?: RangeRead })[RANGE_READ];
  return own ? own(start, end) : new Uint8Array(await blob.slice(start, end).arrayBuffer());
}
