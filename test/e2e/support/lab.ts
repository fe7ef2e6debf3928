/**
 * Driving the lab page (pages/lab.html) the way a person would: real file choosers, real drag-and-drop
 * (CDP Input.dispatchDragEvent with files on disk), the real clipboard and keyboard.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { corpus } from './corpus.js';
import type { Arrival, SiteServer } from './site-server.js';

/** The lab page opened once per host in one browser, keyed by host: what the channel suites share. */
export async function openLabPages(context: BrowserContext, server: SiteServer, hosts: readonly string[]): Promise<Map<string, Page>> {
  const pages = new Map<string, Page>();
  for (const host of hosts) {
    const page = await context.newPage();
    await page.goto(server.url(host));
    pages.set(host, page);
  }
  return pages;
}

export interface Sample {
  name: string;
  buffer: Buffer;
  sha256: string;
  /** The same bytes on disk (for drag-and-drop). */
  path: string;
}

const dir = mkdtempSync(join(tmpdir(), 'ug-samples-'));
export function sample(name: string, buffer: Buffer): Sample {
  const sub = mkdtempSync(join(dir, 's-'));
  const path = join(sub, name);
  writeFileSync(path, buffer);
  return { name, buffer, sha256: createHash('sha256').update(buffer).digest('hex'), path };
}

/** The fixed cast: clean files, a file marked by name, files marked only by content (DOCX, PDF). */
export const SAMPLES = {
  cleanText: () => sample('議事録メモ.txt', Buffer.from('来週の定例は水曜 10 時から。資料は各自で準備。\n'.repeat(50))),
  // A real clean DOCX (the NDA template trap: 秘密保持契約書 is not the stamp).
  cleanDocx: () => sample('秘密保持契約書_雛形.docx', corpus('秘密保持契約書_雛形.docx')),
  // Clean bytes, but the name breaks rule 2: refused without reading the content.
  nameMarked: () => sample('秘—設計書.docx', corpus('秘密保持契約書_雛形.docx')),
  contentDocx: () => sample('weekly-sync-notes.docx', corpus('weekly-sync-notes.docx')),
  contentPdf: () => sample('部品カタログ_印刷版.pdf', corpus('部品カタログ_印刷版.pdf')),
};
export const MARKED_TEXT = '来期の価格表です。秘 Confidential 取扱注意';
export const MARKED_TEXT_2 = '設計レビュー結果\n秘\nCONFIDENTIAL\n以上';
export const CLEAN_TEXT = '来週の打合せは 3 階の会議室で行います。秘書室にも連絡済みです。';

export async function clearAll(page: Page, server: SiteServer): Promise<void> {
  server.clear();
  await page.evaluate(() => ((window as unknown as { __log: unknown[] }).__log.length = 0));
}

export async function pageLog(page: Page): Promise<{ ch: string; names?: string[]; text?: string }[]> {
  return page.evaluate(() => (window as unknown as { __log: { ch: string }[] }).__log);
}

/** Waits until `n` arrivals match (or the timeout), then returns them all. */
export async function arrivals(
  server: SiteServer,
  match: (a: Arrival) => boolean,
  n = 1,
  timeoutMs = 8_000,
): Promise<Arrival[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const hits = server.received.filter(match);
    if (hits.length >= n || Date.now() > until) return hits;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real drag of files from disk onto `selector`. */
export async function dragFiles(page: Page, selector: string, paths: string[]): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} not visible`);
  const cdp = await page.context().newCDPSession(page);
  try {
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  } finally {
    await cdp.detach();
  }
}

/** Real clipboard paste of text into `selector` (needs clipboard permissions on the context). */
export async function pasteText(page: Page, selector: string, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.click(selector);
  await page.keyboard.press('Control+V');
}

/** Paste of files: the clipboard API cannot carry files in headless Chromium, so the page dispatches it. */
export async function pasteFiles(page: Page, selector: string, s: Sample): Promise<void> {
  await page.evaluate(
    ({ selector, b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { lastModified: 1700000000000 }));
      document.querySelector(selector)!.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true, composed: true }),
      );
    },
    { selector, b64: s.buffer.toString('base64'), name: s.name },
  );
}
