/**
 * The warning over a page's modal <dialog> (red team web7): an upload dialog opened with showModal() is in
 * the browser's top layer and makes the rest of the document inert, so a warning raised from a file
 * picked there showed behind its backdrop and a click on its buttons landed on the page's dialog. The
 * warning then opens in a modal dialog of its own, above the page's: its button takes a real click, and
 * the page's dialog is still open (modal) once it closed. A warning with no modal dialog open is unchanged.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WARNING_TAG, clickInWarning, launchWithExtension, readWarning, type Launched } from './support/index.js';
import { startCompatServer, type CompatServer } from './compat/server.js';
import { GUARDED, POLICY } from './compat/targets.js';

const PAGE = '/modal-upload';
const HTML = `<!doctype html><meta charset="utf-8"><title>upload</title><body>
<dialog id="d"><p>添付ファイル</p><input id="f" type="file"></dialog>
<script>
const d = document.getElementById('d');
document.getElementById('f').addEventListener('change', (e) => {
  const fd = new FormData();
  fd.append('file', e.target.files[0]);
  fetch('/upload?ch=modal', { method: 'POST', body: fd });
});
window.openDialog = () => d.showModal();
</script></body>`;

let server: CompatServer;
let browser: Launched;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'ug-modal-'));

beforeAll(async () => {
  process.env.LC_ALL = 'C.UTF-8';
  server = await startCompatServer(GUARDED);
  server.assets.set(PAGE, { type: 'text/html; charset=utf-8', body: Buffer.from(HTML) });
  browser = await launchWithExtension({ policy: POLICY, hosts: GUARDED, lang: 'ja' });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Where a real click at the middle of the warning's close button lands, and whether the warning then closed. */
it.each([
  ['in a modal dialog', true],
  ['with no dialog open', false],
])('a marked file picked %s: the warning is on top and its button takes a click', async (_name, modal) => {
  await page.goto(server.url(GUARDED[0], PAGE));
  if (modal) await page.evaluate(() => (window as unknown as { openDialog(): void }).openDialog());
  const path = join(mkdtempSync(join(dir, 'p-')), `報告書_${modal ? 'm' : 'n'}.txt`);
  writeFileSync(path, '設計レビュー\n秘 Confidential\n以上\n');
  await page.setInputFiles('#f', path);
  await readWarning(page, 15_000, false);
  await clickInWarning(page, '閉じる');
  await page.locator(WARNING_TAG).waitFor({ state: 'detached', timeout: 3_000 });
  // The page's own dialog is as the page left it.
  expect(await page.evaluate(() => document.getElementById('d')!.matches(':modal'))).toBe(modal);
  expect(server.received.some((a) => a.name?.startsWith('報告書_'))).toBe(false);
});
