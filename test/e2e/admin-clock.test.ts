/**
 * Red team L2, on the admin page in real Chromium: an event whose device clock was far off sits in the
 * list at its arrival (it cannot pin itself to the top or the bottom), and its row says so, with the time
 * the device claimed, in Japanese (default) and English. Before, the row looked like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { signInWithToken, startAdminLab, type AdminLab } from './support/admin-lab.js';

const ADMIN = 'e2e-clock-admin-token-0123456789';
const INGEST = 'e2e-clock-ingest-token-0123456789';

describe('admin page: a device clock far off', () => {
  let lab: AdminLab;
  beforeAll(async () => {
    lab = await startAdminLab({ ingestTokens: [INGEST], adminTokens: [ADMIN] });
    const { url } = lab;
    const events = [
      sampleEvent({ time: '9999-12-31T00:00:00.000Z', fileName: '秘—clock-ahead.docx' }),
      sampleEvent({ time: new Date(Date.now() - 3_600_000).toISOString(), fileName: '社外秘-clock-normal.docx' }),
    ];
    const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(await r.json()).toMatchObject({ accepted: 2 });
  });
  afterAll(() => lab?.close());

  for (const [locale, flag] of [
    ['ja-JP', '端末の時計が不自然なため受信日時で表示。端末の日時: 9999/12/31'],
    ['en-US', "Device clock implausible: shown at receipt. The device's time: 9999-12-31"],
  ] as const) {
    it(`flags the row, with the claimed time (${locale})`, async () => {
      const page = await lab.browser.newPage({ locale, timezoneId: 'UTC' });
      await signInWithToken(page, lab.url, ADMIN);
      await page.waitForSelector('[data-testid=events] tbody tr');
      const row = (name: string) => page.locator('[data-testid=events] tbody tr', { hasText: name });
      expect(await row('秘—clock-ahead.docx').locator('td.time .clock-off').textContent()).toContain(flag);
      expect(await row('社外秘-clock-normal.docx').locator('td.time .clock-off').count()).toBe(0);
      await page.close();
    });
  }
});
