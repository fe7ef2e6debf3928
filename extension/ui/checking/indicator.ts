/**
 * "Checking…": a small, non-modal indicator for scans that take a while. It appears only after
 * SHOW_AFTER_MS (most files are judged sooner, and a flash would only distract), names each file with
 * its progress (bytes read / total, or the size alone while the scan does not report progress), and
 * goes away the moment the verdict is in. It never takes focus and never catches a click: the page
 * stays usable while a large file is read.
 *
 * The scan is fed in through `watchScan(name, total, run)`: `run` gets an `onProgress(bytesRead)` to
 * hand to a scan that reports progress.
 */
import { hostDocument } from '../common/host.js';

/**
 * The extension's own translations, straight from the i18n API (Chrome and Firefox both have
 * `chrome.i18n` in content scripts): the indicator ships in the small script every frame carries, so
 * it pulls in no polyfill and no dialog code.
 */
function t(key: string, subs?: string | string[]): string {
  const i18n = (globalThis as unknown as { chrome?: { i18n?: { getMessage(k: string, s?: string | string[]): string } } }).chrome?.i18n;
  return i18n?.getMessage(key, subs) || key;
}

/** A little under 300 ms, so that every scan longer than 300 ms has the indicator on screen by 400 ms. */
export const SHOW_AFTER_MS = 250;
/** The host element's tag (its content lives in a closed shadow root). */
export const CHECKING_TAG = 'upload-guard-checking';

interface Row {
  /** null: data the page built itself (no file name to show). */
  name: string | null;
  total: number;
  read: number | null;
  el: HTMLElement | null;
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

export async function watchScan<T>(name: string | null, total: number, run: (onProgress: (bytesRead: number) => void) => Promise<T>): Promise<T> {
  const row: Row = { name, total, read: null, el: null };
  const timer = setTimeout(() => show(row), SHOW_AFTER_MS);
  try {
    return await run((bytesRead) => {
      row.read = bytesRead;
      if (row.el) paint(row);
    });
  } finally {
    clearTimeout(timer);
    hide(row);
  }
}

function show(row: Row): void {
  rows.add(row);
  if (!host || !host.isConnected) mount();
  row.el = document.createElement('div');
  row.el.className = 'row';
  list!.appendChild(row.el);
  paint(row);
}

function hide(row: Row): void {
  if (!rows.delete(row)) return;
  row.el?.remove();
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

function paint(row: Row): void {
  const el = row.el!;
  const title = document.createElement('span');
  title.className = 'name';
  title.textContent = row.name === null ? t('checking_data') : t('checking_file', row.name);
  title.title = row.name ?? '';
  const bar = document.createElement('progress');
  bar.max = Math.max(row.total, 1);
  if (row.read !== null) bar.value = Math.min(row.read, row.total);
  const bytes = document.createElement('span');
  bytes.className = 'bytes';
  bytes.textContent = row.read === null ? t('checking_size', size(row.total)) : t('checking_progress', [size(row.read), size(row.total)]);
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
