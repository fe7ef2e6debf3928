/**
 * Support for the policy / popup / options real-Chromium tests: launch Debian Chromium with dist/
 * loaded, optionally with a managed policy and a reusable profile (to test browser restarts), and a
 * tiny recording collector (the real collector has its own e2e tests).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { EXTENSION_ID } from '../../src/policy/extension-id.js';
import { DIST, chromiumArgs } from './support/browser.js';

export { DIST };
const POLICY_DIR = '/etc/chromium/policies/managed';

/** Writes the managed policy file for our extension ID (before launch: Chromium reads it at start). */
export function writeManagedPolicy(name: string, policy: Record<string, unknown>): () => void {
  mkdirSync(POLICY_DIR, { recursive: true });
  const file = join(POLICY_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: policy } } }));
  const remove = () => rmSync(file, { force: true });
  process.once('exit', remove);
  return remove;
}

export function newProfile(): string {
  return mkdtempSync(join(tmpdir(), 'ug-policy-profile-'));
}

export interface Browser {
  context: BrowserContext;
  sw: Worker;
  extensionId: string;
  close(): Promise<void>;
}

/** 'ja' → 'ja_JP', 'en-US' → 'en_US'. */
function posixLocale(lang: string): string {
  const [l, region] = lang.split('-');
  return `${l}_${region ?? (l === 'ja' ? 'JP' : l.toUpperCase())}`;
}

export async function launch(profile: string, opts: { lang?: string; hosts?: string[]; ignoreCertificates?: boolean } = {}): Promise<Browser> {
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error(`no build in ${DIST}: run npm run build`);
  const lang = opts.lang ?? 'ja';
  // Debian's chromium ships only en-US; without chromium-l10n every extension page silently falls back to English.
  if (!existsSync(`/usr/lib/chromium/locales/${lang.split('-')[0]}.pak`) && !existsSync(`/usr/lib/chromium/locales/${lang}.pak`)) {
    throw new Error(`Chromium has no ${lang} locale: apt-get install chromium-l10n`);
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    locale: lang,
    // On Linux Chromium takes its UI language (and so the extension's _locales choice) from LANGUAGE;
    // --lang alone only changes what pages see. The locale itself is C.UTF-8: this machine has no
    // ja_JP locale, and Chromium under a missing one raises no input event for a non-ASCII file name.
    env: { ...process.env, LANGUAGE: posixLocale(lang), LC_ALL: 'C.UTF-8' },
    args: chromiumArgs({ hosts: opts.hosts, lang, ignoreCertificates: opts.ignoreCertificates }),
    ignoreHTTPSErrors: !!opts.ignoreCertificates,
  });
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  return { context, sw, extensionId: new URL(sw.url()).host, close: () => context.close() };
}

/** Polls `fn` until it returns a truthy value. */
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 200): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export interface RegisteredScript {
  id: string;
  js?: string[];
  matches?: string[];
  excludeMatches?: string[];
  world?: string;
  runAt?: string;
  allFrames?: boolean;
  matchOriginAsFallback?: boolean;
}

export function registeredScripts(sw: Worker): Promise<RegisteredScript[]> {
  return sw.evaluate(() => (globalThis as unknown as { chrome: typeof chrome }).chrome.scripting.getRegisteredContentScripts());
}

/** An extension page from which to talk to the background like the popup does. */
export async function extensionPage(b: Browser, path = 'extension/ui/popup/index.html'): Promise<Page> {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/${path}`);
  return page;
}

export function sendMessage<T>(page: Page, message: unknown): Promise<T> {
  return page.evaluate((m) => (globalThis as unknown as { chrome: typeof chrome }).chrome.runtime.sendMessage(m), message) as Promise<T>;
}

export interface Recorded {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A stand-in collector: records every POST, answers `status()` (202 by default). */
export interface FakeCollector {
  url: string;
  received: Recorded[];
  events(): Record<string, unknown>[];
  status: number;
  close(): Promise<void>;
}

export async function startFakeCollector(port = 0): Promise<FakeCollector> {
  const c: FakeCollector = {
    url: '',
    received: [],
    status: 202,
    events: () => c.received.filter((r) => r.path === '/v1/events').flatMap((r) => (r.body as { events: Record<string, unknown>[] }).events),
    close: () => new Promise((res) => server.close(() => res())),
  };
  const read = (req: IncomingMessage) =>
    new Promise<string>((res) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (s += d));
      req.on('end', () => res(s));
    });
  const server: Server = createServer(async (req, res) => {
    if (req.method === 'GET') {
      // Any host mapped here gets a page with a same-origin about:blank iframe, to see where the guard runs.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>lab</title><p>lab page</p><iframe src="about:blank"></iframe>');
      return;
    }
    const text = await read(req);
    const status = c.status;
    // Only acknowledged requests count as received: a 503 means the collector never stored them.
    if (req.method === 'POST' && status >= 200 && status < 300) {
      c.received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text) });
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{}');
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return c;
}
