/**
 * Which part of the extension costs a page its time: the same per-call and load measures as
 * `bench -- pages`, over copies of the built extension with one part switched off each, in browsers
 * side by side, round-robin in a fresh order each round (one CPU-noise pattern for all).
 *   node bin/run-ts.js bench/pages-parts.ts      (build first)
 * A diagnostic, not part of `npm run bench`: the parts are switched off by editing the built copy.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchWithExtension, waitForRegistration, DIST, type Launched } from '../test/e2e/support/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { EXTENSION_ID } from '../src/policy/extension-id.js';
import { browserPid, cpuMs, cpuMsByKind } from './cpu.js';
import { loadMs, serve } from './pages.js';
import { median } from './table.js';

const HOST = 'mail.google.com';
type Patch = (dir: string) => void;

function editMain(dir: string, edit: (s: string) => string): void {
  const f = readdirSync(join(dir, 'assets')).find((n) => n.startsWith('main.ts-'));
  if (!f) throw new Error('no main.ts bundle');
  const path = join(dir, 'assets', f);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`patch changed nothing in ${dir}`);
  writeFileSync(path, after);
}
const noWebRequest: Patch = (d) => editMain(d, (s) => s.replace('const wr = chrome.webRequest;', 'const wr = { onBeforeRequest: { addListener() {} } };'));
/** Every webNavigation listener of the worker left out (frame-follow, window-follow, network-guard). */
const noNavAll: Patch = (d) => editMain(d, (s) => s.replace(/webNavigation\.(on\w+)\.addListener\(/g, 'webNavigation.$1.hasListener('));
const noNav: Patch = (d) => editMain(d, (s) => s.replaceAll('webNavigation.onCommitted.addListener(', 'webNavigation.onCommitted.hasListener('));
const noPerm: Patch = (d) => {
  noWebRequest(d);
  const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
  m.permissions = m.permissions.filter((p: string) => !p.startsWith('webRequest'));
  writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
};
/** Edits the built guard.js (its minified text: written for one build, it throws when the text is not there). */
const editGuard = (from: RegExp, to: string): Patch => (d) => {
  const f = join(d, 'extension/content/guard.js');
  const before = readFileSync(f, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`guard.js patch ${from} changed nothing`);
  writeFileSync(f, after);
};
/** The guard's start without its question to the worker (`guard.refresh()` at the end of start()). */
const noRefresh = editGuard(/,(\w+)\.refresh\(\)(?=[)}])/, '');
/** …without its runtime.onMessage listener (the policy pushes). */
const noPushListener = editGuard(/(\w+)\.onMessage\.addListener\(/, '((f)=>f)(');
const empty = (file: string): Patch => (d) => writeFileSync(join(d, 'extension/content', file), ';');

/** Registers the page hooks (MAIN) and/or the guard (ISOLATED) for a host no page is on. */
const unregistered = (worlds: string[]): Patch => (d) =>
  editMain(d, (s) =>
    s.replace(
      'const plan = registrationPlan(policy, SCRIPT_FILES);',
      `const plan = registrationPlan(policy, SCRIPT_FILES).map((s) => ${JSON.stringify(worlds)}.includes(s.world) ? { ...s, matches: ["https://never.invalid/*"] } : s);`,
    ),
  );

const VARIANTS: Record<string, Patch[]> = {
  'no-registration': [unregistered(['MAIN', 'ISOLATED'])],
  'guard only (no MAIN hooks registered)': [unregistered(['MAIN'])],
  'hooks only (no guard registered)': [unregistered(['ISOLATED'])],
  full: [],
  'full, blocking granted': [],
  'no-webRequest-listeners': [noWebRequest],
  'no-webRequest-permission': [noPerm],
  'no-webNavigation': [noNav],
  'no-main-hooks': [empty('page-hooks.js')],
  'no-content-scripts': [empty('page-hooks.js'), empty('guard.js')],
  // Without the webRequest permission (the NETWORK_LAYER=off package), where a frame's own cost shows:
  // (names without commas: PARTS is a comma-separated list)
  lean: [noPerm],
  'lean-empty-guard.js': [noPerm, empty('guard.js')],
  'lean-no-guard-registered': [noPerm, unregistered(['ISOLATED'])],
  'lean-no-hooks-registered': [noPerm, unregistered(['MAIN'])],
  'lean-empty-page-hooks.js': [noPerm, empty('page-hooks.js')],
  'lean-empty-both': [noPerm, empty('page-hooks.js'), empty('guard.js')],
  'lean-no-registration': [noPerm, unregistered(['MAIN', 'ISOLATED'])],
  'lean-no-registration-no-webNavigation': [noPerm, unregistered(['MAIN', 'ISOLATED']), noNav],
  'lean-no-webNavigation': [noPerm, noNav],
  'lean-no-webNavigation-at-all': [noPerm, noNavAll],
  'lean-no-registration-no-webNavigation-at-all': [noPerm, unregistered(['MAIN', 'ISOLATED']), noNavAll],
  'full-blocking-granted': [],
  'lean-no-refresh': [noPerm, noRefresh],
  'lean-no-push-listener': [noPerm, noPushListener],
  'lean-no-runtime-calls': [noPerm, noRefresh, noPushListener],
};
/** A second build to compare (e.g. a fix): `OTHER_DIST=dir`, as `other`, `other-blocking-granted` and `other-lean`. */
const OTHER = process.env.OTHER_DIST ?? '';
if (OTHER) Object.assign(VARIANTS, { other: [], 'other-blocking-granted': [], 'other-lean': [noPerm] });
/** The build the parts are switched off in (`full`): `BASE_DIST=dir`, else dist/. */
const BASE = process.env.BASE_DIST ?? DIST;
const wanted = process.env.PARTS ? process.env.PARTS.split(',') : Object.keys(VARIANTS);
const ROUNDS = Number(process.env.ROUNDS ?? 6);

interface Up extends Launched { pid: string }
async function launch(name: string): Promise<Up> {
  const profile = mkdtempSync(join(tmpdir(), 'ug-parts-profile-'));
  const drop = () => rmSync(profile, { recursive: true, force: true });
  if (name === 'none') {
    const b = await launchWithExtension({ hosts: [HOST], extension: false, profile });
    return { ...b, pid: browserPid(profile), close: async () => (await b.close(), drop()) };
  }
  const dir = `/tmp/ug-parts-${process.pid}-${name}`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(name.startsWith('other') ? OTHER : BASE, dir, { recursive: true });
  for (const p of VARIANTS[name]) p(dir);
  const grant = /blocking.granted/.test(name) ? [`--allowlisted-extension-id=${EXTENSION_ID}`] : [];
  const b = await launchWithExtension({ hosts: [HOST], extension: false, profile, args: [`--disable-extensions-except=${dir}`, `--load-extension=${dir}`, ...grant] });
  const sw = b.context.serviceWorkers()[0] ?? (await b.context.waitForEvent('serviceworker', { timeout: 20_000 }));
  await waitForRegistration(sw);
  if (name === 'other') {
    const types = await sw.evaluate(() => Object.values((globalThis as unknown as { chrome: { webRequest: { ResourceType?: object } } }).chrome.webRequest.ResourceType ?? {}));
    process.stderr.write(`webRequest.ResourceType here: ${JSON.stringify(types)}\n`);
  }
  return { ...b, pid: browserPid(profile), close: async () => (await b.close(), drop(), rmSync(dir, { recursive: true, force: true })) };
}

const N = 1000;
type Mode = 'fetch' | 'xhr';
/** N clean calls issued in a loop and awaited: wall µs per call of the loop, CPU µs per call of the whole browser. */
async function batch(page: Page, pid: string, mode: Mode): Promise<{ issue: number; cpu: number }> {
  const c0 = cpuMs(pid);
  const issue = await page.evaluate(async ([n, m]) => {
    const t = performance.now();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const body = JSON.stringify({ q: 'clean text, nothing marked', at: Date.now() });
      if (m === 'fetch') all.push(fetch('/api?f' + i, { method: 'POST', body }));
      else {
        const x = new XMLHttpRequest();
        x.open('POST', '/api?x' + i);
        x.send(body);
        all.push(new Promise((r) => x.addEventListener('loadend', r)));
      }
    }
    const us = ((performance.now() - t) * 1000) / n;
    await Promise.all(all);
    return us;
  }, [N, mode] as const);
  await new Promise((r) => setTimeout(r, 300)); // the extension's observer runs 50 ms after each request
  return { issue, cpu: ((cpuMs(pid) - c0) * 1000) / N };
}

/** Load time, whole-browser CPU, and CPU per kind of process (browser, renderer, extension, NetworkService…). */
async function pageLoad(page: Page, pid: string, url: string): Promise<{ ms: number; cpu: number; kinds: Record<string, number> }> {
  const c0 = cpuMs(pid);
  const k0 = cpuMsByKind(pid);
  const ms = await loadMs(page, url);
  await new Promise((r) => setTimeout(r, 300));
  const k1 = cpuMsByKind(pid);
  const kinds = Object.fromEntries(['browser', 'renderer', 'extension'].map((k) => [k, (k1[k] ?? 0) - (k0[k] ?? 0)]));
  return { ms, cpu: cpuMs(pid) - c0, kinds };
}

const server = await serve();
const names = [...wanted.filter((n) => VARIANTS[n]), 'none'];
const browsers: Up[] = [];
try {
  for (const n of names) browsers.push(await launch(n));
  const tabs = await Promise.all(browsers.map((b) => b.context.newPage()));
  const LOADS = (process.env.LOADS ?? '/frames,/text').split(',').filter(Boolean);
  const out: Record<string, Record<string, number[]>> = {};
  const put = (n: string, k: string, v: number) => ((out[n] ??= {})[k] ??= []).push(v);
  for (let r = 0; r < ROUNDS + 1; r++) {
    const order = names.map((n, i) => [n, i] as const).sort(() => Math.random() - 0.5);
    for (const [n, i] of order) {
      const { pid } = browsers[i];
      await tabs[i].goto(server.url('/calls'), { waitUntil: 'load' });
      for (const m of process.env.NO_CALLS ? [] : (['fetch', 'xhr'] as const)) {
        const b = await batch(tabs[i], pid, m);
        if (r > 0) {
          put(n, `${m} issue µs`, b.issue);
          put(n, `${m} cpu µs`, b.cpu);
        }
      }
      for (const path of LOADS) {
        const l = await pageLoad(tabs[i], pid, server.url(path));
        if (r > 0) {
          put(n, `${path} ms`, l.ms);
          put(n, `${path} cpu ms`, l.cpu);
          for (const [k, v] of Object.entries(l.kinds)) put(n, `${path} ${k} cpu ms`, v);
        }
      }
    }
    process.stderr.write(`round ${r} done ${readFileSync('/proc/loadavg', 'utf8')}`);
  }
  console.log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}; p50 of ${ROUNDS} rounds, ${N} calls a batch; (+added over no extension)`);
  for (const n of names) {
    const cols = Object.keys(out[n]).map((k) => {
      const a = median(out[n][k]);
      const b = median(out.none[k]);
      return `${k} ${a.toFixed(1)} (${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)})`;
    });
    console.log(`${n.padEnd(26)} ${cols.join(' | ')}`);
  }
} finally {
  await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  await server.close();
}
