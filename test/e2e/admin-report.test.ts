/**
 * The periodic report from the admin page in real Chromium (Asia/Tokyo, Japanese): the default month is
 * the last one, the PDF downloads and its text shows the figures; the HTML report renders with its own
 * stylesheet allowed by the CSP hash (no CSP violation, no script).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { reportRange } from '../../src/collector/report/range.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { signInWithToken, startAdminLab, watchedPage, type AdminLab } from './support/admin-lab.js';

const ADMIN = 'e2e-report-admin-token-0123456789';

describe('periodic report on the admin page', () => {
  let lab: AdminLab;
  const last = reportRange({ tz: 'Asia/Tokyo' }, Date.now());
  beforeAll(async () => {
    lab = await startAdminLab({ ingestTokens: ['e2e-report-ingest-token-01234'], adminTokens: [ADMIN], timeWindow: false });
    const at = (day: number) => new Date(last.fromMs + day * 86_400_000 + 3_600_000).toISOString();
    await lab.collector.storage.insertEvents(
      [
        ...Array.from({ length: 7 }, (_, i) => sampleEvent({ time: at(i), user: 'hanako@example.co.jp' })),
        sampleEvent({ time: at(3), user: 'taro@example.co.jp', action: 'warn', outcome: 'pending' }),
        // The first half hour of the month in JST (still the previous month in UTC).
        sampleEvent({ time: new Date(last.fromMs + 1_800_000).toISOString(), user: 'jiro@example.co.jp' }),
      ],
      Date.now(),
    );
  });
  afterAll(() => lab?.close());

  it('downloads last month as PDF; the HTML report renders under its CSP', async () => {
    const context = await lab.browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
    const { page, dialogs, problems } = await watchedPage(context);
    await signInWithToken(page, lab.url, ADMIN);
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
    expect(dialogs).toEqual([]);

    // The HTML report as a page of its own: styled (the CSP allows its stylesheet by hash), nothing refused.
    const view = await context.newPage();
    const violations: string[] = [];
    view.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
    await view.setExtraHTTPHeaders({ authorization: `Bearer ${ADMIN}` });
    await view.goto(`${lab.url}/v1/admin/report?tz=Asia/Tokyo&format=html&lang=ja`);
    expect(await view.locator('h1').textContent()).toBe('Upload Guard 定期報告書');
    expect(await view.locator('svg').count()).toBeGreaterThanOrEqual(3);
    const border = await view.locator('h2').first().evaluate((h) => getComputedStyle(h).borderBottomStyle);
    expect(border).toBe('solid');
    expect(violations).toEqual([]);
    await context.close();
  }, 120_000);
});
