/**
 * Runs the engine off every page's main thread, in the extension's origin (see frame.ts). Gets its
 * jobs on the one port the frame hands it; Files arrive as structured clones (the bytes are shared,
 * not copied) and only verdicts and progress go back.
 */
import { scanBlob } from '../../src/detect/index.js';
import type { ScanResult } from '../../src/detect/types.js';
import { libarchiveWasmBytes, supplyLibarchiveWasm } from '../../src/detect/extract/libarchive.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { isEncrypted } from '../../src/guard/encryption.js';
import { WASM_ANSWER, WASM_REQUEST, WORKER_READY, type FromWorker, type ScanJob, type WarmUp } from './protocol.js';
import { countReads } from './progress.js';
import { readInFrame, type Line } from './frame-read.js';
import { MAX_HELD, readAhead } from './read-ahead.js';
import { warmEngine } from './warm-engine.js';

/** Progress at most this often per job: the indicator needs a few updates a second, not one per slice. */
const PROGRESS_EVERY_MS = 100;
/**
 * Ended by the first job: the engine's warm-up (asked for by the guard when it started the scanner
 * ahead of a file, never when a scan did) runs only before it, and stops where it is then.
 */
const warming = new AbortController();
let warmed = false;

const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };
/** The frame that started this worker. */
const frameLine = self as unknown as Line;

/**
 * Started from a blob: URL (Chromium: frame.ts), this worker's CSP is the one a blob: worker inherits,
 * not the one Chromium gives the extension's own files, and whether it carries the extension's
 * 'wasm-unsafe-eval' is not established here. Its frame, an extension page, has it: this worker sends
 * it the binary (one copy in the package: the worker's), the frame compiles it and hands the module
 * back, and this worker instantiates it. 7z, RAR and CAB in the force-installed build:
 * test/e2e/deploy-force-install.test.ts.
 */
if (location.protocol === 'blob:') {
  supplyLibarchiveWasm(async () => {
    const bytes = await libarchiveWasmBytes();
    return new Promise<WebAssembly.Module>((resolve, reject) => {
      const answer = (e: MessageEvent) => {
        const d = e.data as { t?: unknown; module?: unknown; error?: unknown } | null;
        if (d?.t !== WASM_ANSWER) return;
        self.removeEventListener('message', answer);
        if (d.module instanceof WebAssembly.Module) resolve(d.module);
        else reject(new Error(String(d.error)));
      };
      self.addEventListener('message', answer);
      scope.postMessage({ t: WASM_REQUEST, bytes }, [bytes.buffer]);
    });
  });
}

scope.onmessage = (e: MessageEvent) => {
  const port = e.ports[0];
  if (!port) return;
  scope.onmessage = null; // one line, from the frame that started this worker (WASM_ANSWER has its own listener)
  port.onmessage = (m: MessageEvent<ScanJob | WarmUp>) => {
    if (m.data?.t === 'warm') {
      if (!warmed) void warmEngine((blob, name) => scanFile(blob, name, { hash: 'unless-clean', signal: warming.signal }, () => undefined), warming.signal);
      warmed = true;
      return;
    }
    warming.abort();
    if (m.data?.t === 'scan') void run(port, m.data);
    else if (m.data?.t === 'encrypted') void encryption(port, m.data);
  };
};

async function run(port: MessagePort, job: ScanJob): Promise<void> {
  const send = (m: FromWorker) => port.postMessage(m);
  const total = job.blob.size;
  let last = 0;
  send({ t: 'progress', id: job.id, bytesRead: 0, total });
  const result = await scanFile(job.blob, job.name, job.opts, (bytesRead) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    send({ t: 'progress', id: job.id, bytesRead, total });
  });
  send({ t: 'done', id: job.id, result });
}

/**
 * The file is read once while the engine matches what has arrived (read-ahead.ts); one larger than
 * the bound is streamed by the frame, so its chunks do not wait behind the matching on this thread
 * (frame-read.ts).
 */
async function scanFile(file: Blob, name: string, opts: ScanJob['opts'] & { signal?: AbortSignal }, onRead: (bytesRead: number) => void): Promise<ScanResult> {
  const ahead = readAhead(file, MAX_HELD, (b) => readInFrame(b, frameLine));
  try {
    return await scanBlob(countReads(ahead.blob, onRead), name, opts);
  } finally {
    ahead.close();
  }
}

async function encryption(port: MessagePort, job: ScanJob): Promise<void> {
  const limits = { ...DEFAULT_LIMITS, ...job.opts.limits };
  const encrypted = await isEncrypted(job.blob, job.name, (b, n, o) => scanBlob(b, n, o), limits);
  port.postMessage({ t: 'encrypted', id: job.id, encrypted } satisfies FromWorker);
}

scope.postMessage(WORKER_READY);
