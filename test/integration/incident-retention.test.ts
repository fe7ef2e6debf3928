/**
 * Incidents under retention (SQLite; PostgreSQL with UPLOAD_GUARD_TEST_PG): the retention run deletes
 * the incidents whose events it deleted, with their triage and links, and the links of kept incidents
 * to purged events; an expired incident whose deadline alert is still undelivered in the outbox is kept
 * until the alert goes; each run is an audit entry. A real webhook receiver refuses one incident's alert.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/collector/accounts/store.js';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'retention-ingest-token-0123456789';
const ADMIN = 'retention-admin-token-01234567890';

const block = (time: string, user: string, file: string) => sampleEvent({ time, user, sha256: file.repeat(64) });
const expiredA = block('2026-09-20T03:00:00Z', 'old-a', 'a');
const expiredB = block('2026-09-20T04:00:00Z', 'old-b', 'b');
// One incident across the cut (2026-10-01T12:00Z with 30 days' retention at 10-31 12:00Z): one event each side.
const beforeCut = block('2026-10-01T11:59:00Z', 'straddle', 'c');
const afterCut = block('2026-10-01T12:01:00Z', 'straddle', 'c');
const recent = block('2026-10-31T06:00:00Z', 'recent', 'd');

interface Hook {
  server: Server;
  bodies: { kind?: string; incident?: { id: number; user: string } }[];
  refuse: Set<string>;
}

describe.each(testBackends('retention'))('incidents under retention ($name)', (backend) => {
  let storage: Storage;
  let c: Collector;
  let url: string;
  let clock = Date.parse('2026-10-01T00:00:00Z');
  const hook: Hook = { server: createServer(), bodies: [], refuse: new Set(['old-b']) };
  const get = async <T,>(path: string) => (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as T;
  const incidents = async () =>
    (await get<{ incidents: { id: number; user: string; events: number; status: string }[] }>('/v1/admin/incidents?limit=500')).incidents;
  const links = async (id: number) => Number((await sqlFor(storage).all<{ n: number }>(`SELECT count(*) AS n FROM ${sqlFor(storage).t('incident_events')} WHERE incident_id = ?`, [id]))[0]!.n);
  // Up to 20 s: the webhook sender's turn comes later on a loaded machine (a CI preview failed at 5 s).
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 800 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(what()).toBe(true);
  };

  const untilAsync = async (what: () => Promise<boolean>) => {
    let ok = false;
    for (let i = 0; i < 800 && !(ok = await what()); i++) await new Promise((r) => setTimeout(r, 25));
    expect(ok).toBe(true);
  };

  beforeAll(async () => {
    hook.server.on('request', (req, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        const body = JSON.parse(data) as Hook['bodies'][number];
        if (body.incident && hook.refuse.has(body.incident.user)) return void res.writeHead(503).end();
        hook.bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.server.listen(0, '127.0.0.1', r));
    storage = await backend.open();
    c = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      adminRateLimit: { perSecond: 1000, burst: 1000 },
      timeWindow: false,
      now: () => clock,
      retentionDays: 30,
      retentionIntervalMs: 3_600_000,
      alerts: { webhookUrl: `http://127.0.0.1:${(hook.server.address() as { port: number }).port}/hook`, backoff: [50] },
    });
    url = await c.listen(0);
    await fetch(`${url}/v1/admin/incident-settings`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ timeZone: 'UTC' }) });
    for (const e of [expiredA, expiredB, beforeCut, afterCut, recent]) await storage.insertEvents([e], Date.parse(e.time));
  });
  afterAll(async () => {
    await c.close();
    await backend.cleanup(storage);
    hook.server.close();
  });

  it('deletes expired incidents with their links, keeps one whose deadline alert is undelivered, and audits each run', async () => {
    // 10/01 00:00Z: the September incidents are overdue and alert; old-b's alert is refused (still pending).
    const all = await incidents();
    const id = (user: string) => all.find((i) => i.user === user)!.id;
    expect(all.map((i) => i.user).sort()).toEqual(['old-a', 'old-b', 'recent', 'straddle']);
    await until(() => hook.bodies.some((b) => b.incident?.user === 'old-a'));
    // The receiver answers before the outbox records the delivery: wait for the record too, or the
    // retention run below may still see old-a's alert as pending and keep its incident (a CI run did).
    await untilAsync(async () => (await c.storage.outboxStats()).delivered >= hook.bodies.length);
    expect((await c.storage.outboxStats()).pending).toBeGreaterThan(0);
    expect(await links(id('straddle'))).toBe(2);

    // 10/31 12:00Z with 30 days: everything before 10/01 12:00Z is past retention.
    clock = Date.parse('2026-10-31T12:00:00Z');
    expect(await c.purgeExpired()).toBe(3);
    const kept = await incidents();
    expect(kept.map((i) => i.user).sort()).toEqual(['old-b', 'recent', 'straddle']);
    expect(await links(id('old-a'))).toBe(0);
    // The straddling incident stays (its last event is inside the period); its link to the purged event goes.
    expect(await links(id('straddle'))).toBe(1);
    // old-b's incident is kept (with its triage) for its alert; its event is gone, and so is the link to it.
    expect(await links(id('old-b'))).toBe(0);
    const audit = await AccountStore.of(storage).audit({ action: 'retention.purge', limit: 10 });
    expect(audit[0]).toMatchObject({ actor: 'system', details: { retentionDays: 30, events: 3, incidents: 1, incidentLinks: 3, incidentsKeptForAlerts: 1 } });

    // Once old-b's alert is delivered, the next run takes its incident.
    hook.refuse.clear();
    // The retry is due 50 ms after the last attempt, on the collector's clock, which moves on while we
    // wait (an attempt refused just after one step is due again at the next).
    await until(() => ((clock += 100), hook.bodies.some((b) => b.incident?.user === 'old-b')));
    await c.outbox.idle();
    await c.purgeExpired();
    expect((await incidents()).map((i) => i.user).sort()).toEqual(['recent', 'straddle']);
    const again = await AccountStore.of(storage).audit({ action: 'retention.purge', limit: 10 });
    expect(again[0]).toMatchObject({ details: { events: 0, incidents: 1, incidentLinks: 0, incidentsKeptForAlerts: 0 } });
  });
});
