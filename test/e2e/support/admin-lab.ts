/**
 * What the admin page's tests share: a collector on a SQLite file of its own, listening on a local port,
 * and one headless Chromium to open its pages; `watchedPage` records what an admin page must never do
 * (open a dialog, throw, log an error), and `signInWithToken` signs in with an admin token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createCollector, type Collector, type CollectorOptions } from '../../../src/collector/server.js';
import { SqliteStorage } from '../../../src/collector/storage/sqlite.js';
import { BASE_ARGS } from './browser.js';

export interface AdminLab {
  collector: Collector;
  /** The collector's base URL (http://127.0.0.1:port). */
  url: string;
  browser: Browser;
  /** Closes the browser and the collector, and removes the database. */
  close(): Promise<void>;
}

/**
 * `port`: where the collector listens (default any free one: a test that must name its callback URL
 * first picks one); `lang`: the browser's UI language (`--lang` and LANGUAGE, under a locale this
 * machine has).
 */
export async function startAdminLab(opts: Omit<CollectorOptions, 'storage'>, at: { port?: number; lang?: string } = {}): Promise<AdminLab> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-admin-lab-'));
  let collector: Collector | null = null;
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await collector?.close();
    await collector?.storage.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    collector = await createCollector({ ...opts, storage: new SqliteStorage({ path: join(dir, 'events.db') }) });
    const url = await collector.listen(at.port ?? 0);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [...BASE_ARGS, ...(at.lang ? [`--lang=${at.lang}`] : [])],
      ...(at.lang ? { env: { ...process.env, LC_ALL: 'C.UTF-8', LANGUAGE: at.lang } } : {}),
    });
    return { collector, url, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface WatchedPage {
  page: Page;
  /** Every dialog the page opened (each dismissed). */
  dialogs: string[];
  /** Uncaught errors and console errors, except those matching `expected`. */
  problems: string[];
}

/** A new page (in its own context when given a browser, with `locale`) that records dialogs and errors. */
export async function watchedPage(on: Browser | BrowserContext, opts: { locale?: string; expected?: RegExp } = {}): Promise<WatchedPage> {
  const page = 'newContext' in on ? await on.newPage({ locale: opts.locale ?? 'ja-JP' }) : await on.newPage();
  const dialogs: string[] = [];
  const problems: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !opts.expected?.test(m.text())) problems.push(m.text());
  });
  return { page, dialogs, problems };
}

/** Opens the admin page and signs in with an admin token. */
export async function signInWithToken(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
}
