/**
 * The extension is updated while a guarded tab is open, the way a fleet gets an update: Chromium runs
 * it force-installed by policy from a CRX on a (local) update server, the server starts offering a
 * higher version, Chromium fetches it and (the background applying it at a safe moment) installs it
 * while the tab stays open. The old guard stays in the tab with its runtime cut off and refuses until
 * the new one, injected by the new background, has announced itself; then it stands aside. The tab
 * must stay guarded without a reload (one dialog for a marked file, never two, and no marked file
 * leaving at any moment in between) and clean uploads must keep arriving (the page hooks, which were
 * installed by the old version, ask the new guard from then on).
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
import { DIST, SAMPLES, WARNING_TAG, arrivals, chromiumArgs, dismissWarning, pageLog, readWarning, startSiteServer, type SiteServer } from './support/index.js';

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

/** Native alerts in the guarded tab (the orphaned guard's notice). */
const alerts: string[] = [];

async function loadMark(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as { __loadMark?: number };
    w.__loadMark ??= Math.random();
    return w.__loadMark;
  });
}

/**
 * Every dialog shown for what was chosen during the update closed, however late it came (the first scan
 * after the update starts a new scan frame): until none is open or comes for 3 s.
 */
async function settle(page: Page): Promise<void> {
  const end = Date.now() + 30_000;
  let quietSince = Date.now();
  while (Date.now() < end && Date.now() - quietSince < 3_000) {
    const open = await page.locator(WARNING_TAG).count();
    if (open > 0) {
      await page.bringToFront();
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
      quietSince = Date.now();
    } else {
      await page.waitForTimeout(250);
    }
  }
}

/** The marked file is refused with exactly one dialog, and nothing arrives. */
async function refusedOnce(page: Page, s: { name: string; buffer: Buffer }): Promise<void> {
  site.clear();
  await pick(page, s);
  const view = await readWarning(page, 30_000);
  console.log(`${s.name}: ${view.text.slice(0, 160)}`);
  expect(view.action, s.name).toBe('block');
  await page.waitForTimeout(1000);
  const n = await page.locator(WARNING_TAG).count();
  if (n !== 1) console.log(`${s.name}: ${n} dialogs: ${JSON.stringify(await page.locator(WARNING_TAG).evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))))}`);
  expect(n, `${s.name}: one dialog`).toBe(1);
  await dismissWarning(page);
  expect(await arrivals(site, (a) => a.name === s.name, 1, 1500)).toEqual([]);
}

/** `dialogs`: warnings expected on screen meanwhile (an earlier guard's, still open). */
async function cleanArrives(page: Page, dialogs = 0): Promise<void> {
  const clean = SAMPLES.cleanText();
  site.clear();
  const picked = Date.now();
  await pick(page, clean);
  const got = await arrivals(site, (a) => a.name === clean.name, 1, 15_000);
  console.log(`clean file: ${got.length > 0 ? `arrived ${Date.now() - picked} ms after it was chosen` : 'did not arrive in 15 s'}`);
  if (got.length === 0) {
    const shown = await readWarning(page, 1_000).then((v) => v.text.slice(0, 300), () => 'no dialog');
    console.log(`the clean file did not arrive: ${shown}; page log: ${JSON.stringify((await pageLog(page)).slice(-6))}`);
    const input = await page.evaluate(() => {
      const el = document.querySelector<HTMLInputElement>('#xhr-input');
      const guardEls = Array.from(document.querySelectorAll('*')).filter((e) => e.localName.startsWith('upload-guard')).map((e) => e.localName);
      return { files: el?.files?.length ?? -1, guardEls };
    });
    console.log(`input and the guard's elements: ${JSON.stringify(input)}; frames: ${await guardState()}; alerts: ${JSON.stringify(alerts)}`);
  }
  expect(got.map((a) => a.sha256)).toEqual([clean.sha256]);
  expect(await page.locator(WARNING_TAG).count()).toBe(dialogs);
}

/** Per frame of the guarded tab: whether a live guard marked its isolated world (diagnostics, as the background probes it). */
function guardState(): Promise<string> {
  return inExtension(async () => {
    const out: unknown[] = [];
    for (const t of await chrome.tabs.query({ url: 'https://mail.google.com/*' })) {
      const frames = (await chrome.webNavigation.getAllFrames({ tabId: t.id! })) ?? [];
      for (const f of frames) {
        const r = await chrome.scripting
          .executeScript({
            target: { tabId: t.id!, frameIds: [f.frameId] },
            func: () => {
              const running = (globalThis as unknown as Record<string, unknown>)['__uploadGuardRunning__'];
              return typeof running === 'function' ? String(running()) : typeof running;
            },
          })
          .then((x) => x[0]?.result, (e: unknown) => String(e));
        out.push({ frame: f.frameId, url: f.url.slice(0, 60), guard: r });
      }
    }
    return JSON.stringify(out);
  });
}

/**
 * runtime.reload(), a restart that is no update; resolves once the new background swept the open tabs
 * (session storage is emptied by the restart), with the time the restart was asked for.
 */
async function restart(): Promise<number> {
  await inExtension(async () => chrome.storage.session.set({ beforeRestart: true }));
  const reloaded = Date.now();
  await inExtension(async () => chrome.runtime.reload()).catch((e: unknown) => console.log(`reload: ${String(e).slice(0, 120)}`));
  await until(
    () => inExtension(async () => {
      const got = await chrome.storage.session.get(['beforeRestart', 'openTabsSwept']);
      return got.beforeRestart === undefined && got.openTabsSwept === true ? true : JSON.stringify(got);
    }).then((r) => r === true || (console.log(`session: ${r}`), false), (e: unknown) => (console.log(String(e).slice(0, 100)), false)),
    'the restarted extension swept the open tabs',
    30_000,
    500,
  );
  console.log(`swept ${Date.now() - reloaded} ms after the restart; frames: ${await guardState()}`);
  return reloaded;
}

/** chrome://policy's "Reload policies" button, through the message it sends to the browser. */
async function reloadPolicies(): Promise<void> {
  const p = await context.newPage();
  try {
    await p.goto('chrome://policy');
    await p.evaluate(() => (globalThis as unknown as { chrome: { send(m: string): void } }).chrome.send('reloadPolicies'));
  } finally {
    await p.close();
  }
}

/**
 * Chromium holds an update back while the old version is in use (a tab's scan frame is enough) and
 * tells the extension through runtime.onUpdateAvailable; the background applies it with
 * runtime.reload() at a safe moment (extension/background/update.ts). Without that, the update waits
 * for the extension to be idle: here, for ever (the test below times out).
 */
describe('an extension update while a guarded tab is open', () => {
  let page: Page;
  /** Set in the tab before the update: the same value after it means the tab was never reloaded. */
  let mark: number;

  it('the first version is force-installed from the update server and guards the tab', async () => {
    let round = 0;
    // Chromium's watch on the policy folder sometimes misses a new file under load: press chrome://policy's reload.
    const entry = await until(
      async () => {
        if (round++ % 10 === 5) await reloadPolicies();
        return installed();
      },
      'the force-installed extension',
      90_000,
      500,
    );
    expect(entry).toMatchObject({ version: OLD, location: 'EXTERNAL_POLICY_DOWNLOAD' });
    page = await context.newPage();
    page.on('dialog', (d) => {
      alerts.push(d.message());
      void d.accept();
    });
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

  it('the update server offers a higher version: it is installed while the tab stays open, and no marked file leaves meanwhile', async () => {
    site.clear();
    updates.offered = NEW;
    const check = await inExtension(async () => JSON.stringify(await chrome.runtime.requestUpdateCheck().catch((e: unknown) => String(e))));
    console.log(`requestUpdateCheck(): ${check}`);
    // Marked files chosen in the tab all along, old guard, orphan and new guard alike, a few seconds
    // apart (the background applies the update after a few quiet seconds, extension/background/update-moment.ts).
    const tried: string[] = [];
    const started = Date.now();
    let entry: { version: string; location: string } | null = null;
    for (let i = 0; Date.now() - started < 120_000; i++) {
      entry = await installed();
      if (entry?.version === NEW) break;
      const s = i % 2 === 0 ? SAMPLES.contentDocx() : SAMPLES.nameMarked();
      const name = `${i}-${s.name}`;
      tried.push(name);
      await pick(page, { name, buffer: s.buffer });
      const told = await readWarning(page, 4_000).then(
        () => 'dialog',
        () => (alerts.length > 0 ? 'notice' : 'nothing'),
      );
      if (told === 'dialog') await settle(page);
      await page.waitForTimeout(1_000);
    }
    console.log(`${tried.length} marked files tried; ${NEW} installed after ${Date.now() - started} ms; alerts: ${JSON.stringify(alerts)}; asked: ${updates.asked.join(' ')}`);
    expect(entry?.version, `version ${NEW} installed within 120 s`).toBe(NEW);
    expect(entry?.location).toBe('EXTERNAL_POLICY_DOWNLOAD');
    expect(updates.asked).toContain(`/ug-${NEW}.crx`);
    // And right after the update, before the new guard may be in the tab: still nothing leaves.
    for (let i = 0; i < 3; i++) {
      const s = SAMPLES.contentDocx();
      const name = `after-${i}-${s.name}`;
      tried.push(name);
      await pick(page, { name, buffer: s.buffer });
      await settle(page);
    }
    expect(site.received.filter((a) => tried.includes(a.name ?? '')).map((a) => a.name)).toEqual([]);
    // The new background sweeps the open tabs once it has started.
    await until(
      () => inExtension(async () => (await chrome.storage.session.get('openTabsSwept')).openTabsSwept === true).catch(() => false),
      'the new version swept the open tabs',
      30_000,
      500,
    );
  }, 240_000);

  // Once skipped: two dialogs at once in 2 of 4 runs, not reproduced since. The two ways the product could
  // open two are closed: an orphaned guard with a decision under way kept its dialog bundle and could open
  // a dialog beside the new guard's (content/load-ui.ts now refuses instead), and the install sweep and the
  // policy push probed and injected into the same tab together (registration.ts guardTab: one run per tab).
  it('the old guard stands aside for the new one: one dialog, clean uploads arrive, no reload, no notice', async () => {
    alerts.length = 0;
    console.log(`after the update, the tab's frames: ${await guardState()}`);
    await refusedOnce(page, SAMPLES.nameMarked()).catch((e: unknown) => {
      throw new Error(`${String(e)}; alerts: ${JSON.stringify(alerts)}; arrived: ${JSON.stringify(site.received.map((a) => a.name))}`);
    });
    await refusedOnce(page, SAMPLES.contentDocx());
    await cleanArrives(page);
    expect(alerts).toEqual([]);
    expect(await loadMark(page)).toBe(mark);
  });

  /**
   * A restart that is no update (runtime.reload() here; a crash restart or a disable and enable by
   * policy end the same way: the extension unloaded and loaded again, new isolated worlds, no chance for
   * the old background to prepare). The guard in the tab is orphaned just the same and must be relieved
   * just the same, or the tab refuses every upload, clean ones included, until the employee reloads it.
   * A marked file chosen right before the restart, still being read when it happens, must not bring a
   * second dialog later (the old guard's dialog bundle is still in its world).
   */
  it('a restart that is no update (runtime.reload): the new guard takes the tab over the same way', async () => {
    alerts.length = 0;
    site.clear();
    const s = SAMPLES.contentDocx();
    await pick(page, { name: `restart-${s.name}`, buffer: s.buffer });
    const reloaded = await restart();
    await settle(page);
    // The old guard may have refused what it had in hand before its successor came, with its notice.
    console.log(`notices before the take-over: ${JSON.stringify(alerts)}`);
    alerts.length = 0;
    await refusedOnce(page, SAMPLES.nameMarked()).catch((e: unknown) => {
      throw new Error(`${String(e)}; alerts: ${JSON.stringify(alerts)}`);
    });
    await refusedOnce(page, SAMPLES.contentDocx());
    await cleanArrives(page);
    // Whatever the old guard still had in hand comes to an end without a second dialog (its scan frame
    // went with the restart: its watchdog gives up after 30 s, and the policy wait after 5 s more).
    const end = reloaded + 45_000;
    while (Date.now() < end) {
      expect(await page.locator(WARNING_TAG).count(), 'no dialog from the old guard').toBe(0);
      await page.waitForTimeout(500);
    }
    await cleanArrives(page);
    expect(site.received.map((a) => a.name)).not.toContain(`restart-${s.name}`);
    expect(alerts).toEqual([]);
    expect(await loadMark(page)).toBe(mark);
  }, 120_000);

  /**
   * The old guard's decision was still open when it stood aside (here its warning, left unanswered; in a
   * CI run, an answer lost with the restart): the file input it had emptied stayed on its list of held
   * inputs, and it went on holding that input's `change` — the new guard's copy too, so a clean file
   * chosen there never reached the page and no dialog said why, until the page was reloaded.
   */
  it('a decision of the old guard still open at the restart holds nothing of the new guard', async () => {
    alerts.length = 0;
    site.clear();
    const s = SAMPLES.contentDocx();
    await pick(page, { name: `open-${s.name}`, buffer: s.buffer });
    expect((await readWarning(page, 30_000)).action).toBe('block');
    await restart();
    // The old warning is still on screen (nobody answered it), and the new guard judges the next file.
    expect(await page.locator(WARNING_TAG).count()).toBe(1);
    await cleanArrives(page, 1);
    await settle(page);
    expect(await page.locator(WARNING_TAG).count()).toBe(0);
    await refusedOnce(page, SAMPLES.nameMarked());
    await cleanArrives(page);
    expect(site.received.map((a) => a.name)).not.toContain(`open-${s.name}`);
    expect(alerts).toEqual([]);
    expect(await loadMark(page)).toBe(mark);
  }, 120_000);

  /**
   * The page hooks ask the guard about a request over their private line, which the old guard hands to
   * the new one when it stands aside. A question it had not answered then (here a marked body whose
   * warning is open; a clean one whose decision the restart cut off waits the same) was answered down a
   * line it no longer held: the page's `fetch` never settled, neither sent nor failed.
   */
  it('a request the old guard was still judging at the restart is refused, never left waiting', async () => {
    alerts.length = 0;
    site.clear();
    await page.evaluate(() => {
      const w = window as unknown as { __held?: string };
      w.__held = 'waiting';
      const body = JSON.stringify({ note: '秘 Confidential 引継ぎ資料（restart）' });
      void fetch('/upload?ch=held-across-restart', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        () => (w.__held = 'sent'),
        () => (w.__held = 'refused'),
      );
    });
    expect((await readWarning(page, 30_000)).action).toBe('block');
    await restart();
    const state = await until(
      () => page.evaluate(() => ((window as unknown as { __held?: string }).__held === 'waiting' ? false : (window as unknown as { __held?: string }).__held)),
      'the held fetch settled',
      20_000,
      250,
    ).catch((e: unknown) => `still waiting (${String(e).slice(0, 80)})`);
    expect(state).toBe('refused');
    await settle(page);
    expect(site.received.filter((a) => a.channel === 'held-across-restart')).toEqual([]);
    await cleanArrives(page);
    expect(alerts).toEqual([]);
  }, 120_000);

  /**
   * Text typed into a field of the page became marked (its warning is open) when the extension restarts:
   * the page hooks hold every request that could carry a piece of it until the guard says the field is
   * clear or refused. The old guard could no longer say it (the line was handed over), so every later
   * request of the page waited for ever.
   */
  it("a field the old guard held as marked at the restart does not hold the page's requests after it", async () => {
    alerts.length = 0;
    site.clear();
    // An editor that writes the text into the page itself (no key, no input event): the guard sees it
    // only afterwards, so the field is marked and the hooks hold the page's requests meanwhile.
    await page.locator('#paste').click();
    // Written in two pieces, as an editor sending each operation on its own would: the second completes the stamp.
    await page.evaluate(() => (document.getElementById('paste')!.textContent = '引継ぎ：秘 Conf'));
    await page.waitForTimeout(300);
    await page.evaluate(() => (document.getElementById('paste')!.textContent = '引継ぎ：秘 Confidential'));
    expect((await readWarning(page, 30_000)).text).toContain('秘');
    await restart();
    await settle(page);
    await page.evaluate(() => (document.getElementById('paste')!.textContent = ''));
    const state = await page.evaluate(() =>
      Promise.race([
        fetch('/upload?ch=after-restart-text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '週次の定例メモ' }).then(() => 'sent', () => 'refused'),
        new Promise((r) => setTimeout(() => r('still waiting after 15 s'), 15_000)),
      ]),
    );
    expect(state).toBe('sent');
    expect(site.received.filter((a) => a.channel === 'after-restart-text')).toHaveLength(1);
    expect(alerts).toEqual([]);
  }, 120_000);
});
