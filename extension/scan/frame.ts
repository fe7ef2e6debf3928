/**
 * The extension page the guard embeds (hidden, in a closed shadow root) to get a scan worker whatever
 * the page's CSP: this document has the extension's origin and CSP (script-src 'self'
 * 'wasm-unsafe-eval'), so it can start a worker from the extension's own files and that worker can
 * compile libarchive's WebAssembly. A worker started by the content script itself would belong to the
 * page and obey its CSP (`worker-src 'none'` or no 'wasm-unsafe-eval' stopped 7z/RAR/CAB/LZH there).
 *
 * It hands its parent one port of a channel to the worker, once, and then does nothing. The page
 * cannot read this document (cross-origin); it can only remove or navigate the frame, which ends the
 * worker: the guard notices and fails closed (scanner.ts).
 */
import { SCAN_HELLO, WORKER_READY } from './protocol.js';
import workerFile from './scan-worker.ts?worker&url';

/** How long the worker started from its own file has to say it listens before the other way is tried. */
const DIRECT_MS = 2_000;

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
    const line = new MessageChannel();
    worker.postMessage(null, [line.port1]);
    // The parent's origin is the page's, unknown here: '*' is safe because the port only reaches a worker
    // that scans what it is given and answers with verdicts; the guard checks that the message comes
    // from this frame and from the extension's origin.
    parent.postMessage({ [SCAN_HELLO]: true }, '*', [line.port2]);
  };
}

/**
 * Chromium never starts a worker whose script is an extension file once the extension is installed by
 * policy from a CRX (no error, no script run: test/e2e/policy-live.test.ts). A worker from a blob: URL
 * made here does start, with this page's origin, and imports the worker's file (whose own lazy imports
 * resolve against that file's URL).
 */
function startFromBlob(): void {
  const source = `import ${JSON.stringify(workerUrl)};`;
  handOnceReady(new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module', name }));
}

const direct = new Worker(workerUrl, { type: 'module', name });
handOnceReady(direct);
setTimeout(() => {
  if (started) return;
  direct.terminate();
  startFromBlob();
}, DIRECT_MS);
