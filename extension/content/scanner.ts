/**
 * The scan API of the content side: `scan()` hands a file to the engine and resolves with its verdict,
 * reporting the bytes read as it goes (the "Checking…" indicator follows them).
 *
 *   scan(blob, name, opts?, onProgress?)  → Promise<ScanResult>
 *   encrypted(blob, name, limits)  → Promise<boolean>   (password-protected? false when unknown)
 *
 * Where scans run, and why: the engine (and libarchive's WebAssembly) is not in the script every frame
 * carries. On the first scan this module embeds the extension page extension/scan/frame.html, hidden in
 * a closed shadow root; that page starts the scan worker from the extension's own origin and hands
 * this side a port to it. A worker there runs under the extension's CSP, not the page's, so 7z, RAR,
 * CAB and LZH are read even on a page whose CSP forbids workers or WebAssembly, and a long scan never
 * holds the page's main thread. The page cannot read that frame (cross-origin); it can remove or
 * navigate it, and then every scan in flight ends `unscannable` (fail closed), and the next scan
 * starts a new frame. See docs/design.md ("Where the engine runs").
 *
 * This module is in the bundle loaded on first use (ui-entry.ts), not in the script every frame
 * carries: scan-line.ts stands in for it there.
 */
import type { Limits, ScanOptions, ScanResult, UnscannableVerdict } from '../../src/detect/types.js';
import { FRAME_PATH, type FromWorker, type ScanJob, type WarmUp } from '../scan/protocol.js';
import { runtime } from './runtime.js';

/** How often a scan in flight checks that its frame is still there. */
const WATCH_MS = 250;
/** The frame must hand over its port by then (it loads from the extension's package). */
const HELLO_MS = 10_000;
/** A scan that reports nothing for this long is given up (the worker reports every 100 ms while reading). */
const SILENCE_MS = 30_000;

interface Pending {
  size: number;
  /** The verdict, or for an `encrypted` job the answer (a lost job resolves with its unscannable verdict). */
  resolve: (r: ScanResult | boolean) => void;
  onProgress?: (bytesRead: number, total: number) => void;
  heard: number;
}

/** The embedded frame and, once it said hello, the port to its worker. */
interface Checker {
  host: Element;
  iframe: HTMLIFrameElement;
  origins: string[];
  port: MessagePort | null;
  ready: Promise<MessagePort>;
  accept(port: MessagePort): void;
  refuse(err: Error): void;
}

const pending = new Map<string, Pending>();
let checker: Checker | null = null;
let watchdog: ReturnType<typeof setInterval> | null = null;

/**
 * Starts the frame and its worker ahead of the first scan (when a file is about to appear: warm-up.ts),
 * so the first file does not wait for them, and has the worker make its engine ready while no scan is
 * asked for (scan/warm-engine.ts; once per worker). Nothing else happens if already started.
 */
export function warmUp(): void {
  // With no scan asked for yet, the worker also makes its engine ready (scan/warm-engine.ts).
  const idle = pending.size === 0;
  void connect().then((port) => idle && pending.size === 0 && port.postMessage({ t: 'warm' } satisfies WarmUp), () => undefined);
}

/** Scans one file in the extension's worker. Never rejects: a failure is an `unscannable` verdict. */
export async function scan(
  blob: Blob,
  name: string,
  opts: Omit<ScanOptions, 'signal'> = {},
  progress?: (bytesRead: number, total: number) => void,
): Promise<ScanResult> {
  const r = await post('scan', blob, name, opts, progress);
  return typeof r === 'boolean' ? { ...lost('the file checker gave no verdict'), format: 'unknown', size: blob.size, ms: 0 } : r;
}

/** Whether the file is password-protected, asked of the worker. Never rejects: unknown is `false` (fail closed). */
export async function encrypted(blob: Blob, name: string, limits: Limits): Promise<boolean> {
  return (await post('encrypted', blob, name, { limits })) === true;
}

function post(
  t: ScanJob['t'],
  blob: Blob,
  name: string,
  opts: Omit<ScanOptions, 'signal'>,
  progress?: (bytesRead: number, total: number) => void,
): Promise<ScanResult | boolean> {
  return new Promise<ScanResult | boolean>((resolve) => {
    const id = randomId();
    pending.set(id, { size: blob.size, resolve, onProgress: progress, heard: Date.now() });
    startWatchdog();
    connect().then(
      (port) => {
        try {
          if (pending.has(id)) port.postMessage({ t, id, blob, name, opts } satisfies ScanJob);
        } catch (err) {
          finish(id, lost(`the file could not be handed to the checker (${String(err).slice(0, 60)})`));
        }
      },
      (err: unknown) => finish(id, lost(String((err as Error)?.message ?? err), 'unsupported')),
    );
  });
}

/**
 * The frame's hello, which carries the port (taken and stopped by scan-line.ts before any page listener
 * sees it). Only a message from our own frame and from the extension's origin counts; a page that
 * navigates the frame elsewhere gets another origin.
 */
export function hello(e: MessageEvent): void {
  const c = checker;
  if (!c || c.port || e.source !== c.iframe.contentWindow || !c.origins.includes(e.origin) || !e.ports[0]) return;
  c.accept(e.ports[0]);
}

function connect(): Promise<MessagePort> {
  // Removed by the page while idle: nothing was lost yet, start a new one.
  if (checker && !alive(checker)) discard(checker, 'the file checker was removed by the page');
  checker ??= open();
  return checker.ready;
}

function open(): Checker {
  const url = runtime.getURL(FRAME_PATH);
  const host = document.createElement('upload-guard-scanner');
  host.setAttribute('hidden', '');
  const iframe = document.createElement('iframe');
  iframe.src = url;
  iframe.setAttribute('aria-hidden', 'true');
  iframe.tabIndex = -1;
  host.attachShadow({ mode: 'closed' }).appendChild(iframe);
  let accept!: (port: MessagePort) => void;
  let refuse!: (err: Error) => void;
  const ready = new Promise<MessagePort>((res, rej) => ((accept = res), (refuse = rej)));
  const c: Checker = {
    host,
    iframe,
    origins: [new URL(url).origin, new URL(runtime.getURL('')).origin],
    port: null,
    ready,
    accept: (port) => {
      c.port = port;
      port.onmessage = (e: MessageEvent<FromWorker>) => onWorker(e.data);
      accept(port);
    },
    refuse,
  };
  ready.catch(() => undefined); // refusals reach the scans through connect()
  // A second load means the frame was navigated: whatever now runs there is not our worker.
  let loads = 0;
  iframe.addEventListener('load', () => ++loads > 1 && checker === c && drop('the file checker was interrupted by the page'));
  setTimeout(() => checker === c && !c.port && drop('the file checker could not start on this page', 'unsupported'), HELLO_MS);
  (document.documentElement ?? document).appendChild(host);
  return c;
}

function onWorker(m: FromWorker | null): void {
  const job = m && pending.get(m.id);
  if (!job) return; // unknown id: not ours to answer
  job.heard = Date.now();
  if (m.t === 'progress') {
    job.onProgress?.(m.bytesRead, m.total);
  } else if (m.t === 'done') {
    finish(m.id, m.result);
  } else if (m.t === 'encrypted') {
    finish(m.id, m.encrypted);
  }
}

function finish(id: string, result: ScanResult | UnscannableVerdict | boolean): void {
  const job = pending.get(id);
  if (!job) return;
  pending.delete(id);
  job.resolve(typeof result === 'boolean' || 'format' in result ? result : { ...result, format: 'unknown', size: job.size, ms: 0 });
  if (pending.size === 0 && watchdog !== null) {
    clearInterval(watchdog);
    watchdog = null;
  }
}

/** While scans are in flight: a removed frame, or a silent worker, fails them closed. */
function startWatchdog(): void {
  watchdog ??= setInterval(() => {
    if (checker && !alive(checker)) drop('the file checker was removed by the page');
    const now = Date.now();
    for (const [id, job] of pending) if (now - job.heard > SILENCE_MS) finish(id, lost('the file checker stopped answering'));
  }, WATCH_MS);
}

/** The frame is gone or not ours any more: every scan in flight is unscannable; the next one starts afresh. */
function drop(why: string, reason: UnscannableVerdict['reason'] = 'time-budget'): void {
  if (checker) discard(checker, why);
  for (const id of [...pending.keys()]) finish(id, lost(why, reason));
}

function discard(c: Checker, why: string): void {
  if (checker === c) checker = null;
  c.host.remove();
  c.port?.close();
  c.refuse(new Error(why));
}

function alive(c: Checker): boolean {
  return c.host.isConnected && c.iframe.contentWindow !== null;
}

/** A scan that never got its verdict from the worker: unscannable, never clean. */
function lost(detail: string, reason: UnscannableVerdict['reason'] = 'time-budget'): UnscannableVerdict {
  return { verdict: 'unscannable', reason, detail };
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint32Array(4));
  return Array.from(b, (n) => n.toString(36)).join('-');
}
