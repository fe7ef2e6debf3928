/** The admin page in real Chromium: sign in, see events and charts, hostile names stay inert text. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { BASE_ARGS } from './support/browser.js';

const ADMIN = 'e2e-admin-token-0123456789';
const HOSTILE = '<img src=x onerror=alert(1)>.docx';
const FORMULA = '=HYPERLINK("http://evil/","x")';
const SCRIPT = '<script>alert("x")</script>秘—a.docx';

describe('admin page', () => {
  let c: Collector;
  let url: string;
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-admin-e2e-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: ['e2e-ingest-token-0123456789'], adminTokens: [ADMIN] });
    url = await c.listen(0);
    const now = Date.now();
    await c.storage.insertEvents(
      [
        sampleEvent({ time: new Date(now - 60_000).toISOString(), fileName: HOSTILE, service: 'gmail', serviceName: 'Gmail' }),
        sampleEvent({ time: new Date(now - 120_000).toISOString(), fileName: FORMULA, service: 'gigafile', serviceName: 'GigaFile便', category: 'sharing' }),
        sampleEvent({ time: new Date(now - 86_400_000).toISOString(), fileName: SCRIPT, action: 'warn', outcome: 'pending', user: '<b>bold</b>' }),
        sampleEvent({ time: new Date(now - 180_000).toISOString(), verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed', fileName: 'plain.txt' }),
      ],
      now,
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: BASE_ARGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
    await c?.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, shows violations and charts, renders hostile names as text, fires no dialog', async () => {
    const page = await browser.newPage({ locale: 'ja-JP' });
    const dialogs: string[] = [];
    const problems: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // The deliberate wrong-token sign-in logs a 401; anything else (a CSP violation, say) is a failure.
      if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
    });
    await page.goto(url + '/admin/');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upload Guard 管理');

    // A wrong token is refused with a message.
    await page.fill('input[name=token]', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('トークンが正しくありません');

    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=events] tbody tr');
    // Default view: violations (block, warn) of the last 30 days: the clean upload is not listed.
    const names = await page.locator('td.file').allTextContents();
    expect(names).toEqual([HOSTILE, FORMULA, SCRIPT]);
    expect(await page.textContent('[data-testid=total]')).toBe('3');
    expect(await page.locator('[data-testid=chart-service] rect').count()).toBe(2);
    expect(await page.locator('[data-testid=chart-day] rect').count()).toBeGreaterThanOrEqual(1);
    // Nothing from the data became markup.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('table script, table b').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('upload-guard-admin-token'))).toBe(ADMIN);

    // Event detail.
    await page.locator('tr', { hasText: SCRIPT }).click();
    const detail = page.locator('[data-testid=detail]');
    await detail.waitFor();
    expect(await detail.textContent()).toContain(SCRIPT);
    expect(await detail.textContent()).toContain('<b>bold</b>');
    expect(await detail.locator('b, script, img').count()).toBe(0);
    await detail.locator('button').click();

    // Filters: service=gigafile.
    await page.fill('input[name=service]', 'gigafile');
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.locator('td.file').allTextContents()).toEqual([FORMULA]);

    // Sorting by file name (client side) and CSV export.
    await page.fill('input[name=service]', '');
    await page.selectOption('select[name=action]', '');
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.locator('td.file').count()).toBe(4);
    await page.locator('th', { hasText: 'ファイル名' }).click();
    expect(await page.locator('td.file').first().textContent()).toBe(HOSTILE);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=CSV出力')]);
    const csvPath = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(csvPath!, 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil/"",""x"")"`);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(5);

    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('speaks English to an English browser, and the page is served with a strict CSP', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const res = await page.goto(url + '/admin/');
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(res!.headers()['content-security-policy']).not.toContain('unsafe-inline');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upload Guard admin');
    await page.close();
  });
});
