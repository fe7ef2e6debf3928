/**
 * Red team collector6 #3: each incident gets its deadline alerts whatever else is open. The refresh
 * took the 500 oldest open incidents past the due-soon mark and queued their alerts (the outbox drops
 * a ref it already holds), so once 500 incidents were left open and overdue (a noisy week of
 * "could not be checked" nobody closed), no newer incident ever got a due-soon or overdue alert. And
 * the hourly purge of delivered alerts (kept 7 days) let the next refresh queue an open incident's
 * overdue alert again: the same alert once more every week. And an alert queued while the webhook was
 * down went out once it was back, about an incident reported or closed meanwhile. Over real HTTP, on SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { createCollector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { testBackends } from '../support/backends.js';
import { postEvents } from '../support/ingest.js';

const INGEST = 'alerts-ingest-token-0123456789';
const ADMIN = 'alerts-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const NOW = Date.parse('2026-12-02T03:00:00Z');
const HOUR = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function storageFor(pg: boolean): Promise<Storage> {
  const backend = testBackends('alerts').find((b) => b.name === (pg ? 'postgres' : 'sqlite'))!;
  const s = await backend.open();
  cleanups.push(() => backend.cleanup(s));
  return s;
}

describe.each([
  { name: 'sqlite', pg: false },
  ...(PG_URL ? [{ name: 'postgres', pg: true }] : []),
])('incident deadline alerts ($name)', ({ pg }) => {
  it('reach a new incident behind 600 open overdue ones, and are not sent again after the purge', async () => {
    const storage = await storageFor(pg);
    const clock = { ms: NOW };
    const c = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      adminRateLimit: { perSecond: 1000, burst: 1000 },
      ingestRateLimit: { perSecond: 0, burst: 0 },
      // A loaded test machine must not refuse the 600-event batch as overload.
      admission: { maxLagMs: 60_000, targetMs: 60_000 },
      timeWindow: false,
      now: () => clock.ms,
      // Nobody listens: the rows in the outbox are what count.
      alerts: { webhookUrl: 'http://127.0.0.1:9/hook', backoff: [3_600_000] },
    });
    const url = await c.listen(0, '127.0.0.1');
    cleanups.push(() => c.close());
    const post = (events: unknown[]) => postEvents(url, INGEST, events);
    const refresh = async () => {
      const r = await fetch(url + '/v1/admin/incidents?limit=1', { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(r.status).toBe(200);
    };
    const sql = sqlFor(storage);
    const alertsFor = async (user: string) =>
      (await sql.all<{ payload: string; ref: string }>(`SELECT payload, ref FROM ${sql.t('outbox')} WHERE ref LIKE 'incident-deadline:%' ORDER BY id`))
        .filter((r) => (JSON.parse(r.payload) as { incident: { user: string } }).incident.user === user)
        .map((r) => r.ref.split(':')[1]);
    const countAlerts = async () => Number((await sql.all<{ n: number | string }>(`SELECT count(*) AS n FROM ${sql.t('outbox')} WHERE ref LIKE 'incident-deadline:%'`))[0]!.n);
    const block = (user: string, i: number) =>
      sampleEvent({ time: new Date(clock.ms - 60_000).toISOString(), user, action: 'block', outcome: 'blocked', sha256: i.toString(16).padStart(64, '0'), deviceId: 'pc-1' });

    // 600 incidents nobody triages, a day old: all overdue.
    await post(Array.from({ length: 600 }, (_, i) => block('noisy@example.co.jp', i)));
    clock.ms = NOW + 25 * HOUR;
    await refresh();
    await refresh();
    // Then hanako's block: a quarter of its time left 18 h later, overdue 24 h later.
    await post([block('hanako@example.co.jp', 9999)]);
    clock.ms = NOW + 25 * HOUR + 19 * HOUR;
    await refresh();
    expect(await alertsFor('hanako@example.co.jp')).toEqual(['due-soon']);
    clock.ms = NOW + 25 * HOUR + 25 * HOUR;
    await refresh();
    await refresh();
    expect(await alertsFor('hanako@example.co.jp')).toEqual(['due-soon', 'overdue']);
    expect(await countAlerts()).toBe(600 + 2);

    // Reported while the webhook is down: its overdue alert, still queued, is taken back (it would go out
    // once the webhook is back, about an incident reported meanwhile). Reopened, it is queued again.
    const hanako = await fetch(url + '/v1/admin/incidents?user=hanako@example.co.jp', { headers: { authorization: `Bearer ${ADMIN}` } })
      .then((r) => r.json() as Promise<{ incidents: { id: number; user: string }[] }>)
      .then((b) => b.incidents.find((i) => i.user === 'hanako@example.co.jp')!.id);
    const patch = async (body: unknown) => {
      const r = await fetch(url + `/v1/admin/incidents/${hanako}`, { method: 'PATCH', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBe(200);
    };
    const pending = async (user: string) =>
      (await sql.all<{ payload: string; ref: string }>(`SELECT payload, ref FROM ${sql.t('outbox')} WHERE ref LIKE 'incident-deadline:%' AND delivered_ms IS NULL ORDER BY id`))
        .filter((r) => (JSON.parse(r.payload) as { incident: { user: string } }).incident.user === user)
        .map((r) => r.ref.split(':')[1]);
    expect(await pending('hanako@example.co.jp')).toEqual(['due-soon', 'overdue']);
    await patch({ status: 'reported' });
    expect(await pending('hanako@example.co.jp')).toEqual([]);
    await refresh();
    expect(await pending('hanako@example.co.jp')).toEqual([]);
    await patch({ status: 'investigating', reportedAt: null });
    await refresh();
    expect(await pending('hanako@example.co.jp')).toEqual(['overdue']);
    expect(await countAlerts()).toBe(600 + 1);
    // Closed as a false positive: the same.
    await patch({ status: 'closed' });
    expect(await pending('hanako@example.co.jp')).toEqual([]);
    expect(await countAlerts()).toBe(600);

    // Delivered, and purged 7 days later (jobs.ts): the open incidents are not alerted again.
    await sql.run(`UPDATE ${sql.t('outbox')} SET delivered_ms = ?`, [clock.ms]);
    clock.ms += 8 * 24 * HOUR;
    await storage.purgeDeliveredAlerts(clock.ms - 7 * 24 * HOUR);
    expect(await countAlerts()).toBe(0);
    await refresh();
    await refresh();
    expect(await countAlerts()).toBe(0);

    // An agreed time that is no whole number of milliseconds (1.0000001 h): PostgreSQL refused the
    // fractional bound ("invalid input syntax for type bigint"), and every incident read failed with it.
    const put = await fetch(url + '/v1/admin/incident-settings', { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ reportHours: 1.0000001 }) });
    expect(put.status).toBe(200);
    await post([block('jiro@example.co.jp', 7777)]);
    clock.ms += 2 * HOUR;
    // The 600 open ones have a new deadline, so a new overdue alert each: two refreshes of 500.
    await refresh();
    await refresh();
    expect(await alertsFor('jiro@example.co.jp')).toEqual(['overdue']);
  }, 120_000);
});
