/**
 * Where the guard's file scans run. Content scripts share the page's main thread, so a long scan there
 * would freeze the page (and show up as long tasks). The engine therefore runs in a dedicated worker
 * built into this bundle as a blob: URL (a chrome-extension:// worker URL is cross-origin on an https
 * page and refused). If the page's CSP forbids blob: workers, scans fall back to this thread: the engine
 * reads files in slices and awaits between them, so the page still gets turns.
 */
import ScanWorker from './scan-worker.ts?worker&inline';
import { scanBlob } from '../../src/detect/index.js';
import type { ScanOptions, ScanResult } from '../../src/detect/types.js';
import type { ScanDone, ScanJob } from './scan-worker.js';

type Job = { job: ScanJob; resolve: (r: ScanResult) => void };

let worker: Worker | null | undefined;
let nextId = 1;
const inFlight = new Map<number, Job>();

function startWorker(): Worker | null {
  try {
    const w = new ScanWorker({ name: 'upload-guard-scan' });
    w.onmessage = (e: MessageEvent<ScanDone>) => {
      const j = inFlight.get(e.data.id);
      inFlight.delete(e.data.id);
      j?.resolve(e.data.result);
    };
    // CSP refusal or a crash: finish what was queued here, and stay on this thread from now on.
    w.onerror = (e) => {
      e.preventDefault?.();
      worker = null;
      w.terminate();
      const jobs = [...inFlight.values()];
      inFlight.clear();
      for (const j of jobs) void scanHere(j.job).then(j.resolve);
    };
    return w;
  } catch {
    return null;
  }
}

function scanHere(job: ScanJob): Promise<ScanResult> {
  return scanBlob(job.blob, job.name, job.opts);
}

/** Where the scans run now: for the report and the benchmark. */
export function scannerMode(): 'worker' | 'main-thread' | 'not-started' {
  return worker === undefined ? 'not-started' : worker ? 'worker' : 'main-thread';
}

export function scan(blob: Blob, name: string, opts: Omit<ScanOptions, 'signal'> = {}): Promise<ScanResult> {
  if (worker === undefined) worker = startWorker();
  const job: ScanJob = { id: nextId++, blob, name, opts };
  if (!worker) return scanHere(job);
  const w = worker;
  return new Promise<ScanResult>((resolve) => {
    inFlight.set(job.id, { job, resolve });
    try {
      w.postMessage(job);
    } catch {
      inFlight.delete(job.id);
      void scanHere(job).then(resolve);
    }
  });
}
