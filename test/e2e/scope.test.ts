/**
 * Policy `scope` in real Chromium with the built extension, under managed policy.
 *
 * everywhere: a marked file is refused on a host no service lists (file input, a page script's fetch
 * with FormData, drop, the file input of a srcdoc frame); the same file reaches an `allow`ed host; a
 * sanctioned destination with requireEncryption warns about a marked file that is not encrypted (naming
 * the destination and how to encrypt; the event says so) and lets an encrypted one through unasked.
 *
 * listed: an unlisted host has no script at all (no page hooks, no isolated-world guard), and the
 * marked file leaves; then the admin switches to everywhere and the tab already open is guarded
 * without a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import {
  SAMPLES,
  arrivals,
  cancelWarning,
  clearAll,
  corpus,
  dismissWarning,
  dragFiles,
  launchWithExtension,
  pageLog,
  readWarning,
  sample,
  startSiteServer,
  waitForRegistration,
  WARNING_TAG,
  type Launched,
  type Sample,
  type SiteServer,
} from './support/index.js';
import { startFakeCollector, until, writeManagedPolicy, type FakeCollector } from './policy-harness.js';

const UNLISTED = 'uploads.unlisted-transfer.example';
const ALLOWED = 'files.acme.example';
const SANCTIONED = 'mail.acme.co.jp';
const HOSTS = [UNLISTED, ALLOWED, SANCTIONED];
const TOKEN = 'ugi_scope-e2e-token-0123456789abcdef';

let server: SiteServer;
const S = {
  nameMarked: SAMPLES.nameMarked(),
  contentDocx: SAMPLES.contentDocx(),
  clean: SAMPLES.cleanText(),
  // A password-protected ZIP (AES) named as confidential: encrypted, so a sanctioned mail host takes it.
  encrypted: sample('秘—送付資料.zip', corpus('送付資料_pw.zip')),
};

const asFile = (s: Sample) => ({ name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer });

/** What the extension put into the page: the MAIN-world hooks' marker, and fetch / XHR wrapped or not. */
function hookState(page: Page) {
  return page.evaluate(() => ({
    hooks: Object.getOwnPropertyDescriptor(window, '__uploadGuardHooks') !== undefined,
    nativeFetch: Function.prototype.toString.call(window.fetch).includes('[native code]'),
  }));
}

/** Whether the ISOLATED-world guard runs in the tab at `url` (asked from the background, which can see that world). */
function isolatedGuard(sw: Worker, url: string): Promise<boolean[]> {
  return sw.evaluate(async (u) => {
    const c = (globalThis as unknown as { chrome: typeof chrome }).chrome;
    const [tab] = await c.tabs.query({ url: u });
    const res = await c.scripting.executeScript({
      target: { tabId: tab!.id!, allFrames: true },
      // The guard's flag is a liveness check (a function), so a guard left by an old version says no.
      func: () => {
        const running = (globalThis as unknown as Record<string, unknown>).__uploadGuardRunning__;
        return typeof running === 'function' && running() === true;
      },
    });
    return res.map((r) => r.result === true);
  }, url);
}

/** A page script builds FormData with a File of its own and fetches it (no input, no event: only the hooks see it). */
function scriptUpload(page: Page, s: Sample): Promise<string> {
  return page.evaluate(
    async ({ b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const fd = new FormData();
      fd.append('file', new File([bytes], name));
      try {
        const r = await fetch('/upload?ch=script-fetch', { method: 'POST', body: fd });
        return `sent ${r.status}`;
      } catch (e) {
        return `refused ${String(e)}`;
      }
    },
    { b64: s.buffer.toString('base64'), name: s.name },
  );
}

async function expectBlocked(page: Page, host: string, act: () => Promise<unknown>, mention: string): Promise<void> {
  await clearAll(page, server);
  await act();
  const w = await readWarning(page);
  expect(w.action).toBe('block');
  expect(w.text).toContain(mention);
  await dismissWarning(page);
  await page.waitForTimeout(200);
  expect(server.received.filter((a) => a.host === host)).toEqual([]);
}

async function expectArrives(page: Page, host: string, channel: string, s: Sample, act: () => Promise<unknown>): Promise<void> {
  await clearAll(page, server);
  await act();
  const got = await arrivals(server, (a) => a.host === host && a.channel === channel && a.kind === 'file');
  expect(got.map((a) => [a.name, a.sha256])).toEqual([[s.name, s.sha256]]);
  expect(await page.locator(WARNING_TAG).count()).toBe(0);
}

beforeAll(async () => {
  server = await startSiteServer({ hosts: HOSTS });
});
afterAll(() => server?.close());

describe('scope: everywhere', () => {
  let browser: Launched;
  let collector: FakeCollector;
  const pages = new Map<string, Page>();
  const page = (host: string) => pages.get(host)!;

  beforeAll(async () => {
    collector = await startFakeCollector();
    browser = await launchWithExtension({
      lang: 'ja',
      hosts: HOSTS,
      policy: {
        scope: 'everywhere',
        allow: [ALLOWED],
        sanctioned: [{ host: SANCTIONED, requireEncryption: true, action: 'warn' }],
        collectorUrl: collector.url,
        ingestToken: TOKEN,
      },
    });
    const sw = browser.serviceWorker!;
    await until(async () => (await sw.evaluate(() => chrome.scripting.getRegisteredContentScripts()))[0]?.matches?.includes('https://*/*'), 'registration for every page');
    for (const host of HOSTS) {
      const p = await browser.context.newPage();
      await p.goto(server.url(host));
      pages.set(host, p);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it(`${UNLISTED} (no service lists it) carries the guard, in the page and in its frame`, async () => {
    expect(await hookState(page(UNLISTED))).toEqual({ hooks: true, nativeFetch: false });
    expect(await isolatedGuard(browser.serviceWorker!, `${server.url(UNLISTED)}*`)).toEqual(expect.arrayContaining([true]));
    expect((await isolatedGuard(browser.serviceWorker!, `${server.url(UNLISTED)}*`)).every(Boolean)).toBe(true);
  });

  it(`${UNLISTED}: a marked file is refused on every channel; a clean one arrives`, async () => {
    const p = page(UNLISTED);
    await p.bringToFront();
    await expectBlocked(p, UNLISTED, () => p.setInputFiles('#fetch-input', asFile(S.nameMarked)), S.nameMarked.name);
    await expectBlocked(p, UNLISTED, () => p.setInputFiles('#xhr-input', asFile(S.contentDocx)), S.contentDocx.name);
    await expectBlocked(p, UNLISTED, () => dragFiles(p, '#drop', [S.contentDocx.path]), S.contentDocx.name);
    await expectBlocked(p, UNLISTED, () => p.frameLocator('#frame').locator('#fi').setInputFiles(asFile(S.nameMarked)), S.nameMarked.name);
    expect((await pageLog(p)).filter((l) => l.ch === 'fetch-input' || l.ch === 'drop' || l.ch === 'iframe-input')).toEqual([]);

    // A page script's own fetch with FormData: the hooks hold it while the employee reads the warning,
    // then it fails; nothing arrives.
    await clearAll(p, server);
    const sent = scriptUpload(p, S.nameMarked);
    const w = await readWarning(p);
    expect(w.action).toBe('block');
    await dismissWarning(p);
    expect(await sent).toMatch(/^refused/);
    await p.waitForTimeout(200);
    expect(server.received.filter((a) => a.host === UNLISTED)).toEqual([]);

    await expectArrives(p, UNLISTED, 'fetch-input', S.clean, () => p.setInputFiles('#fetch-input', asFile(S.clean)));
    await expectArrives(p, UNLISTED, 'script-fetch', S.clean, () => scriptUpload(p, S.clean));
  });

  it(`${ALLOWED} (allow) is left alone: the same marked files arrive`, async () => {
    const p = page(ALLOWED);
    await p.bringToFront();
    expect(await hookState(p)).toEqual({ hooks: false, nativeFetch: true });
    await expectArrives(p, ALLOWED, 'fetch-input', S.nameMarked, () => p.setInputFiles('#fetch-input', asFile(S.nameMarked)));
    await expectArrives(p, ALLOWED, 'drop', S.contentDocx, () => dragFiles(p, '#drop', [S.contentDocx.path]));
    await expectArrives(p, ALLOWED, 'script-fetch', S.nameMarked, () => scriptUpload(p, S.nameMarked));
  });

  it(`${SANCTIONED} (requireEncryption): an unencrypted marked file is warned about, naming the destination and how to encrypt`, async () => {
    const p = page(SANCTIONED);
    await p.bringToFront();
    await clearAll(p, server);
    await p.setInputFiles('#fetch-input', asFile(S.nameMarked));
    const w = await readWarning(p);
    expect(w.action).toBe('warn');
    expect(w.text).toContain(SANCTIONED);
    expect(w.text).toContain('パスワード付き ZIP');
    expect(w.text).toContain('パスワードを使用して暗号化');
    await cancelWarning(p);
    await p.waitForTimeout(200);
    expect(server.received.filter((a) => a.host === SANCTIONED)).toEqual([]);
    // The decision is on record: a sanctioned destination, marked, warned, then cancelled.
    const events = await until(() => {
      const e = collector.events().filter((x) => x.service === 'sanctioned');
      return e.length >= 2 ? e : null;
    }, 'the sanctioned-destination events');
    expect(events.map((e) => [e.serviceName, e.category, e.verdict, e.fileName, e.action, e.outcome])).toEqual([
      [SANCTIONED, null, 'marked', S.nameMarked.name, 'warn', 'pending'],
      [SANCTIONED, null, 'marked', S.nameMarked.name, 'warn', 'cancelled'],
    ]);
  });

  it(`${SANCTIONED}: the same kind of file encrypted (password ZIP) goes through unasked; a clean one too`, async () => {
    const p = page(SANCTIONED);
    await expectArrives(p, SANCTIONED, 'fetch-input', S.encrypted, () => p.setInputFiles('#fetch-input', asFile(S.encrypted)));
    await expectArrives(p, SANCTIONED, 'drop', S.encrypted, () => dragFiles(p, '#drop', [S.encrypted.path]));
    await expectArrives(p, SANCTIONED, 'fetch-input', S.clean, () => p.setInputFiles('#fetch-input', asFile(S.clean)));
    const allowed = await until(() => collector.events().find((e) => e.service === 'sanctioned' && e.fileName === S.encrypted.name), 'the allowed event');
    expect(allowed).toMatchObject({ action: 'allow', outcome: 'allowed', verdict: 'marked' });
  });
});

describe('scope: listed (the default), then switched live', () => {
  let browser: Launched;
  let page: Page;

  beforeAll(async () => {
    browser = await launchWithExtension({ lang: 'ja', hosts: HOSTS, policy: { scope: 'listed', heartbeatMinutes: 60 } });
    page = await browser.context.newPage();
    await page.goto(server.url(UNLISTED));
  });
  afterAll(() => browser?.close());

  it(`${UNLISTED} gets no script at all, and the marked file leaves`, async () => {
    const scripts = await browser.serviceWorker!.evaluate(() => chrome.scripting.getRegisteredContentScripts());
    expect(scripts.flatMap((s) => s.matches ?? []).some((m) => m.includes(UNLISTED) || m === 'https://*/*' || m === '<all_urls>')).toBe(false);
    expect(await hookState(page)).toEqual({ hooks: false, nativeFetch: true });
    expect((await isolatedGuard(browser.serviceWorker!, `${server.url(UNLISTED)}*`)).some(Boolean)).toBe(false);
    await expectArrives(page, UNLISTED, 'fetch-input', S.nameMarked, () => page.setInputFiles('#fetch-input', asFile(S.nameMarked)));
  });

  it('switching to everywhere re-registers and guards the tab already open, without a reload', async () => {
    // The same file launchWithExtension wrote: Chromium notices the change within seconds.
    writeManagedPolicy(`upload-guard-e2e-${process.pid}`, { scope: 'everywhere', heartbeatMinutes: 60 });
    const sw = browser.serviceWorker!;
    await until(async () => (await sw.evaluate(() => chrome.scripting.getRegisteredContentScripts()))[0]?.matches?.includes('https://*/*'), 'everywhere registration', 60_000, 500);
    await waitForRegistration(sw);
    await until(async () => (await isolatedGuard(sw, `${server.url(UNLISTED)}*`)).every(Boolean), 'the guard in the open tab', 20_000, 300);
    await page.bringToFront();
    await expectBlocked(page, UNLISTED, () => page.setInputFiles('#fetch-input', asFile(S.nameMarked)), S.nameMarked.name);
    // A page opened now gets everything from the start, the page hooks included.
    const fresh = await browser.context.newPage();
    await fresh.goto(server.url(UNLISTED));
    expect(await hookState(fresh)).toEqual({ hooks: true, nativeFetch: false });
    await fresh.close();
  });
});
