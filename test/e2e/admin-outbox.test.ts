/**
 * The alert outbox on the admin page, in real Chromium: with a webhook that keeps failing and an outbox
 * limit reached, the Devices view shows the alerts not yet sent, the age of the oldest, those whose
 * delivery failed and wait to be retried, and those not queued at all (highlighted).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { signInWithToken, startAdminLab, watchedPage, type AdminLab } from './support/admin-lab.js';

const ADMIN = 'e2e-outbox-admin-token-0123456789';
const INGEST = 'e2e-outbox-ingest-token-0123456789';

describe('admin page: alert outbox', () => {
  let lab: AdminLab;
  let hook: Server;
  let calls = 0;
  beforeAll(async () => {
    // A webhook receiver that is up but fails every call.
    hook = createServer((req, res) => {
      calls++;
      req.resume();
      req.on('end', () => res.writeHead(500).end());
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const webhookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    lab = await startAdminLab({
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      // Two alerts fit; retries wait a minute, so the failed ones stay pending while the page looks.
      alerts: { webhookUrl, maxPending: 2, backoff: [60_000], pollMs: 100 },
    });
    const { url, collector: c } = lab;
    // Three incidents in one batch: two queued, the third beyond the limit is dropped (and counted).
    const events = [0, 1, 2].map((i) => sampleEvent({ action: 'block', outcome: 'blocked', fileName: `秘—見積書-${i}.xlsx`, deviceId: `pc-${i}` }));
    for (const e of events) {
      const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [e] }) });
      expect(res.status).toBe(200);
    }
    await c.storage.upsertHeartbeat(sampleHeartbeat({ deviceId: 'pc-0', heartbeatMinutes: 15, installType: 'admin', managed: true }), Date.now());
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
    hook?.close();
  });

  it('shows pending, oldest age, failed and dropped alerts, in Japanese and English', async () => {
    // Both queued alerts tried once and failed.
    await expect.poll(() => calls, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await lab.collector.outbox.status()).retrying, { timeout: 15_000 }).toBe(2);
    for (const [locale, pending] of [
      ['ja-JP', '未送信の通知'],
      ['en-US', 'Alerts not yet sent'],
    ] as const) {
      const { page, dialogs, problems } = await watchedPage(lab.browser, { locale });
      await signInWithToken(page, lab.url, ADMIN);
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
      expect(dialogs).toEqual([]);
      await page.close();
    }
  }, 60_000);
});
