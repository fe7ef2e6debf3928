/**
 * `warn` set by managed policy (/etc/chromium/policies/managed, written before launch): the dialog
 * (Japanese UI) asks for a justification; Continue delivers the held file / prompt unchanged, Cancel
 * drops it. The dialog is keyboard-only operable (focus trapped inside, Esc cancels). And a site that
 * is not on the list (example.org) is untouched: no hooks, nothing held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  GUARDED_HOSTS,
  MARKED_TEXT,
  SAMPLES,
  UNGUARDED_HOST,
  WARNING_TAG,
  arrivals,
  cancelWarning,
  clearAll,
  continueWithJustification,
  launchWithExtension,
  pageLog,
  readWarning,
  startSiteServer,
  type Launched,
  type SiteServer,
} from './support/index.js';

const GUIDANCE_JA = '社外への送付は社内ファイル転送サービスを使ってください。';
const LINK = 'https://transfer.example.co.jp/';

let server: SiteServer;
let browser: Launched;
const S = { nameMarked: SAMPLES.nameMarked(), contentDocx: SAMPLES.contentDocx(), contentPdf: SAMPLES.contentPdf() };

beforeAll(async () => {
  server = await startSiteServer({ hosts: [...GUARDED_HOSTS, UNGUARDED_HOST] });
  const warn = { marked: 'warn' };
  browser = await launchWithExtension({
    lang: 'ja',
    policy: {
      actions: { webmail: warn, sharing: warn, genai: warn },
      messages: { ja: GUIDANCE_JA, en: 'Use the company transfer service.', link: LINK },
    },
  });
  // The first storage.managed read can take seconds: wait until the background applies the policy.
  const sw = browser.serviceWorker!;
  for (let i = 0; i < 100; i++) {
    const n = await sw.evaluate(async () => Object.keys(await chrome.storage.managed.get(null)).length);
    if (n > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each(GUARDED_HOSTS)('%s (policy: marked → warn)', (host) => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.context.newPage();
    await page.goto(server.url(host));
  });
  afterAll(() => page.close());

  it('file: the Japanese dialog explains; justify → Continue delivers it unchanged; Cancel drops it', async () => {
    const file = (s: typeof S.nameMarked) => ({ name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer });
    await clearAll(page, server);
    await page.setInputFiles('#fetch-input', file(S.nameMarked));
    const w = await readWarning(page);
    expect(w.action).toBe('warn');
    expect(w.role).toBe('alertdialog');
    expect(w.text).toContain('ファイル名が「秘—」で始まっています');
    expect(w.text).toContain(GUIDANCE_JA);
    expect(w.buttons).toEqual(['理由を記録して送信する', '送信しない', '判定の確認を依頼する']);
    // Focus stays inside the dialog however often Tab is pressed.
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.localName)).toBe(WARNING_TAG);
    }
    await cancelWarning(page); // Esc
    await page.waitForTimeout(150);
    expect(server.received.filter((a) => a.host === host)).toEqual([]);
    expect((await pageLog(page)).filter((l) => l.ch === 'fetch-input')).toEqual([]);

    for (const s of [S.contentPdf, S.nameMarked]) {
      await clearAll(page, server);
      await page.setInputFiles('#fetch-input', file(s));
      const w2 = await readWarning(page);
      if (s === S.contentPdf) expect(w2.text).toContain('1ページ目に「秘 Confidential」の表示があります');
      await continueWithJustification(page, '取引先との契約に基づく送付(部長承認済み)');
      const got = await arrivals(server, (a) => a.host === host && a.channel === 'fetch-input');
      expect(got.map((a) => [a.name, a.sha256])).toEqual([[s.name, s.sha256]]);
      expect((await pageLog(page)).filter((l) => l.ch === 'fetch-input').map((l) => l.names)).toEqual([[s.name]]);
    }
  });

  it('prompt: justify → the held Enter sends the prompt, and the request is not asked about twice', async () => {
    await clearAll(page, server);
    await page.fill('#prompt', MARKED_TEXT);
    await page.press('#prompt', 'Enter');
    expect((await readWarning(page)).action).toBe('warn');
    await continueWithJustification(page, '社内の検証用環境への送信');
    const got = await arrivals(server, (a) => a.host === host && a.channel === 'prompt');
    expect(got.map((a) => JSON.parse(a.text!).messages[0].content.parts[0])).toEqual([MARKED_TEXT]);
    expect(await page.locator(WARNING_TAG).count()).toBe(0);
  });
});

describe(`${GUARDED_HOSTS[0]}: a file the page sends in two forms at once (policy: marked → warn)`, () => {
  it('one dialog: the reason given for the file covers its content decoded from the data: URL in the same body, and it arrives', async () => {
    const host = GUARDED_HOSTS[0];
    const page = await browser.context.newPage();
    await page.goto(server.url(host));
    await clearAll(page, server);
    type Lab = { file(b64: string, name: string): File };
    // Read into a data: URL and posted in JSON: the guard judges the File (the text was read out of it)
    // and the document decoded from the text, two questions about one thing.
    const sent = page.evaluate(async ([d, n]) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL((window as unknown as { lab: Lab }).lab.file(d, n));
      await read;
      const body = JSON.stringify({ attachments: [{ name: n, data: reader.result }] });
      return fetch('/backend-api/files?ch=data-url', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.ok);
    }, [S.contentPdf.buffer.toString('base64'), S.contentPdf.name]);
    expect((await readWarning(page)).action).toBe('warn');
    await continueWithJustification(page, '取引先との契約に基づく送付(部長承認済み)');
    await page.waitForTimeout(500); // a second dialog, for the decoded copy, opened right after the first closed
    expect(await page.locator(WARNING_TAG).count()).toBe(0);
    expect(await sent).toBe(true);
    const got = await arrivals(server, (a) => a.host === host);
    expect(got.map((a) => (JSON.parse(a.text!) as { attachments: { name: string }[] }).attachments[0].name)).toEqual([S.contentPdf.name]);
    await page.close();
  });
});

describe(`${UNGUARDED_HOST} (not on the list)`, () => {
  it('is untouched: no hooks, no guard, a marked file goes through', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(UNGUARDED_HOST));
    expect(
      await page.evaluate(() => ({
        hooks: Object.getOwnPropertyDescriptor(window, '__uploadGuardHooks') !== undefined,
        fetch: Function.prototype.toString.call(window.fetch).includes('[native code]'),
        send: Function.prototype.toString.call(XMLHttpRequest.prototype.send).includes('[native code]'),
      })),
    ).toEqual({ hooks: false, fetch: true, send: true });
    await clearAll(page, server);
    await page.setInputFiles('#fetch-input', { name: S.contentDocx.name, mimeType: 'application/octet-stream', buffer: S.contentDocx.buffer });
    const got = await arrivals(server, (a) => a.host === UNGUARDED_HOST);
    expect(got.map((a) => a.sha256)).toEqual([S.contentDocx.sha256]);
    expect(await page.locator(WARNING_TAG).count()).toBe(0);
    await page.close();
  });
});
