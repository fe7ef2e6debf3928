/**
 * "Checking…": a small, non-modal indicator for scans that take a while. It appears only after
 * SHOW_AFTER_MS (most files are judged sooner, and a flash would only distract), names each file with
 * its progress (bytes read / total, or the size alone while the scan does not report progress), and
 * goes away the moment the verdict is in. It never takes focus and never catches a click: the page
 * stays usable while a large file is read.
 *
 * Drawn by the dialog bundle (loaded on first use, see extension/shared/lazy-ui.ts): the timing, which
 * every scan needs, is extension/content/checking.ts in the script every frame carries.
 */
import type { CheckingRow, CheckingScan } from '../../shared/lazy-ui.js';
import { hostDocument } from '../common/host.js';

/** The extension's own translations, straight from the i18n API (no polyfill needed for this). */
function t(key: string, subs?: string | string[]): string {
  const i18n = (globalThis as unknown as { chrome?: { i18n?: { getMessage(k: string, s?: string | string[]): string } } }).chrome?.i18n;
  return i18n?.getMessage(key, subs) || key;
}

/** The host element's tag (its content lives in a closed shadow root). */
export const CHECKING_TAG = 'upload-guard-checking';

interface Row {
  scan: CheckingScan;
  el: HTMLElement;
}

const rows = new Set<Row>();
let host: HTMLElement | null = null;
let list: HTMLElement | null = null;

const CSS = `
:host { all: initial; }
.box { position: fixed; right: 16px; bottom: 16px; z-index: 2147483646; pointer-events: none; max-width: 360px;
  background: #fff; color: #1a1a1a; border: 1px solid #c7ccd6; border-left: 4px solid #0b57d0; border-radius: 8px;
  box-shadow: 0 4px 16px rgba(0,0,0,.18); padding: 8px 12px;
  font: 13px/1.5 system-ui, "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic UI", Meiryo, sans-serif; }
.row + .row { margin-top: 6px; }
.name { display: block; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
progress { display: block; width: 100%; height: 6px; margin: 2px 0; }
.bytes { color: #555; font-size: 12px; }
`;

/** Puts one scan on screen; the caller repaints it as bytes are read and hides it when the verdict is in. */
export function showChecking(scan: CheckingScan): CheckingRow {
  if (!host || !host.isConnected) mount();
  const row: Row = { scan, el: document.createElement('div') };
  rows.add(row);
  row.el.className = 'row';
  list!.appendChild(row.el);
  paint(row);
  return { paint: () => paint(row), hide: () => hide(row) };
}

function hide(row: Row): void {
  if (!rows.delete(row)) return;
  row.el.remove();
  if (rows.size === 0) {
    host?.remove();
    host = list = null;
  }
}

function mount(): void {
  const doc = hostDocument();
  host = doc.createElement(CHECKING_TAG);
  const root = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = CSS;
  list = doc.createElement('div');
  list.className = 'box';
  // A status, not an alert: read out politely, and nothing in it can take focus.
  list.setAttribute('role', 'status');
  list.setAttribute('aria-live', 'polite');
  root.append(style, list);
  (doc.body ?? doc.documentElement).appendChild(host);
}

function paint({ scan, el }: Row): void {
  const title = document.createElement('span');
  title.className = 'name';
  title.textContent = scan.name === null ? t('checking_data') : t('checking_file', scan.name);
  title.title = scan.name ?? '';
  const bar = document.createElement('progress');
  bar.max = Math.max(scan.total, 1);
  if (scan.read !== null) bar.value = Math.min(scan.read, scan.total);
  const bytes = document.createElement('span');
  bytes.className = 'bytes';
  bytes.textContent = scan.read === null ? t('checking_size', size(scan.total)) : t('checking_progress', [size(scan.read), size(scan.total)]);
  el.replaceChildren(title, bar, bytes);
}

/** 1.5 MB, 230 MB, 2.1 GB (decimal units, as file managers show them). */
export function size(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
