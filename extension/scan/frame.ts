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
import { SCAN_HELLO } from './protocol.js';

const worker = new Worker(new URL('./scan-worker.ts', import.meta.url), { type: 'module', name: 'upload-guard-scan' });
const line = new MessageChannel();
worker.postMessage(null, [line.port1]);
// The parent's origin is the page's, unknown here: '*' is safe because the port only reaches a worker
// that scans what it is given and answers with verdicts; the guard checks that the message comes
// from this frame and from the extension's origin.
parent.postMessage({ [SCAN_HELLO]: true }, '*', [line.port2]);
