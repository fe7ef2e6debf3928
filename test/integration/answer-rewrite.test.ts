/**
 * Red team G4: a second answer ("cancelled") to a warning, dated a few seconds before the real
 * "proceeded" answer, won ("the first answer counts" by the device's time): the admin page and the
 * decisions CSV showed the warning as "Not sent" and the justification disappeared. Now "sent anyway"
 * counts over "not sent", then the collector's order of arrival; the other answer is shown beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'ingest-token-for-answer-rewrite-0123';
const ADMIN = 'admin-token-for-answer-rewrite-0123';
const REASON = '自宅で作業するため';

describe('a late, back-dated answer does not rewrite "sent with a reason" (SQLite)', () => {
  let c: Collector;
  let dir: string;
  const post = (events: unknown[]) => c.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${INGEST}` }, payload: { events } });
  const get = (url: string) => c.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN}` } });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-rewrite-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false });
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the proceeded answer and its reason, and shows the other answer', async () => {
    const t = Date.now() - 60_000;
    const warning = sampleEvent({ time: new Date(t).toISOString(), action: 'warn', outcome: 'pending', fileName: 'rewrite.xlsx' });
    const proceeded = sampleEvent({ time: new Date(t + 10_000).toISOString(), action: 'warn', outcome: 'proceeded', relatesTo: warning.id, justification: REASON, fileName: 'rewrite.xlsx' });
    expect((await post([warning, proceeded])).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 5));
    // Claimed 4 s before the real answer, sent later.
    const rewrite = sampleEvent({ time: new Date(t + 6_000).toISOString(), action: 'warn', outcome: 'cancelled', relatesTo: warning.id, fileName: 'rewrite.xlsx' });
    expect((await post([rewrite])).statusCode).toBe(200);

    const page = (await get('/v1/admin/events?from=1d&format=json')).json() as { answers: Record<string, { outcome: string; justification: string | null }>; otherAnswers: Record<string, { outcome: string }[]> };
    expect(page.answers[warning.id]).toMatchObject({ outcome: 'proceeded', justification: REASON });
    expect(page.otherAnswers[warning.id]!.map((a) => a.outcome)).toEqual(['cancelled']);

    const csv = (await get('/v1/admin/export?from=1d&lang=en&tz=UTC')).body;
    const row = csv.split('\r\n').find((l) => l.includes(warning.id))!;
    expect(row).toContain('Sent with a reason');
    expect(row).toContain(REASON);
    expect(row).toContain('[Another answer: Not sent');
  });

  it('a "cancelled" that arrived first is not believed over a "proceeded" that came later', async () => {
    const t = Date.now() - 50_000;
    const warning = sampleEvent({ time: new Date(t).toISOString(), action: 'warn', outcome: 'pending' });
    const cancelled = sampleEvent({ time: new Date(t + 1_000).toISOString(), action: 'warn', outcome: 'cancelled', relatesTo: warning.id });
    expect((await post([warning, cancelled])).statusCode).toBe(200);
    const proceeded = sampleEvent({ time: new Date(t + 2_000).toISOString(), action: 'warn', outcome: 'proceeded', relatesTo: warning.id, justification: REASON });
    expect((await post([proceeded])).statusCode).toBe(200);
    const page = (await get('/v1/admin/events?from=1d&format=json')).json() as { answers: Record<string, { outcome: string; justification: string | null }> };
    expect(page.answers[warning.id]).toMatchObject({ outcome: 'proceeded', justification: REASON });
  });

  it('1,000 "cancelled" answers sent to one warning neither push its "proceeded" out nor a colleague\'s answer (round 4 M2)', async () => {
    const t = Date.now() - 40_000;
    const mine = sampleEvent({ time: new Date(t).toISOString(), action: 'warn', outcome: 'pending' });
    const colleague = sampleEvent({ time: new Date(t + 3_000).toISOString(), action: 'warn', outcome: 'pending' });
    const real = sampleEvent({ time: new Date(t + 9_000).toISOString(), action: 'warn', outcome: 'proceeded', relatesTo: mine.id, justification: REASON });
    const theirs = sampleEvent({ time: new Date(t + 4_000).toISOString(), action: 'warn', outcome: 'cancelled', relatesTo: colleague.id });
    expect((await post([mine, colleague, real, theirs])).statusCode).toBe(200);
    // Claimed between the two warnings and the real answer, in one batch under the same device.
    const flood = Array.from({ length: 1000 }, (_, i) => sampleEvent({ time: new Date(t + 5_000 + i).toISOString(), action: 'warn', outcome: 'cancelled', relatesTo: mine.id, deviceId: mine.deviceId }));
    expect((await post(flood)).statusCode).toBe(200);
    const page = (await get('/v1/admin/events?from=1d&format=json&outcome=pending')).json() as { answers: Record<string, { outcome: string; justification: string | null }> };
    expect(page.answers[mine.id]).toMatchObject({ outcome: 'proceeded', justification: REASON });
    expect(page.answers[colleague.id]).toMatchObject({ outcome: 'cancelled' });
  });
});
