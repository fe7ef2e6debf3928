/**
 * The scanner's stand-in in the script every frame carries: the scanner itself (scanner.ts: the scan
 * frame, its port, the watchdog) loads with the dialog bundle on first need (load-ui.ts), which the
 * first sign of a file starts (warm-up.ts) and every scan waits for. A bundle that cannot load makes
 * the scan `unscannable`, never `clean`.
 */
import type { Limits, ScanOptions, ScanResult } from '../../src/detect/types.js';
import { SCAN_HELLO } from '../scan/protocol.js';
import { loadUi } from './load-ui.js';
import { orphaned } from './runtime.js';
import { capture, stop } from './replay.js';

/**
 * Registered at document_start, before any page script: the scan frame's hello (which carries the
 * port) is taken here and stopped, so page listeners never see it, then checked by the scanner.
 */
export function listenForScanner(): void {
  capture(
    window,
    'message',
    (e: MessageEvent) => {
      const data = e.data as Record<string, unknown> | null;
      // A guard whose extension was updated or reloaded leaves the new guard's hello to it.
      if (!data || typeof data !== 'object' || data[SCAN_HELLO] !== true || orphaned()) return;
      stop(e);
      void loadUi().then((ui) => ui.scanner.hello(e), () => undefined);
    },
  );
}

/** Starts the scanner ahead of the first scan (warm-up.ts). */
export function warmUp(): void {
  void loadUi().then((ui) => ui.scanner.warmUp(), () => undefined);
}

/** scanner.ts's scan(); never rejects. */
export async function scan(blob: Blob, name: string, opts: Omit<ScanOptions, 'signal'>, progress?: (bytesRead: number, total: number) => void): Promise<ScanResult> {
  try {
    return await (await loadUi()).scanner.scan(blob, name, opts, progress);
  } catch (err) {
    const detail = `the file checker could not be loaded (${String(err).slice(0, 60)})`;
    return { verdict: 'unscannable', reason: 'unsupported', detail, format: 'unknown', size: blob.size, ms: 0 };
  }
}

/** scanner.ts's encrypted(): false when unknown (fail closed). */
export async function encrypted(blob: Blob, name: string, limits: Limits): Promise<boolean> {
  return loadUi().then((ui) => ui.scanner.encrypted(blob, name, limits), () => false);
}
