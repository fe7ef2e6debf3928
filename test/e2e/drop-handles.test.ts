/**
 * Clean drops work as without the extension, marked ones are stopped, judged by what reaches the
 * server: a folder dropped onto a page that walks it with the entries API (webkitGetAsEntry), and
 * files dropped onto a page that reads them through DataTransferItem.getAsFileSystemHandle(). The
 * drop is real (CDP Input.dispatchDragEvent with files and folders on disk), on a guarded host and on
 * a control host where everything must arrive.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEAN_TEXT, SAMPLES, arrivals, corpus, launchWithExtension, startSiteServer, type Launched, type SiteServer } from './support/index.js';

const GUARDED = 'drive.google.com';
const CONTROL = 'example.org';

/** Drop zones the way real pages read drops: a folder walk through entries, and file-system handles. */
const DROP_PAGE = `<!doctype html><meta charset="utf-8">
<div id="entries" style="width:300px;height:120px;border:1px solid">entries</div>
<div id="handles" style="width:300px;height:120px;border:1px solid">handles</div>
<script>
window.__errors = [];
const send = (ch, file, name) => { const fd = new FormData(); fd.append('file', file, name); return fetch('/upload?ch=' + ch, { method: 'POST', body: fd }); };
for (const id of ['entries', 'handles']) document.getElementById(id).addEventListener('dragover', (e) => e.preventDefault());
const readAll = (dir) => new Promise((res, rej) => { const r = dir.createReader(); const out = []; const next = () => r.readEntries((b) => (b.length ? (out.push(...b), next()) : res(out)), rej); next(); });
const walk = async (en, out) => {
  if (en.isFile) out.push({ file: await new Promise((res, rej) => en.file(res, rej)), path: en.fullPath.slice(1) });
  else for (const c of await readAll(en)) await walk(c, out);
};
document.getElementById('entries').addEventListener('drop', async (e) => {
  e.preventDefault();
  const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry());
  try {
    const out = [];
    for (const en of entries) await walk(en, out);
    for (const { file, path } of out) await send('entries', file, path);
  } catch (err) { window.__errors.push('entries: ' + err); }
});
document.getElementById('handles').addEventListener('drop', async (e) => {
  e.preventDefault();
  const handles = await Promise.all([...e.dataTransfer.items].map((i) => i.getAsFileSystemHandle()));
  try {
    for (const h of handles) {
      if (h.kind === 'file') await send('handles', await h.getFile(), h.name);
      else for await (const c of h.values()) if (c.kind === 'file') await send('handles', await c.getFile(), h.name + '/' + c.name);
    }
  } catch (err) { window.__errors.push('handles: ' + err); }
});
</script>`;

let server: SiteServer;
let browser: Launched;

beforeAll(async () => {
  server = await startSiteServer({ hosts: [GUARDED, CONTROL], pages: { '/drops': DROP_PAGE } });
  browser = await launchWithExtension({ hosts: [GUARDED, CONTROL], lang: 'ja' });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function drop(page: Page, selector: string, paths: string[]): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, x: box.x + box.width / 2, y: box.y + box.height / 2, data });
  }
  await cdp.detach();
}

function folders(): { clean: string; dirty: string } {
  const root = mkdtempSync(join(tmpdir(), 'ug-drop-'));
  const clean = join(root, '案件資料');
  const dirty = join(root, '提出物');
  mkdirSync(join(clean, '議事録'), { recursive: true });
  mkdirSync(dirty, { recursive: true });
  writeFileSync(join(clean, 'メモ.txt'), CLEAN_TEXT);
  writeFileSync(join(clean, '議事録', '第1回.docx'), SAMPLES.cleanDocx().buffer);
  writeFileSync(join(dirty, 'メモ.txt'), CLEAN_TEXT);
  writeFileSync(join(dirty, 'weekly-sync-notes.docx'), corpus('weekly-sync-notes.docx'));
  return { clean, dirty };
}

const errors = (page: Page) => page.evaluate(() => (window as unknown as { __errors: string[] }).__errors);
const dismiss = (page: Page) => page.keyboard.press('Escape').catch(() => undefined);

describe.each([
  [GUARDED, false],
  [CONTROL, true],
])('drops on %s (marked arrives = %s)', (host, markedArrives) => {
  it('a folder walked through webkitGetAsEntry(): the clean folder arrives whole', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, '/drops'));
    const { clean, dirty } = folders();
    server.clear();
    await drop(page, '#entries', [clean]);
    const got = await arrivals(server, (a) => a.channel === 'entries', 2);
    expect(got.map((a) => a.name).sort()).toEqual(['案件資料/メモ.txt', '案件資料/議事録/第1回.docx']);
    expect(await errors(page)).toEqual([]);

    server.clear();
    await drop(page, '#entries', [dirty]);
    const seen = await arrivals(server, (a) => a.channel === 'entries' && a.name === '提出物/weekly-sync-notes.docx', 1, markedArrives ? 8000 : 3000);
    expect(seen.length).toBe(markedArrives ? 1 : 0);
    await dismiss(page);
    await page.close();
  });

  it('files read through getAsFileSystemHandle(): clean arrives, marked does not', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, '/drops'));
    const clean = SAMPLES.cleanText();
    server.clear();
    await drop(page, '#handles', [clean.path]);
    expect((await arrivals(server, (a) => a.channel === 'handles', 1)).map((a) => a.sha256)).toEqual([clean.sha256]);
    expect(await errors(page)).toEqual([]);

    for (const marked of [SAMPLES.nameMarked(), SAMPLES.contentPdf()]) {
      server.clear();
      await drop(page, '#handles', [marked.path]);
      const seen = await arrivals(server, (a) => a.channel === 'handles', 1, markedArrives ? 8000 : 3000);
      expect(seen.some((a) => a.sha256 === marked.sha256), marked.name).toBe(markedArrives);
      await dismiss(page);
    }
    await page.close();
  });
});
