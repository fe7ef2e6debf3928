/**
 * When the "checking…" indicator shows: only after SHOW_AFTER_MS (most files are judged sooner, and a
 * flash would only distract), for as long as the scan runs, repainted as it reports progress. The
 * drawing (extension/ui/checking/indicator.ts) is in the dialog bundle, which the scan started loading
 * (gate.ts), so the script every frame carries holds only this timing.
 */
import type { CheckingRow, CheckingScan } from '../shared/lazy-ui.js';
import { loadUi } from './load-ui.js';

/** A little under 300 ms, so that every scan longer than 300 ms has the indicator on screen by 400 ms. */
const SHOW_AFTER_MS = 250;

/** Runs `run`, handing it an `onProgress(bytesRead)` for a scan that reports progress. */
export async function watchScan<T>(name: string | null, total: number, run: (onProgress: (bytesRead: number) => void) => Promise<T>): Promise<T> {
  const scan: CheckingScan = { name, total, read: null };
  let row = null as CheckingRow | null;
  let done = false;
  // An indicator that cannot load leaves the scan and its verdict alone.
  const show = () => void loadUi().then((ui) => void (done || (row = ui.showChecking(scan))), () => undefined);
  const timer = setTimeout(show, SHOW_AFTER_MS);
  try {
    return await run((bytesRead) => {
      scan.read = bytesRead;
      row?.paint();
    });
  } finally {
    done = true;
    clearTimeout(timer);
    row?.hide();
  }
}
