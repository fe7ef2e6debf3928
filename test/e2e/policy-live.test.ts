/**
 * The managed policy changes while tabs are open, and the open tabs follow it without a reload:
 * a new designated keyword, a category switched from warn to block, a new service host (its open tab
 * gets the guard injected), and a host no longer guarded (its tab stops gating).
 *
 * Real Chromium reading /etc/chromium/policies/managed (the directory exists before launch, so Chromium
 * watches it; it notices a change after roughly 5–20 s and then fires storage.managed changes). The
 * time from that event in the service worker to the open tab obeying is measured and must stay ≤ 2 s.
 * LC_ALL=C.UTF-8 with LANGUAGE=ja and --lang=ja (this machine has no ja_JP locale), Japanese file names.
 *
 * And a tab that was open before the extension existed: Chromium runs without it, the admin's
 * force-install policy arrives (a CRX packaged here with a throwaway key, served by the collector), and
 * the tab refuses a designated file without being reloaded.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newProfile, until, writeManagedPolicy, type Browser } from './policy-harness.js';
import { INGEST_TOKEN, freePort, runPackage, startCollector, type RunningCollector } from './support/collector.js';
import { ALL_HOSTS, arrivals, chromiumArgs, dismissWarning, readWarning, startSiteServer, type SiteServer } from './support/index.js';

const KEYWORD = 'ライブ検証-極秘案件';
const PARTNER_HOST = 'upload.partner.example';
const PARTNER = { id: 'partner-upload', name: '取引先アップロード', category: 'custom', hosts: [PARTNER_HOST] };
const POLICY_NAME = 'upload-guard-live-e2e';
const BEFORE = { policyVersion: 'live-1', actions: { webmail: { marked: 'warn' } } };
const AFTER = { policyVersion: 'live-2', actions: { webmail: { marked: 'block' } }, designated: { keywords: [KEYWORD] }, services: [PARTNER] };
const PARTNER_GONE = { ...AFTER, policyVersion: 'live-3', services: [] };
/** The target from the issue: an open tab obeys within 2 s of the policy change reaching the extension. */
const BUDGET_MS = 2000;

let site: SiteServer;
let b: Browser;
let removePolicy: () => void;
let gmail: Page;
let partner: Page;

const text = (s: string) => Buffer.from(s, 'utf8');
const KEYWORD_FILE = text(`週次の議事録\n${KEYWORD} の進捗\n以上\n`);
const NAME_MARKED = text('見積の下書き\n');

/** Picks a file in the page's XHR upload widget. */
async function pick(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.setInputFiles('#xhr-input', { name, mimeType: 'text/plain', buffer });
}

/** The warning's action if one opens within `ms`, else null. */
async function warningWithin(page: Page, ms: number): Promise<'block' | 'warn' | null> {
  return readWarning(page, ms).then(
    (w) => w.action,
    () => null,
  );
}

/** Watches storage.managed changes in the service worker; resolves the time of the next one (SW clock). */
async function watchManaged(sw: Worker): Promise<void> {
  await sw.evaluate(() => {
    const g = globalThis as unknown as { __ugManagedAt?: number; __ugWatching?: boolean; chrome: typeof chrome };
    g.__ugManagedAt = 0;
    if (g.__ugWatching) return;
    g.__ugWatching = true;
    g.chrome.storage.onChanged.addListener((_c, area) => {
      if (area === 'managed') g.__ugManagedAt = Date.now();
    });
  });
}

async function managedChangedAt(sw: Worker, policyVersion: string): Promise<number> {
  return until(
    () =>
      sw.evaluate(async (v) => {
        const g = globalThis as unknown as { __ugManagedAt?: number; chrome: typeof chrome };
        const m = await g.chrome.storage.managed.get('policyVersion');
        return m.policyVersion === v ? (g.__ugManagedAt ?? 0) || Date.now() : 0;
      }, policyVersion),
    `storage.managed to carry ${policyVersion}`,
    90_000,
    50,
  );
}

async function loadMark(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as { __loadMark?: number };
    w.__loadMark ??= Math.random();
    return w.__loadMark;
  });
}

beforeAll(async () => {
  site = await startSiteServer({ hosts: [...ALL_HOSTS, PARTNER_HOST] });
});

afterAll(async () => {
  await site?.close();
});

describe('a managed-policy change reaches tabs that are already open', () => {
  let marks: [number, number];

  beforeAll(async () => {
    removePolicy = writeManagedPolicy(POLICY_NAME, BEFORE);
    b = await launch(newProfile(), { lang: 'ja', hosts: [...ALL_HOSTS, PARTNER_HOST], ignoreCertificates: true });
    await until(() => b.sw.evaluate(async () => (await chrome.storage.managed.get('policyVersion')).policyVersion === 'live-1'), 'the first policy', 30_000);
    await until(async () => (await b.sw.evaluate(() => chrome.scripting.getRegisteredContentScripts())).length === 2, 'registration');
    gmail = await b.context.newPage();
    await gmail.goto(site.url('mail.google.com'));
    partner = await b.context.newPage();
    await partner.goto(site.url(PARTNER_HOST));
  });

  afterAll(async () => {
    removePolicy?.();
    await b?.close();
  });

  /** Whether one of the extension's declarativeNetRequest rules matches the keyword in a query string. */
  const keywordRuleBlocks = async () => {
    const filters = await b.sw.evaluate(async () => (await chrome.declarativeNetRequest.getDynamicRules()).map((r) => r.condition.regexFilter ?? ''));
    return filters.some((f) => new RegExp(f, 'i').test(`https://x.example/p?q=${encodeURIComponent(`${KEYWORD}の件`)}`));
  };

  it('before the change: the keyword is not designated, a marked name only warns, the partner host is not guarded', async () => {
    marks = [await loadMark(gmail), await loadMark(partner)];
    await pick(gmail, '週次議事録_変更前.txt', KEYWORD_FILE);
    expect(await arrivals(site, (a) => a.name === '週次議事録_変更前.txt')).toHaveLength(1);

    await pick(gmail, '秘—見積書_変更前.txt', NAME_MARKED);
    expect(await warningWithin(gmail, 10_000)).toBe('warn');
    await dismissWarning(gmail);

    await pick(partner, '秘—見積書_取引先.txt', NAME_MARKED);
    expect(await arrivals(site, (a) => a.name === '秘—見積書_取引先.txt')).toHaveLength(1);
    expect(await keywordRuleBlocks()).toBe(false);
  });

  it(`after the change, within ${BUDGET_MS} ms and without a reload, the Gmail tab refuses the new keyword`, async () => {
    await watchManaged(b.sw);
    writeManagedPolicy(POLICY_NAME, AFTER);
    const changedAt = await managedChangedAt(b.sw, 'live-2');
    // Upload the keyword file again and again until the tab refuses it: the first refused attempt
    // started after the tab obeyed, so its start bounds the time it took.
    let obeyedAt = 0;
    for (let i = 0; i < 100 && !obeyedAt; i++) {
      const name = `週次議事録_${i}.txt`;
      const started = Date.now();
      await pick(gmail, name, KEYWORD_FILE);
      const warned = await Promise.race([
        warningWithin(gmail, 3_000),
        arrivals(site, (a) => a.name === name, 1, 3_000).then(() => null),
      ]);
      if (warned === 'block') obeyedAt = started;
      else if (warned) await dismissWarning(gmail);
    }
    const latency = obeyedAt - changedAt;
    console.log(`[policy-live] storage.managed change → open tab obeys: ≤ ${latency} ms`);
    expect(obeyedAt).toBeGreaterThan(0);
    expect(latency).toBeLessThanOrEqual(BUDGET_MS);
    await dismissWarning(gmail);
    expect(await loadMark(gmail)).toBe(marks[0]);
    // The URL rules follow too: a rule for the new keyword (an image URL built from HTML carrying it).
    await until(keywordRuleBlocks, 'a URL rule for the new keyword', 10_000);
  });

  it('the category switched from warn to block: a marked name is now refused outright', async () => {
    await pick(gmail, '秘—見積書_変更後.txt', NAME_MARKED);
    expect(await warningWithin(gmail, 10_000)).toBe('block');
    await dismissWarning(gmail);
    expect(site.received.filter((a) => a.name === '秘—見積書_変更後.txt')).toEqual([]);
  });

  it('the new service host: its tab, open since before, gets the guard without a reload', async () => {
    const name = '秘—見積書_取引先_変更後.txt';
    await until(async () => {
      await pick(partner, name, NAME_MARKED);
      return warningWithin(partner, 2_000);
    }, 'the guard in the partner tab', 10_000).then((a) => expect(a).toBe('block'));
    await dismissWarning(partner);
    expect(site.received.filter((a) => a.name === name)).toEqual([]);
    expect(await loadMark(partner)).toBe(marks[1]);
  });

  it('a host no longer guarded: its tab stops gating', async () => {
    await watchManaged(b.sw);
    writeManagedPolicy(POLICY_NAME, PARTNER_GONE);
    const changedAt = await managedChangedAt(b.sw, 'live-3');
    let passedAt = 0;
    for (let i = 0; i < 40 && !passedAt; i++) {
      const name = `秘—見積書_解除後_${i}.txt`;
      const started = Date.now();
      await pick(partner, name, NAME_MARKED);
      const arrived = await Promise.race([
        arrivals(site, (a) => a.name === name, 1, 2_000).then((x) => x.length > 0),
        warningWithin(partner, 2_000).then((w) => (w ? false : null)),
      ]);
      if (arrived) passedAt = started;
      else if (arrived === false) await dismissWarning(partner);
    }
    console.log(`[policy-live] storage.managed change → tab on a host no longer guarded stops gating: ≤ ${passedAt - changedAt} ms`);
    expect(passedAt).toBeGreaterThan(0);
    expect(passedAt - changedAt).toBeLessThanOrEqual(BUDGET_MS);
    expect(await loadMark(partner)).toBe(marks[1]);
  });
});

describe('a tab open before the extension was force-installed', () => {
  const work = mkdtempSync(join(tmpdir(), 'ug-live-install-'));
  const policyFile = '/etc/chromium/policies/managed/upload-guard-live-install-e2e.json';
  let collector: RunningCollector;
  let context: BrowserContext;
  let page: Page;
  /** What the admin does: the force-install policy, with a designated keyword, lands in the folder. */
  let install: () => void;

  beforeAll(async () => {
    runPackage(['--no-build', '--new-key', join(work, 'key.pem'), '--out', join(work, 'release')]);
    const release = JSON.parse(readFileSync(join(work, 'release', 'release.json'), 'utf8')) as { chrome: { id: string } };
    collector = await startCollector({ dataDir: join(work, 'data'), port: await freePort(), args: ['--packages', join(work, 'release')] });
    // Chromium watches the policy folder only if it exists when it starts; the policy comes later.
    mkdirSync('/etc/chromium/policies/managed', { recursive: true });
    rmSync(policyFile, { force: true });
    process.once('exit', () => rmSync(policyFile, { force: true }));
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      ignoreHTTPSErrors: true,
      locale: 'ja',
      env: { ...process.env, LC_ALL: 'C.UTF-8', LANGUAGE: 'ja_JP' },
      ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking'],
      args: chromiumArgs({ extension: false, hosts: ALL_HOSTS, ignoreCertificates: true, lang: 'ja' }).filter((a) => a !== '--disable-background-networking'),
    });
    page = await context.newPage();
    await page.goto(site.url('mail.google.com'));
    install = () =>
      writeFileSync(
        policyFile,
        JSON.stringify({
          ExtensionSettings: {
            [release.chrome.id]: { installation_mode: 'force_installed', update_url: `${collector.url}/extension/updates.xml?token=${INGEST_TOKEN}` },
          },
          '3rdparty': { extensions: { [release.chrome.id]: { designated: { keywords: [KEYWORD] }, collectorUrl: collector.url, ingestToken: INGEST_TOKEN } } },
        }),
      );
  });

  afterAll(async () => {
    rmSync(policyFile, { force: true });
    await context?.close();
    await collector?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  // The first file checked there once needed the scan worker, which Chromium did not start from an
  // extension file under a policy-installed CRX (extension/scan/frame.ts): the keyword came back warn.
  it('without the extension the designated file leaves; after the force-install the same tab refuses it, unreloaded', async () => {
    const mark = await loadMark(page);
    await pick(page, '週次議事録_導入前.txt', KEYWORD_FILE);
    expect(await arrivals(site, (a) => a.name === '週次議事録_導入前.txt')).toHaveLength(1);

    install();
    const policyPage = await context.newPage();
    let i = 0;
    const action = await until(
      async () => {
        // What an admin presses on chrome://policy ("Reload policies"): Chromium's watch on the policy folder
        // sometimes missed the new file here (whole-file runs under load: nothing installed in 120 s,
        // chrome://policy empty), and its own periodic re-read is 15 min away.
        if (i % 10 === 0 && context.serviceWorkers().length === 0) await reloadPolicies(policyPage);
        const name = `週次議事録_導入後_${i++}.txt`;
        await pick(page, name, KEYWORD_FILE);
        // The first scan there starts the scan frame and its worker (extension/scan/frame.ts).
        return Promise.race([warningWithin(page, 8_000), arrivals(site, (a) => a.name === name, 1, 8_000).then(() => null)]);
      },
      'the guard in the tab that was open before the install',
      120_000,
      500,
    );
    expect(action).toBe('block');
    await dismissWarning(page);
    expect(site.received.filter((a) => a.name === `週次議事録_導入後_${i - 1}.txt`)).toEqual([]);
    expect(await loadMark(page)).toBe(mark);
    await policyPage.close();
  });
});

/** chrome://policy's "Reload policies" button, through the message it sends to the browser. */
async function reloadPolicies(policyPage: Page): Promise<void> {
  if (policyPage.url() !== 'chrome://policy/') await policyPage.goto('chrome://policy');
  await policyPage.evaluate(() => (globalThis as unknown as { chrome: { send(m: string): void } }).chrome.send('reloadPolicies'));
}
