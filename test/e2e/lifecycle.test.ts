/**
 * The extension is updated while a guarded tab is open, the way a fleet gets an update: Chromium runs
 * it force-installed by policy from a CRX on a (local) update server, the server starts offering a
 * higher version, Chromium fetches and installs it while the tab stays open. The old guard stays in the
 * tab with its runtime cut off; the new one is injected by the new background's sweep. The tab must
 * stay guarded without a reload — one dialog for a marked file, never two — and clean uploads must keep
 * arriving (the page hooks, which were installed by the old version, ask the new guard from then on).
 *
 * Both CRXs are signed here with a throwaway key from the one build in dist/ (only the manifest's
 * version differs), so the update is a real one: Chromium's own updater, its own install, the same ID.
 * Chromium only checks for updates with background networking on (Playwright turns it off by default),
 * and refuses DevTools on policy-installed extensions' pages unless DeveloperToolsAvailability allows it
 * (test-only: the tests read the extension's session storage from its popup page).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipDirectory } from '../../src/package/archive.js';
import { packCrx3, signingKeyFromPem } from '../../src/package/crx3.js';
import { chromeUpdateXml } from '../../src/package/update-manifest.js';
import { until } from './policy-harness.js';
import { DIST, SAMPLES, WARNING_TAG, arrivals, chromiumArgs, dismissWarning, readWarning, startSiteServer, type SiteServer } from './support/index.js';

const HOST = 'mail.google.com';
/** How often Chromium's extension updater checks here (seconds). */
const UPDATE_EVERY_S = 5;
const POLICY_FILE = '/etc/chromium/policies/managed/upload-guard-lifecycle-e2e.json';

const work = mkdtempSync(join(tmpdir(), 'ug-lifecycle-'));
const key = signingKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8')) as Record<string, unknown> & { version: string };
const OLD = manifest.version;
/** One more in the last place Chromium compares (at most four numbers). */
const NEW = (() => {
  const parts = OLD.split('.').map(Number);
  if (parts.length < 4) parts.push(1);
  else parts[3]! += 1;
  return parts.join('.');
})();

function crx(version: string): Uint8Array {
  const m = { ...manifest, version, key: Buffer.from(key.publicKeyDer).toString('base64') };
  return packCrx3(zipDirectory(DIST, { 'manifest.json': new TextEncoder().encode(JSON.stringify(m, null, 2)) }), key);
}

/** The update server: offers `offered`, serves both CRXs, and records what Chromium asked for. */
interface UpdateServer {
  url: string;
  offered: string;
  asked: string[];
  close(): Promise<void>;
}

async function startUpdateServer(): Promise<UpdateServer> {
  const files: Record<string, Uint8Array> = { [`/ug-${OLD}.crx`]: crx(OLD), [`/ug-${NEW}.crx`]: crx(NEW) };
  const s: UpdateServer = { url: '', offered: OLD, asked: [], close: () => new Promise((r) => server.close(() => r())) };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    s.asked.push(path);
    if (path === '/updates.xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(chromeUpdateXml({ appId: key.extensionId, version: s.offered, codebase: `${s.url}/ug-${s.offered}.crx` }));
    } else if (files[path]) {
      res.writeHead(200, { 'content-type': 'application/x-chrome-extension' });
      res.end(files[path]);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

let updates: UpdateServer;
let site: SiteServer;
let context: BrowserContext;

/** The installed version, as chrome://extensions-internals reports it (null: not installed yet). */
async function installed(): Promise<{ version: string; location: string } | null> {
  const p = await context.newPage();
  try {
    await p.goto('chrome://extensions-internals');
    const text = await p.innerText('body');
    const list = JSON.parse(text.slice(text.indexOf('['))) as { id: string; location: string; version: string }[];
    return list.find((e) => e.id === key.extensionId) ?? null;
  } finally {
    await p.close();
  }
}

/** Runs `fn` in a fresh page of the extension (the popup), which talks to the running version. */
async function inExtension<T>(fn: () => Promise<T>): Promise<T> {
  const p = await context.newPage();
  try {
    await p.goto(`chrome-extension://${key.extensionId}/extension/ui/popup/index.html`);
    return await p.evaluate(fn);
  } finally {
    await p.close().catch(() => undefined);
  }
}

beforeAll(async () => {
  updates = await startUpdateServer();
  mkdirSync('/etc/chromium/policies/managed', { recursive: true });
  writeFileSync(
    POLICY_FILE,
    JSON.stringify({
      // As `upload-guard policy files` writes it (src/deploy/chrome.ts): without override_update_url
      // Chromium looks for updates of an installed CRX at its manifest's update_url, which ours has not.
      ExtensionSettings: {
        [key.extensionId]: { installation_mode: 'force_installed', update_url: `${updates.url}/updates.xml`, override_update_url: true },
      },
      DeveloperToolsAvailability: 1,
    }),
  );
  process.once('exit', () => rmSync(POLICY_FILE, { force: true }));
  site = await startSiteServer({ hosts: [HOST] });
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    locale: 'ja',
    env: { ...process.env, LC_ALL: 'C.UTF-8', LANGUAGE: 'ja_JP' },
    ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking'],
    args: [
      ...chromiumArgs({ extension: false, hosts: [HOST], ignoreCertificates: true, lang: 'ja' }).filter((a) => a !== '--disable-background-networking'),
      // Chromium's updater checks every few hours; here every few seconds, besides the requestUpdateCheck() below.
      `--extensions-update-frequency=${UPDATE_EVERY_S}`,
    ],
  });
});

afterAll(async () => {
  rmSync(POLICY_FILE, { force: true });
  await context?.close();
  await site?.close();
  await updates?.close();
  rmSync(work, { recursive: true, force: true });
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
  site.clear();
  await pick(page, s);
  expect((await readWarning(page, 30_000)).action, s.name).toBe('block');
  await page.waitForTimeout(1000);
  expect(await page.locator(WARNING_TAG).count(), `${s.name}: one dialog`).toBe(1);
  await dismissWarning(page);
  expect(await arrivals(site, (a) => a.name === s.name, 1, 1500)).toEqual([]);
}

async function cleanArrives(page: Page): Promise<void> {
  const clean = SAMPLES.cleanText();
  site.clear();
  await pick(page, clean);
  expect((await arrivals(site, (a) => a.name === clean.name, 1, 15_000)).map((a) => a.sha256)).toEqual([clean.sha256]);
  expect(await page.locator(WARNING_TAG).count()).toBe(0);
}

// NOT DONE (the update is not shown applying while the tab is open, so the product path, the orphaned
// guard retiring and handing the hooks' line to the new one, is not shown either). What was tried:
// 1. chrome.runtime.reload() under --load-extension: the harness never saw the new service worker.
// 2. This file: the CRX force-installed by policy from the local update server above (passes: the
//    first test), then the server offers OLD+1. With override_update_url (as `upload-guard policy files`
//    writes it; without it Chromium never asked the server again), requestUpdateCheck() answers
//    update_available and Chromium downloads /ug-NEW.crx, but in 150 s it does not install it:
//    chrome://extensions-internals keeps the old version. Chromium holds an update back while the old
//    version of an MV3 extension is not idle (UpdateInstallGate → util::IsExtensionIdle: any frame of the
//    extension, such as the tab's scan frame, or a live extension process). Removing the scan frame
//    from the page first did not release it; the remaining suspects are the service worker kept alive by
//    Playwright's DevTools attachment and the popup pages this test opens. So in the field an update
//    waits until the extension is idle (or the browser restarts), and whether it then lands under an
//    open, already-guarded tab is not shown here. The two tests below stay skipped, visibly.
describe('an extension update while a guarded tab is open', () => {
  let page: Page;
  /** Set in the tab before the update: the same value after it means the tab was never reloaded. */
  let mark: number;

  it('the first version is force-installed from the update server and guards the tab', async () => {
    const entry = await until(installed, 'the force-installed extension', 90_000, 500);
    expect(entry).toMatchObject({ version: OLD, location: 'EXTERNAL_POLICY_DOWNLOAD' });
    page = await context.newPage();
    await page.goto(site.url(HOST));
    // The guard registers right after the install: until then a new page may load unguarded.
    await until(
      async () => {
        await page.reload();
        return inExtension(async () => (await chrome.scripting.getRegisteredContentScripts()).length >= 2);
      },
      'the guard registered',
      30_000,
      500,
    );
    await page.reload();
    mark = await loadMark(page);
    await refusedOnce(page, SAMPLES.nameMarked());
    await refusedOnce(page, SAMPLES.contentDocx());
    await cleanArrives(page);
  });

  it.skip('the update server offers a higher version: Chromium installs it while the tab stays open', async () => {
    // Chromium holds an update back while the old version is in use (UpdateInstallGate: any frame of
    // the extension, such as the tab's scan frame, or a live extension process), until it is idle. A page
    // may remove the scan frame (the guard starts a new one on the next file), so this one does.
    await page.evaluate(() => document.querySelectorAll('upload-guard-scanner').forEach((e) => e.remove()));
    updates.offered = NEW;
    const check = await inExtension(async () => JSON.stringify(await chrome.runtime.requestUpdateCheck().catch((e: unknown) => String(e))));
    console.log(`requestUpdateCheck(): ${check}`);
    const entry = await until(
      async () => {
        const e = await installed();
        return e?.version === NEW ? e : null;
      },
      `version ${NEW} installed (update server was asked: ${updates.asked.join(' ')})`,
      150_000,
      1_000,
    );
    expect(entry.location).toBe('EXTERNAL_POLICY_DOWNLOAD');
    expect(updates.asked).toContain(`/ug-${NEW}.crx`);
    // The new background sweeps the open tabs once it has started.
    await until(
      () => inExtension(async () => (await chrome.storage.session.get('openTabsSwept')).openTabsSwept === true).catch(() => false),
      'the new version swept the open tabs',
      30_000,
      500,
    );
  }, 240_000);

  it.skip('the old guard retires, the new one takes over: one dialog, clean uploads arrive, no reload', async () => {
    await refusedOnce(page, SAMPLES.nameMarked());
    await refusedOnce(page, SAMPLES.contentDocx());
    await cleanArrives(page);
    expect(await loadMark(page)).toBe(mark);
  });
});
