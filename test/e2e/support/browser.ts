/**
 * Real Chromium (Debian's /usr/bin/chromium) with the built extension (dist/) loaded, driven by
 * playwright-core. Never downloads a browser.
 *
 *   const b = await launchWithExtension({ policy: { actions: { webmail: { marked: 'warn' } } } });
 *   const page = await b.context.newPage();
 *   ...
 *   await b.close();   // also removes the policy file
 *
 * `policy` is written as managed policy for the extension's fixed ID to
 * /etc/chromium/policies/managed/upload-guard-e2e-<pid>.json before launch (needs root) and removed on
 * close. Every Chromium on this machine reads that folder: run policy tests one file at a time.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { EXTENSION_ID } from '../../../src/policy/extension-id.js';

/** Hostnames the lab page is served under: real guarded services, plus one that is not guarded. */
export const GUARDED_HOSTS = ['mail.yahoo.co.jp', 'mail.google.com', 'drive.google.com', '46.gigafile.nu', 'chatgpt.com'];
export const UNGUARDED_HOST = 'example.org';
export const ALL_HOSTS = [...GUARDED_HOSTS, UNGUARDED_HOST];

export const DIST = resolve(new URL('../../../dist', import.meta.url).pathname);
const POLICY_DIR = '/etc/chromium/policies/managed';

/** The flags every test Chromium here needs (no background traffic on this closed network, no sandbox as root). */
export const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Command-line flags for a test Chromium: the base ones, the built extension, hostnames mapped to 127.0.0.1. */
export function chromiumArgs(opts: { extension?: boolean; extensionDir?: string; hosts?: string[]; lang?: string; ignoreCertificates?: boolean } = {}): string[] {
  const dir = opts.extensionDir ?? DIST;
  return [
    ...BASE_ARGS,
    ...(opts.hosts?.length ? [`--host-resolver-rules=${opts.hosts.map((h) => `MAP ${h} 127.0.0.1`).join(',')},EXCLUDE localhost`] : []),
    ...(opts.ignoreCertificates ? ['--ignore-certificate-errors'] : []),
    ...(opts.lang ? [`--lang=${opts.lang}`] : []),
    ...(opts.extension !== false ? [`--disable-extensions-except=${dir}`, `--load-extension=${dir}`] : []),
  ];
}

export interface LaunchOptions {
  /** Managed policy for the extension (the ManagedPolicy shape of src/policy). */
  policy?: Record<string, unknown>;
  /** false: the same browser without the extension (for baselines). Default true. */
  extension?: boolean;
  /** The unpacked extension to load. Default dist/ (the build). */
  extensionDir?: string;
  /** Hostnames mapped to 127.0.0.1. Default ALL_HOSTS. */
  hosts?: string[];
  /** UI language (`--lang`), e.g. 'en-US'. Default Chromium's. */
  lang?: string;
  /** More command-line flags. */
  args?: string[];
  /** A profile directory to use (and keep): for tests that restart the browser. Default: a fresh one, removed on close. */
  profile?: string;
}

export interface Launched {
  context: BrowserContext;
  /** Null when launched without the extension. */
  extensionId: string | null;
  serviceWorker: Worker | null;
  close(): Promise<void>;
}

export async function launchWithExtension(opts: LaunchOptions = {}): Promise<Launched> {
  const withExt = opts.extension !== false;
  const dir = opts.extensionDir ?? DIST;
  if (withExt && !existsSync(join(dir, 'manifest.json'))) throw new Error(`no build in ${dir}: run npm run build`);
  let policyFile: string | null = null;
  if (opts.policy) {
    mkdirSync(POLICY_DIR, { recursive: true });
    policyFile = join(POLICY_DIR, `upload-guard-e2e-${process.pid}.json`);
    writeFileSync(policyFile, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: opts.policy } } }));
  }
  const profile = opts.profile ?? mkdtempSync(join(tmpdir(), 'ug-profile-'));
  const hosts = opts.hosts ?? ALL_HOSTS;
  const args = [...chromiumArgs({ extension: withExt, extensionDir: dir, hosts, lang: opts.lang, ignoreCertificates: true }), ...(opts.args ?? [])];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args,
    ignoreHTTPSErrors: true,
    // The locale is C.UTF-8, one this machine has: under a missing one (ja_JP.UTF-8 here) Chromium raises
    // no input event for a picked file with a non-ASCII name. On Linux, Chromium's UI language (what
    // chrome.i18n answers) follows LANGUAGE, not only --lang.
    env: { ...process.env, LC_ALL: 'C.UTF-8', ...(opts.lang ? { LANGUAGE: opts.lang.replace('-', '_') } : {}) },
    ...(opts.lang ? { locale: opts.lang } : {}),
  });
  let serviceWorker: Worker | null = null;
  let extensionId: string | null = null;
  const removePolicy = () => policyFile && rmSync(policyFile, { force: true });
  const cleanup = () => {
    removePolicy();
    if (!opts.profile) rmSync(profile, { recursive: true, force: true });
  };
  try {
    if (withExt) {
      serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
      extensionId = new URL(serviceWorker.url()).host;
      await waitForRegistration(serviceWorker);
    }
  } catch (e) {
    await context.close().finally(cleanup);
    throw e;
  }
  return {
    context,
    extensionId,
    serviceWorker,
    // The policy file goes first, whatever closing does (it can hang on a stuck page): left behind, it
    // would steer every later browser on the machine.
    close: async () => {
      removePolicy();
      try {
        await context.close();
      } finally {
        cleanup();
      }
    },
  };
}

/** The background registers the guard dynamically; pages opened before that would be unguarded. */
export async function waitForRegistration(sw: Worker, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const n = await sw.evaluate(async () => {
      const c = (globalThis as unknown as { chrome: typeof chrome }).chrome;
      return (await c.scripting.getRegisteredContentScripts()).length;
    });
    if (n >= 2) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the guard was never registered');
}
