/**
 * Red team collector6 #1: an incident's reporting deadline runs from when the collector received its
 * first event (its own clock), not from the time the device claims. A device whose clock is 20 h behind
 * (well inside the 30 days an event time is believed) opened incidents 4 h from their deadline, with a
 * due-soon alert at once; 23 h behind: overdue before anyone could have seen them. A later event of the
 * same incident dated earlier by its device moved the deadline, and with it the alert's ref (a second
 * due-soon alert). Over real HTTP, on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { IncidentStore } from '../../src/collector/incidents/store.js';
import { createCollector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { testBackends } from '../support/backends.js';
import { postEvents } from '../support/ingest.js';

const INGEST = 'arrival-ingest-token-0123456789';
const ADMIN = 'arrival-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const NOW = Date.parse('2026-12-02T03:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function storageFor(pg: boolean): Promise<Storage> {
  const backend = testBackends('arrival').find((b) => b.name === (pg ? 'postgres' : 'sqlite'))!;
  const s = await backend.open();
  cleanups.push(() => backend.cleanup(s));
  return s;
}

interface IncidentView {
  id: number;
  user: string;
  openedAt: string;
  deadline: string;
  minutesLeft: number;
}

describe.each([
  { name: 'sqlite', pg: false },
  ...(PG_URL ? [{ name: 'postgres', pg: true }] : []),
])('incident deadlines from the collector clock ($name)', ({ pg }) => {
  it('a device clock behind neither shortens the deadline nor moves it', async () => {
    const storage = await storageFor(pg);
    const clock = { ms: NOW };
    // The default time window: device times up to 30 days back are believed (devices queue offline).
    const c = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      adminRateLimit: { perSecond: 1000, burst: 1000 },
      now: () => clock.ms,
      alerts: { webhookUrl: 'http://127.0.0.1:9/hook', backoff: [3_600_000] },
    });
    const url = await c.listen(0, '127.0.0.1');
    cleanups.push(() => c.close());
    const post = (events: unknown[]) => postEvents(url, INGEST, events);
    const list = async () => {
      const r = await fetch(url + '/v1/admin/incidents?limit=100', { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(r.status).toBe(200);
      return ((await r.json()) as { incidents: IncidentView[] }).incidents;
    };
    const alerts = async () => {
      const sql = sqlFor(storage);
      return (await sql.all<{ ref: string }>(`SELECT ref FROM ${sql.t('outbox')} WHERE ref LIKE 'incident-deadline:%' ORDER BY ref`)).map((r) => r.ref);
    };
    const block = (user: string, time: number, sha: string) =>
      sampleEvent({ time: new Date(time).toISOString(), user, action: 'block', outcome: 'blocked', sha256: sha.repeat(64), deviceId: `pc-${user}` });

    // Device clocks 20 h and 23 h behind, and one right: each sends a block now. (Same JST day for all.)
    await post([block('slow@example.co.jp', NOW - 20 * HOUR, 'a'), block('slower@example.co.jp', NOW - 23 * HOUR, 'b'), block('right@example.co.jp', NOW - MIN, 'c')]);
    const first = await list();
    expect(first).toHaveLength(3);
    for (const i of first) {
      // The team heard of each at NOW: 24 h from then, whatever the device said.
      expect({ user: i.user, deadline: i.deadline }).toEqual({ user: i.user, deadline: new Date(NOW + 24 * HOUR).toISOString() });
      expect(i.minutesLeft).toBe(24 * 60);
    }
    // What the device said is still when it happened.
    expect(first.find((i) => i.user === 'slow@example.co.jp')!.openedAt).toBe(new Date(NOW - 20 * HOUR).toISOString());
    // Nothing is due soon (a quarter of the time left is 18 h away): no alert at once.
    expect(await alerts()).toEqual([]);

    // Two hours later the slow device sends another block of the same file, dated even earlier: the
    // incident grows, its deadline stays.
    clock.ms = NOW + 2 * HOUR;
    await post([block('slow@example.co.jp', NOW - 22 * HOUR, 'a')]);
    const slow = (await list()).find((i) => i.user === 'slow@example.co.jp')!;
    expect(slow.deadline).toBe(new Date(NOW + 24 * HOUR).toISOString());
    expect(slow.openedAt).toBe(new Date(NOW - 22 * HOUR).toISOString());

    // 19 h after arrival: each is due soon, one alert each; 25 h: overdue, one more each.
    clock.ms = NOW + 19 * HOUR;
    await list();
    expect((await alerts()).map((r) => r.split(':')[1])).toEqual(['due-soon', 'due-soon', 'due-soon']);
    clock.ms = NOW + 25 * HOUR;
    await list();
    expect((await alerts()).filter((r) => r.startsWith('incident-deadline:overdue:'))).toHaveLength(3);
    expect(await alerts()).toHaveLength(6);

    // The slow PC's incident reported at a time its own clock allows (after its first event, before the
    // collector heard of it: told by phone before the PC synced): no negative time to report.
    const r = await fetch(url + `/v1/admin/incidents/${slow.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ status: 'reported', reportedAt: new Date(NOW - 21 * HOUR).toISOString() }),
    });
    expect(r.status, await r.clone().text()).toBe(200);
    expect(await new IncidentStore(sqlFor(storage)).reporting(NOW - 48 * HOUR, NOW + 48 * HOUR, 24)).toEqual({ reported: 1, withinAgreed: 1, medianHours: 0, agreedHours: 24 });
  });
});
