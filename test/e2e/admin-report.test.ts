/**
 * The periodic report from the admin page in real Chromium (Asia/Tokyo, Japanese): the default month is
 * the last one, the PDF downloads and its text shows the figures; the HTML report renders with its own
 * stylesheet allowed by the CSP hash (no CSP violation, no script).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { reportRange } from '../../src/collector/report/range.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { BASE_ARGS } from './support/browser.js';

const ADMIN = 'e2e-report-admin-token-0123456789';

describe('periodic report on the admin page', () => {
  let c: Collector;
  let url: string;
  let browser: Browser;
  let dir: string;
  const last = reportRange({ tz: 'Asia/Tokyo' }, Date.now());
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-report-e2e-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: ['e2e-report-ingest-token-01234'], adminTokens: [ADMIN], timeWindow: false });
    url = await c.listen(0);
    const at = (day: number) => new Date(last.fromMs + day * 86_400_000 + 3_600_000).toISOString();
    await c.storage.insertEvents(
      [
        ...Array.from({ length: 7 }, (_, i) => sampleEvent({ time: at(i), user: 'hanako@example.co.jp' })),
        sampleEvent({ time: at(3), user: 'taro@example.co.jp', action: 'warn', outcome: 'pending' }),
        // The first half hour of the month in JST (still the previous month in UTC).
        sampleEvent({ time: new Date(last.fromMs + 1_800_000).toISOString(), user: 'jiro@example.co.jp' }),
      ],
      Date.now(),
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: BASE_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
    await c?.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads last month as PDF; the HTML report renders under its CSP', async () => {
    const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(url + '/admin/');
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    const panel = page.locator('[data-testid=report-download]');
    await panel.waitFor();
    expect(await panel.textContent()).toContain('定期報告書');
    expect(await panel.locator('input[type=month]').inputValue()).toBe(last.fromDate.slice(0, 7));
    const [download] = await Promise.all([page.waitForEvent('download'), panel.locator('button').click()]);
    expect(download.suggestedFilename()).toBe(`upload-guard-report-${last.fromDate.slice(0, 7)}.pdf`);
    const pdf = readFileSync((await download.path())!);
    let text = '';
    const ctx = { limits: DEFAULT_LIMITS, depth: 0, fullText: true, checkTime() {}, addExpanded() {}, addEntry() {} };
    for await (const it of extractPdf(new Blob([new Uint8Array(pdf)]), ctx)) if (it.kind === 'text') text += it.text + '\n';
    expect(text).toContain(`${last.fromDate} – ${last.lastDate}`);
    expect(text).toContain('Asia/Tokyo');
    expect(text).toMatch(/判定件数\s*9/); // 7 + 1 + the one in the first half hour of the month (JST)
    expect(text).toContain('jiro@example.co.jp');
    expect(problems).toEqual([]);

    // The HTML report as a page of its own: styled (the CSP allows its stylesheet by hash), nothing refused.
    const view = await context.newPage();
    const violations: string[] = [];
    view.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
    await view.setExtraHTTPHeaders({ authorization: `Bearer ${ADMIN}` });
    await view.goto(`${url}/v1/admin/report?tz=Asia/Tokyo&format=html&lang=ja`);
    expect(await view.locator('h1').textContent()).toBe('Upload Guard 定期報告書');
    expect(await view.locator('svg').count()).toBeGreaterThanOrEqual(3);
    const border = await view.locator('h2').first().evaluate((h) => getComputedStyle(h).borderBottomStyle);
    expect(border).toBe('solid');
    expect(violations).toEqual([]);
    await context.close();
  }, 120_000);
});
