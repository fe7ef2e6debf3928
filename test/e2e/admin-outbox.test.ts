/**
 * The alert outbox on the admin page, in real Chromium: with a webhook that keeps failing and an outbox
 * limit reached, the Devices view shows the alerts not yet sent, the age of the oldest, those whose
 * delivery failed and wait to be retried, and those not queued at all (highlighted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { BASE_ARGS } from './support/browser.js';

const ADMIN = 'e2e-outbox-admin-token-0123456789';
const INGEST = 'e2e-outbox-ingest-token-0123456789';

describe('admin page: alert outbox', () => {
  let c: Collector;
  let url: string;
  let browser: Browser;
  let hook: Server;
  let calls = 0;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-outbox-e2e-'));
    // A webhook receiver that is up but fails every call.
    hook = createServer((req, res) => {
      calls++;
      req.resume();
      req.on('end', () => res.writeHead(500).end());
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const webhookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    c = await createCollector({
      storage: new SqliteStorage({ path: join(dir, 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      // Two alerts fit; retries wait a minute, so the failed ones stay pending while the page looks.
      alerts: { webhookUrl, maxPending: 2, backoff: [60_000], pollMs: 100 },
    });
    url = await c.listen(0);
    // Three incidents in one batch: two queued, the third beyond the limit is dropped (and counted).
    const events = [0, 1, 2].map((i) => sampleEvent({ action: 'block', outcome: 'blocked', fileName: `秘—見積書-${i}.xlsx`, deviceId: `pc-${i}` }));
    for (const e of events) {
      const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [e] }) });
      expect(res.status).toBe(200);
    }
    await c.storage.upsertHeartbeat(sampleHeartbeat({ deviceId: 'pc-0', heartbeatMinutes: 15, installType: 'admin', managed: true }), Date.now());
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: BASE_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await c?.close();
    await c?.storage.close();
    hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows pending, oldest age, failed and dropped alerts, in Japanese and English', async () => {
    // Both queued alerts tried once and failed.
    await expect.poll(() => calls, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await c.outbox.status()).retrying, { timeout: 15_000 }).toBe(2);
    for (const [locale, pending] of [
      ['ja-JP', '未送信の通知'],
      ['en-US', 'Alerts not yet sent'],
    ] as const) {
      const page = await browser.newPage({ locale });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(url + '/admin/');
      await page.fill('input[name=token]', ADMIN);
      await page.click('button[type=submit]');
      await page.click('[data-view=devices]');
      await page.waitForSelector('[data-testid=alert-status]');
      const status = page.locator('[data-testid=alert-status]');
      expect(await page.textContent('[data-testid=alerts-pending]')).toBe('2');
      expect(await page.textContent('[data-testid=alerts-retrying]')).toBe('2');
      expect(await page.textContent('[data-testid=alerts-dropped]')).toBe('1');
      // The oldest unsent alert's age, in words (not a raw number of seconds).
      expect(await page.textContent('[data-testid=alerts-oldest]')).toMatch(locale === 'ja-JP' ? /分前$/ : /min/);
      expect(await status.textContent()).toContain(pending);
      // Failed and dropped alerts are highlighted.
      const highlighted = await status.locator('div.bad dd').evaluateAll((dds) => dds.map((d) => d.getAttribute('data-testid')));
      expect(highlighted).toEqual(expect.arrayContaining(['alerts-retrying', 'alerts-dropped']));
      expect(problems).toEqual([]);
      await page.close();
    }
  }, 60_000);
});
