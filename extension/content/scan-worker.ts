/**
 * Runs the engine off the page's main thread. The guard hands it File/Blob objects (structured clone
 * shares the bytes, it does not copy them) and gets back the verdict. Nothing leaves this worker but that.
 */
import { scanBlob } from '../../src/detect/index.js';
import type { ScanOptions, ScanResult } from '../../src/detect/types.js';

export interface ScanJob {
  id: number;
  blob: Blob;
  name: string;
  opts: Omit<ScanOptions, 'signal'>;
}
export interface ScanDone {
  id: number;
  result: ScanResult;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ScanJob>) => void) | null;
  postMessage(m: ScanDone): void;
};
scope.onmessage = async (e) => {
  const { id, blob, name, opts } = e.data;
  scope.postMessage({ id, result: await scanBlob(blob, name, opts) });
};
