/**
 * `npm run bench -- webrequest`: what Chromium itself charges every request of the browser for an
 * extension that holds a request-interception permission, apart from anything the extension does. Each
 * browser below differs from the plain one by one thing, all measured in one run, alternating rounds:
 *
 * - `webRequest` permission, no listener at all;
 * - `webRequest`, one listener whose filter matches no request (`tabId` of no tab);
 * - `webRequest`, one observing listener (with `requestBody`) on every request;
 * - `webRequest` + `webRequestBlocking`, one blocking listener on every request that lets it pass
 *   (granted as to a policy-installed extension: `--allowlisted-extension-id`);
 * - `declarativeNetRequest` permission, no rule;
 * - the built Upload Guard with its network layer (dist/, as deployed), and with it left out
 *   (`NETWORK_LAYER=off` package: a copy of dist/ without webRequest and webRequestBlocking).
 *
 * Why: Chromium proxies a profile's requests through the browser process
 * (WebRequestProxyingURLLoaderFactory) as soon as one loaded extension holds webRequest,
 * webRequestBlocking, declarativeWebRequest, declarativeNetRequest(WithHostAccess) or webview
 * (extensions/browser/api/web_request/web_request_api.cc: HasAnyWebRequestPermissions counted in
 * OnExtensionLoaded; MayHaveProxies() is that count > 0), listeners or not. This bench shows how much of
 * the per-request cost is that proxy and how much is the listeners. Figures: the round trip of 500
 * sequential clean POST fetches (µs per call) and the CPU of every process of that browser per request.
 *   node bin/run-ts.js bench/run.ts webrequest     (build first: npm run build)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { withoutNetworkLayer } from '../test/e2e/support/lean.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, DIST } from '../test/e2e/support/index.js';
import { EXTENSION_ID } from '../src/policy/extension-id.js';
import { serveSite } from './site.js';
import { browserPid, cpuMs } from './cpu.js';
import { median, printTable, type Row } from './table.js';

const HOST = 'mail.google.com';
const CALLS = 500;
const ROUNDS = 7;
const KEY: string = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8')).key;

interface Variant {
  label: string;
  /** An unpacked extension to load, or none. */
  dir?: string;
  /** The extension's own pages' worker must be up before measuring. */
  worker?: boolean;
}

/** A minimal MV3 extension with these permissions and this background code. */
function tinyExtension(root: string, name: string, permissions: string[], background: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    manifest_version: 3, name, version: '1.0', key: KEY, permissions, host_permissions: ['<all_urls>'],
    background: { service_worker: 'bg.js' },
  }));
  writeFileSync(join(dir, 'bg.js'), background);
  return dir;
}

function variants(root: string): Variant[] {
  const filter = `{ urls: ['<all_urls>'] }`;
  return [
    { label: 'no extension' },
    { label: 'webRequest, no listener', dir: tinyExtension(root, 'perm', ['webRequest'], '') , worker: true },
    { label: 'webRequest, a listener matching no request (tabId filter)', worker: true, dir: tinyExtension(root, 'narrow', ['webRequest'],
      `chrome.webRequest.onBeforeRequest.addListener(() => undefined, { urls: ['<all_urls>'], tabId: 987654 }, ['requestBody']);`) },
    { label: 'webRequest, observing every request (requestBody)', worker: true, dir: tinyExtension(root, 'observe', ['webRequest'],
      `chrome.webRequest.onBeforeRequest.addListener(() => undefined, ${filter}, ['requestBody']);`) },
    { label: 'webRequestBlocking, blocking every request (lets it pass)', worker: true, dir: tinyExtension(root, 'block', ['webRequest', 'webRequestBlocking'],
      `chrome.webRequest.onBeforeRequest.addListener(() => undefined, ${filter}, ['blocking', 'requestBody']);`) },
    { label: 'declarativeNetRequest, no rule', worker: true, dir: tinyExtension(root, 'dnr', ['declarativeNetRequest'], '') },
    { label: 'Upload Guard without its network layer (NETWORK_LAYER=off)', worker: true, dir: withoutNetworkLayer(root) },
    { label: 'Upload Guard as built (dist/)', worker: true, dir: DIST },
  ];
}

async function launch(v: Variant, profile: string): Promise<BrowserContext> {
  const args = [...chromiumArgs({ extension: false, hosts: [HOST], ignoreCertificates: true }), `--allowlisted-extension-id=${EXTENSION_ID}`];
  if (v.dir) args.push(`--disable-extensions-except=${v.dir}`, `--load-extension=${v.dir}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args, ignoreHTTPSErrors: true, env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  if (v.worker && !context.serviceWorkers().length) await context.waitForEvent('serviceworker', { timeout: 20_000 });
  return context;
}

function roundTrip(page: Page): Promise<number> {
  return page.evaluate(async (n) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fetch('/api?s' + i, { method: 'POST', body: JSON.stringify({ q: 'clean text, nothing marked', at: Date.now() }) });
    return ((performance.now() - t) * 1000) / n;
  }, CALLS);
}

export async function runWebRequestBench(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'ug-bench-webrequest-'));
  const site = await serveSite(HOST, (path, res) => {
    if (path === '/api') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>calls</title>');
  });
  const vs = variants(root);
  const open: { context: BrowserContext; page: Page; pid: string }[] = [];
  try {
    for (const [i, v] of vs.entries()) {
      const profile = join(root, `profile-${i}`);
      const context = await launch(v, profile);
      const page = await context.newPage();
      open.push({ context, page, pid: browserPid(profile) });
    }
    const trip: number[][] = vs.map(() => []);
    const cpu: number[][] = vs.map(() => []);
    for (let r = 0; r < ROUNDS + 1; r++) {
      const order = vs.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) {
        const { page, pid } = open[i];
        await page.goto(site.url('/calls'), { waitUntil: 'load' });
        await page.waitForTimeout(200);
        const c0 = cpuMs(pid);
        const t = await roundTrip(page);
        await page.waitForTimeout(200);
        if (r === 0) continue; // warm-up: connection, first compile
        trip[i].push(t);
        cpu[i].push(((cpuMs(pid) - c0) * 1000) / CALLS);
      }
    }
    const base = { trip: median(trip[0]), cpu: median(cpu[0]) };
    return vs.map((v, i) => {
      const a = median(trip[i]);
      const c = median(cpu[i]);
      return {
        area: 'webRequest cost (Chromium)',
        case: `${v.label}: clean fetch round trip, ${CALLS} in sequence; CPU of the whole browser per request (p50 of ${ROUNDS})`,
        ours: `${a.toFixed(0)} µs (${a - base.trip >= 0 ? '+' : ''}${(a - base.trip).toFixed(0)}); CPU ${c.toFixed(0)} µs (${c - base.cpu >= 0 ? '+' : ''}${(c - base.cpu).toFixed(0)})`,
        baseline: `${base.trip.toFixed(0)} µs; CPU ${base.cpu.toFixed(0)} µs`,
        ratio: a / base.trip,
      };
    });
  } finally {
    await Promise.all(open.map((o) => o.context.close().catch(() => undefined)));
    await site.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await runWebRequestBench());
}
