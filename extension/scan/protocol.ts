/**
 * The line between the guard in a page and the scan worker (extension/scan/). The worker is started by
 * an extension page (frame.html) that the guard embeds in a closed shadow root; that page hands the
 * guard one end of a MessageChannel whose other end is the worker, and takes no further part.
 *
 * Files cross as structured clones: a File or Blob shares the browser's copy of the bytes, it is not
 * copied, and nothing but the verdict comes back. No extension API here: both sides import it.
 */
import type { ScanOptions, ScanResult } from '../../src/detect/types.js';

/** Path of the frame page inside the extension (a web-accessible resource). */
export const FRAME_PATH = 'extension/scan/frame.html';

/** Tag of the frame's one message to its parent window, which carries the worker's port. */
export const SCAN_HELLO = '__upload_guard_scanner__';

/** The worker's first message to the frame: it listens for its port now. */
export const WORKER_READY = 'upload-guard-scan-ready';

/**
 * A blob: worker's request to its frame for libarchive's compiled WebAssembly module (it may not compile
 * it itself: frame.ts, scan-worker.ts), with the binary. The frame answers on the worker itself (a
 * compiled module crosses Worker.postMessage; a MessagePort does not carry it in Chromium).
 */
export const WASM_REQUEST = 'upload-guard-scan-wasm';
/** The frame's answer: `module`, or `error` (text). */
export const WASM_ANSWER = 'upload-guard-scan-wasm-answer';

export interface ScanJob {
  /** `scan`: the verdict. `encrypted`: only whether the file is password-protected (src/guard/encryption.ts). */
  t: 'scan' | 'encrypted';
  /** Random and unguessable: a page that got hold of the port still could not answer for a job. */
  id: string;
  blob: Blob;
  name: string;
  opts: Omit<ScanOptions, 'signal'>;
}

/**
 * The guard started the scanner ahead of a file (content/warm-up.ts) and has no job for it yet: the
 * worker may make its engine ready meanwhile (warm-engine.ts). Never sent when a scan started it.
 */
export interface WarmUp {
  t: 'warm';
}

export type FromWorker =
  | { t: 'progress'; id: string; bytesRead: number; total: number }
  | { t: 'done'; id: string; result: ScanResult }
  | { t: 'encrypted'; id: string; encrypted: boolean };
