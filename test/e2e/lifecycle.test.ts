/**
 * The extension is updated (here: reloaded from its unpacked directory, which Chromium handles like an
 * update) while a guarded tab is open. The old guard stays in the tab with its runtime cut off; the new
 * one is injected by the background's sweep. The tab must stay guarded without a reload — one dialog
 * for a marked file, never two — and clean uploads must keep arriving (the page hooks, which were
 * installed by the old version, ask the new guard from then on).
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES, WARNING_TAG, arrivals, dismissWarning, launchWithExtension, readWarning, startSiteServer, waitForRegistration, type Launched, type SiteServer } from './support/index.js';

const HOST = 'mail.google.com';

let server: SiteServer;
let browser: Launched;

beforeAll(async () => {
  server = await startSiteServer({ hosts: [HOST] });
  browser = await launchWithExtension({ hosts: [HOST], lang: 'ja' });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const pick = (page: Page, s: { name: string; buffer: Buffer }) => page.setInputFiles('#xhr-input', { name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer });

async function loadMark(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as { __loadMark?: number };
    w.__loadMark ??= Math.random();
    return w.__loadMark;
  });
}

/** The marked file is refused with exactly one dialog, and nothing arrives. */
async function refusedOnce(page: Page, s: { name: string; buffer: Buffer }): Promise<void> {
  server.clear();
  await pick(page, s);
  expect((await readWarning(page)).action).toBe('block');
  await page.waitForTimeout(1000);
  expect(await page.locator(WARNING_TAG).count(), `${s.name}: one dialog`).toBe(1);
  await dismissWarning(page);
  expect(await arrivals(server, (a) => a.name === s.name, 1, 1500)).toEqual([]);
}

// NOT DONE: the harness does not see the reloaded extension's service worker yet (waitForEvent
// 'serviceworker' times out after chrome.runtime.reload() under --load-extension; opening
// chrome-extension://ID/extension/ui/options/index.html and polling getRegisteredContentScripts() from
// there did not find the guard registered within 30 s either), so the product path (orphaned guard
// retires, hands the hooks' line over) is not shown working here. Skipped, visibly. Next to try: the
// real update path, a policy-installed CRX updated from the local update server (policy-live.test.ts).
describe('an extension update while a guarded tab is open', () => {
  it.skip('the old guard retires, the new one takes over: one dialog, clean uploads arrive, no reload', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(HOST));
    const mark = await loadMark(page);
    await refusedOnce(page, SAMPLES.nameMarked());

    const old = browser.serviceWorker!;
    const next = browser.context.waitForEvent('serviceworker', { timeout: 30_000 });
    await old.evaluate(() => (globalThis as unknown as { chrome: typeof chrome }).chrome.runtime.reload()).catch(() => undefined);
    const sw: Worker = await next;
    await waitForRegistration(sw);
    // The new background sweeps the open tabs once it has started.
    await expect
      .poll(() => sw.evaluate(async () => (await (globalThis as unknown as { chrome: typeof chrome }).chrome.storage.session.get('openTabsSwept')).openTabsSwept === true), { timeout: 20_000 })
      .toBe(true);

    await refusedOnce(page, SAMPLES.nameMarked());
    await refusedOnce(page, SAMPLES.contentDocx());
    const clean = SAMPLES.cleanText();
    server.clear();
    await pick(page, clean);
    expect((await arrivals(server, (a) => a.name === clean.name)).map((a) => a.sha256)).toEqual([clean.sha256]);
    expect(await page.locator(WARNING_TAG).count()).toBe(0);
    expect(await loadMark(page)).toBe(mark);
  });
});
