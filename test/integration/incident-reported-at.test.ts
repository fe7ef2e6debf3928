/**
 * Red team G5: an incident could be recorded as reported to the customer at any instant (1970, or next
 * year); the periodic report then counted it "within the agreed time" with a negative median time to
 * report. reportedAt must lie between the incident's first event and now (plus a few minutes of clock
 * skew); a refusal says why and is in the audit log. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'incident-reported-at-admin-token-0123';

for (const backend of testBackends('reportedat')) {
  describe(`reportedAt is checked (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    let id: number;
    let openedAt: string;
    const call = async (method: string, url: string, body?: unknown) => {
      const r = await c.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN}` }, ...(body ? { payload: body as object } : {}) });
      return { status: r.statusCode, body: r.json() as Record<string, unknown> };
    };
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['incident-reported-at-ingest-token-0123'], adminTokens: [ADMIN], timeWindow: false });
      await storage.insertEvents([sampleEvent({ time: new Date(Date.now() - 2 * 3_600_000).toISOString() })], Date.now());
      const list = (await call('GET', '/v1/admin/incidents')).body as { incidents: { id: number; openedAt: string }[] };
      ({ id, openedAt } = list.incidents[0]!);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('refuses a time before the first event or in the future, with the reason, on record', async () => {
      const early = await call('PATCH', `/v1/admin/incidents/${id}`, { status: 'reported', reportedAt: '1970-01-01T00:00:00Z' });
      expect(early.status).toBe(400);
      expect(early.body.error).toMatch(/before the incident's first event/);
      const ahead = new Date(Date.now() + 86_400_000).toISOString();
      const future = await call('PATCH', `/v1/admin/incidents/${id}`, { status: 'reported', reportedAt: ahead });
      expect(future.status).toBe(400);
      expect(future.body.error).toMatch(/in the future/);
      const got = (await call('GET', `/v1/admin/incidents/${id}`)).body as { incident: { status: string; reportedAt: string | null } };
      expect(got.incident).toMatchObject({ status: 'new', reportedAt: null });
      const refused = (await call('GET', '/v1/admin/audit?action=incident.update.refused')).body as { entries: unknown[] };
      expect(refused.entries).toHaveLength(2);
    });

    it('records every refused triage or settings change with its status and reason (red team coll7 F3, F4)', async () => {
      const before = ((await call('GET', '/v1/admin/audit?action=incident.update.refused')).body as { entries: unknown[] }).entries.length;
      // NUL in the notes: PostgreSQL's text cannot hold it (500 there before); refused on both, the notes unchanged.
      const nul = await call('PATCH', `/v1/admin/incidents/${id}`, { notes: 'false positive\u0000' });
      expect(nul.status).toBe(400);
      expect(nul.body.error).toMatch(/NUL/);
      expect(((await call('GET', `/v1/admin/incidents/${id}`)).body as { incident: { notes: string | null } }).incident.notes).toBeNull();
      expect((await call('PATCH', `/v1/admin/incidents/${id}`, { status: 'gone' })).status).toBe(400);
      expect((await call('PATCH', '/v1/admin/incidents/999999', { status: 'closed' })).status).toBe(404);
      expect((await call('PATCH', '/v1/admin/incidents/x', { status: 'closed' })).status).toBe(400);
      const entries = ((await call('GET', '/v1/admin/audit?action=incident.update.refused')).body as { entries: { actor: string; details: Record<string, unknown> }[] }).entries;
      expect(entries.slice(0, entries.length - before).map((e) => [e.details.id, e.details.status]).reverse()).toEqual([
        [id, 400],
        [id, 400],
        [999999, 404],
        ['x', 400],
      ]);
      expect(entries[0]!.actor).toMatch(/^token:legacy-/);
      expect(entries[0]!.details.reason).toBeTruthy();
      expect((await call('PUT', '/v1/admin/incident-settings', { reportHours: 0 })).status).toBe(400);
      const settings = ((await call('GET', '/v1/admin/audit?action=settings.update.refused')).body as { entries: { details: Record<string, unknown> }[] }).entries;
      expect(settings).toHaveLength(1);
      expect(settings[0]!.details).toMatchObject({ status: 400, reason: expect.stringMatching(/reportHours/) });
    });

    it('records which incident was read (red team coll7 F6)', async () => {
      await call('GET', `/v1/admin/incidents/${id}`);
      const read = ((await call('GET', '/v1/admin/audit?action=incidents.read&limit=1')).body as { entries: { details: Record<string, unknown> }[] }).entries;
      expect(read[0]!.details).toEqual({ query: {}, params: { id: String(id) } });
    });

    it('an incident is read or changed only by its number as written: 0x1, 01, 1e0, +1, 1.0 are refused, so the audit entry names it as a search finds it', async () => {
      for (const alias of [`0x${id.toString(16)}`, `0${id}`, `${id}e0`, `+${id}`, `${id}.0`, `%20${id}`, `${id}%20`, '0', '9007199254740993']) {
        expect((await call('GET', `/v1/admin/incidents/${alias}`)).status, alias).toBe(400);
        expect((await call('PATCH', `/v1/admin/incidents/${alias}`, { assignee: 'someone' })).status, alias).toBe(400);
      }
      expect(((await call('GET', `/v1/admin/incidents/${id}`)).body as { incident: { assignee: string | null } }).incident.assignee).toBeNull();
      const reads = ((await call('GET', '/v1/admin/audit?action=incidents.read&limit=1')).body as { entries: { details: { params: { id: string } } }[] }).entries;
      expect(reads[0]!.details.params.id).toBe(String(id));
    });

    it('takes a time between the first event and now (a minute ahead is clock skew)', async () => {
      const between = new Date(Date.parse(openedAt) + 60_000).toISOString();
      expect((await call('PATCH', `/v1/admin/incidents/${id}`, { status: 'reported', reportedAt: between })).status).toBe(200);
      const skew = new Date(Date.now() + 60_000).toISOString();
      expect((await call('PATCH', `/v1/admin/incidents/${id}`, { reportedAt: skew })).status).toBe(200);
      expect((await call('PATCH', `/v1/admin/incidents/${id}`, { reportedAt: null })).status).toBe(200);
    });
  });
}

for (const backend of testBackends('triagever')) {
  describe(`two people saving one incident at once (${backend.name}, red team G10)`, () => {
    let storage: Storage;
    let c: Collector;
    const call = async (method: string, url: string, body?: unknown) => {
      const r = await c.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN}` }, ...(body ? { payload: body as object } : {}) });
      return { status: r.statusCode, body: r.json() as Record<string, unknown> };
    };
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['incident-reported-at-ingest-token-0123'], adminTokens: [ADMIN], timeWindow: false });
      await storage.insertEvents([sampleEvent({ time: new Date(Date.now() - 3_600_000).toISOString() })], Date.now());
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('the second save made from a stale read is refused with 409 and the first one stays', async () => {
      const list = (await call('GET', '/v1/admin/incidents')).body as { incidents: { id: number; updatedAt: string }[] };
      const { id, updatedAt } = list.incidents[0]!;
      const a = await call('PATCH', `/v1/admin/incidents/${id}`, { status: 'closed', notes: 'B: false positive', ifUpdatedAt: updatedAt });
      expect(a.status).toBe(200);
      const b = await call('PATCH', `/v1/admin/incidents/${id}`, { status: 'investigating', assignee: 'yamada', notes: 'A: customer informed', ifUpdatedAt: updatedAt });
      expect(b.status).toBe(409);
      expect(b.body.error).toMatch(/someone else saved this incident/);
      const got = (await call('GET', `/v1/admin/incidents/${id}`)).body as { incident: { status: string; notes: string } };
      expect(got.incident).toMatchObject({ status: 'closed', notes: 'B: false positive' });
      expect(((await call('GET', '/v1/admin/audit?action=incident.update.refused')).body as { entries: unknown[] }).entries).toHaveLength(1);
      // Without ifUpdatedAt (older clients, scripts) a save still goes through.
      expect((await call('PATCH', `/v1/admin/incidents/${id}`, { assignee: 'sato' })).status).toBe(200);
    });
  });
}
