/**
 * The extension page the guard embeds (hidden, in a closed shadow root) to get a scan worker whatever
 * the page's CSP: this document has the extension's origin and CSP (script-src 'self'
 * 'wasm-unsafe-eval'), so it can start a worker from the extension's own files and that worker can
 * compile libarchive's WebAssembly. A worker started by the content script itself would belong to the
 * page and obey its CSP (`worker-src 'none'` or no 'wasm-unsafe-eval' stopped 7z/RAR/CAB/LZH there).
 *
 * It hands its parent one port of a channel to the worker, once; then it only reads large files for the
 * worker (frame-read.ts) and compiles libarchive's module for a blob: worker. The page
 * cannot read this document (cross-origin); it can only remove or navigate the frame, which ends the
 * worker: the guard notices and fails closed (scanner.ts).
 */
import { SCAN_HELLO, WASM_ANSWER, WASM_REQUEST, WORKER_READY } from './protocol.js';
import { serveReads } from './frame-read.js';
import workerFile from './scan-worker.ts?worker&url';

/**
 * A way of starting the worker that has neither said it listens nor failed by then is joined by the
 * next way (the first to listen wins). Only a way that fails silently ever waits this long.
 */
const SILENT_MS = 2_000;

const workerUrl = new URL(workerFile, location.href).href;
const name = 'upload-guard-scan';
let started = false;

/**
 * The worker's port goes once it listens for it (its module may still be loading when it starts).
 * The first worker that does gets it; a later one is ended.
 */
function handOnceReady(worker: Worker): void {
  worker.onmessage = (e: MessageEvent) => {
    if (e.data !== WORKER_READY) return;
    worker.onmessage = null;
    if (started) return worker.terminate();
    started = true;
    const reads = serveReads(worker);
    worker.onmessage = (m: MessageEvent) => {
      const d = m.data as { t?: unknown; bytes?: unknown } | null;
      if (d?.t === WASM_REQUEST && d.bytes instanceof Uint8Array) giveWasm(d.bytes, worker);
      else reads(d);
    };
    const line = new MessageChannel();
    worker.postMessage(null, [line.port1]);
    // The parent's origin is the page's, unknown here: '*' is safe because the port only reaches a worker
    // that scans what it is given and answers with verdicts; the guard checks that the message comes
    // from this frame and from the extension's origin.
    parent.postMessage({ [SCAN_HELLO]: true }, '*', [line.port2]);
  };
}

/**
 * libarchive's module for the blob: worker, compiled under this page's CSP, which allows WebAssembly
 * (scan-worker.ts). The worker sends the binary, on its first archive only.
 */
function giveWasm(bytes: Uint8Array, worker: Worker): void {
  WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).then(
    (module) => worker.postMessage({ t: WASM_ANSWER, module }),
    (err: unknown) => worker.postMessage({ t: WASM_ANSWER, error: String((err as Error)?.message ?? err) }),
  );
}

/** The worker from the extension's file. */
function fromFile(): Worker {
  return new Worker(workerUrl, { type: 'module', name });
}

/**
 * A worker from a blob: URL made here, with this page's origin, that imports the worker's file (whose
 * own lazy imports resolve against that file's URL).
 */
function fromBlob(): Worker {
  const source = `import ${JSON.stringify(workerUrl)};`;
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module', name });
}

/**
 * Chromium never starts a worker whose script is an extension file once the extension is installed by
 * policy from a CRX, and says nothing (no error event, no script run: test/e2e/policy-live.test.ts), so
 * that failure can only be seen by waiting. The blob: way starts in every Chromium install (unpacked
 * too, where every e2e test runs it), so Chromium takes it first and the first scan waits for nothing
 * (test/e2e/deploy-force-install.test.ts measures it). Elsewhere (Firefox) the file way comes first. A
 * way that throws or raises an error event hands over at once; a silent one after SILENT_MS.
 */
const ways = location.protocol === 'chrome-extension:' ? [fromBlob, fromFile] : [fromFile, fromBlob];

function tryNext(): void {
  if (started) return;
  const way = ways.shift();
  if (!way) return;
  let worker: Worker;
  try {
    worker = way();
  } catch {
    return tryNext();
  }
  handOnceReady(worker);
  worker.addEventListener('error', () => {
    if (started) return;
    worker.terminate();
    tryNext();
  });
  setTimeout(tryNext, SILENT_MS);
}

tryNext();
