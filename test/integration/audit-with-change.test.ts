/**
 * Red team G1: admin changes were made first and audited second, so while audit_log could not be
 * written (a lock, a VACUUM FULL, a full disk) a new admin account, a promotion, a deletion, a token
 * revocation, an incident closed as "false positive" and a 30-day reporting deadline all took effect
 * with no entry (the account routes even answered 503). Each change and its entry are now one
 * transaction: the request fails and nothing changes; once the log can be written, both are there.
 * SQLite (a trigger refuses the insert) and, with UPLOAD_GUARD_TEST_PG, PostgreSQL (the same trigger, and
 * a real ACCESS EXCLUSIVE lock held by another session until the statement timeout).
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { refuseAudit, testBackends, type Backend } from '../support/backends.js';

const ADMIN = 'audit-with-change-admin-token-0123456789';


// PostgreSQL with a short statement timeout, so a locked audit_log fails a request in a second.
const backends: Backend[] = testBackends('auditchange').map((b) =>
  b.name === 'postgres'
    ? { ...b, open: () => PostgresStorage.open({ connectionString: process.env.UPLOAD_GUARD_TEST_PG!, schema: `ug_auditchange_${randomUUID().replace(/-/g, '').slice(0, 16)}`, poolSize: 4, statementTimeoutMs: 1500 }) }
    : b,
);

for (const backend of backends) {
  describe(`an admin change and its audit entry are one transaction (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    let incident: number;
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, body: (await r.json().catch(() => null)) as Record<string, unknown> | null };
    };
    const entries = async () => ((await call('GET', '/v1/admin/audit?limit=500')).body as { entries: { action: string; details: Record<string, unknown> }[] }).entries;
    const state = async () => {
      const accounts = ((await call('GET', '/v1/admin/accounts')).body as { accounts: { name: string; role: string }[] }).accounts;
      const tokens = ((await call('GET', '/v1/admin/tokens')).body as { tokens: { name: string; revokedAt: string | null }[] }).tokens;
      const inc = (await call('GET', `/v1/admin/incidents/${incident}`)).body as { incident: { status: string } };
      const settings = (await call('GET', '/v1/admin/incident-settings')).body as { reportHours: number };
      return {
        backdoor: accounts.find((a) => a.name === 'backdoor')?.role ?? null,
        victim: accounts.find((a) => a.name === 'victim')?.role ?? null,
        gone: accounts.some((a) => a.name === 'gone'),
        siemRevoked: tokens.find((t) => t.name === 'siem')?.revokedAt !== null,
        incident: inc.incident.status,
        reportHours: settings.reportHours,
      };
    };
    // The six changes of the red team's auditlock3.sh, sent at once.
    const changes = () =>
      Promise.all([
        call('POST', '/v1/admin/accounts', { name: 'backdoor', role: 'admin', password: 'correct horse battery staple 1' }),
        call('PATCH', '/v1/admin/accounts/victim', { role: 'admin' }),
        call('DELETE', '/v1/admin/accounts/gone'),
        call('DELETE', '/v1/admin/tokens/siem'),
        call('PATCH', `/v1/admin/incidents/${incident}`, { status: 'closed', notes: 'false positive' }),
        call('PUT', '/v1/admin/incident-settings', { reportHours: 720 }),
      ]);
    const before = { backdoor: null, victim: 'viewer', gone: true, siemRevoked: false, incident: 'new', reportHours: 24 };

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['audit-with-change-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false });
      url = await c.listen(0);
      await storage.insertEvents([sampleEvent({ time: new Date(Date.now() - 3_600_000).toISOString() })], Date.now());
      incident = ((await call('GET', '/v1/admin/incidents')).body as { incidents: { id: number }[] }).incidents[0]!.id;
      const setup = [
        await call('POST', '/v1/admin/accounts', { name: 'victim', role: 'viewer', password: 'correct horse battery staple 2' }),
        await call('POST', '/v1/admin/accounts', { name: 'gone', role: 'viewer', password: 'correct horse battery staple 3' }),
        await call('POST', '/v1/admin/tokens', { name: 'siem', role: 'viewer' }),
      ];
      expect(setup.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(await state()).toEqual(before);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('an audit entry that cannot be written fails the request and leaves no change', async () => {
      const had = (await entries()).length;
      await refuseAudit(storage, true);
      let answers;
      try {
        answers = await changes();
      } finally {
        await refuseAudit(storage, false);
      }
      for (const a of answers) expect(a.status).toBeGreaterThanOrEqual(500);
      expect(await state()).toEqual(before);
      // Nothing on record either (the reads above are not audited entries of a change).
      const now = await entries();
      const changeActions = ['account.create', 'account.role', 'account.delete', 'token.revoke', 'incident.update', 'settings.update'];
      expect(now.slice(0, now.length - had).filter((e) => changeActions.includes(e.action))).toEqual([]);
    });

    it('a sign-in whose entry cannot be written is refused, and its session does not work (round 4 M4)', async () => {
      const signIn = () => fetch(url + '/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'victim', password: 'correct horse battery staple 2' }) });
      await refuseAudit(storage, true);
      let r;
      try {
        r = await signIn();
      } finally {
        await refuseAudit(storage, false);
      }
      expect(r.status).toBe(503);
      const cookie = (r.headers.get('set-cookie') ?? '').match(/ug_session=[^;]+/)?.[0] ?? '';
      const me = (await (await fetch(url + '/v1/auth/me', { headers: { cookie } })).json()) as { signedIn: boolean };
      expect(me.signedIn).toBe(false);
      expect((await signIn()).status).toBe(200);
      expect((await entries()).some((e) => e.action === 'signin.success')).toBe(true);
    });

    if (backend.name === 'postgres') {
      it('a locked audit_log (another session holds ACCESS EXCLUSIVE): each change is made with its entry or not at all', async () => {
        const pgs = storage as PostgresStorage;
        const locker = new pg.Client({ connectionString: process.env.UPLOAD_GUARD_TEST_PG });
        await locker.connect();
        let answers;
        try {
          await locker.query('BEGIN');
          await locker.query(`LOCK TABLE ${pgs.schema}.audit_log IN ACCESS EXCLUSIVE MODE`);
          answers = await changes();
        } finally {
          await locker.query('ROLLBACK').catch(() => {});
          await locker.end();
        }
        // The statement timeout (1.5 s) ran out under the lock: every request failed, nothing changed.
        for (const a of answers) expect(a.status).toBeGreaterThanOrEqual(500);
        expect(await state()).toEqual(before);
      }, 30_000);
    }

    it('with the log writable again, each change is made together with its entry', async () => {
      const answers = await changes();
      expect(answers.map((a) => a.status)).toEqual([201, 200, 200, 200, 200, 200]);
      expect(await state()).toEqual({ backdoor: 'admin', victim: 'admin', gone: false, siemRevoked: true, incident: 'closed', reportHours: 720 });
      const actions = (await entries()).map((e) => e.action);
      for (const a of ['account.create', 'account.role', 'account.delete', 'token.revoke', 'incident.update', 'settings.update']) expect(actions).toContain(a);
    });

    it("each save of an incident's notes keeps their text in the audit log, so a later save cannot wipe what they said (round 4 L3)", async () => {
      const first = '12:05 本人に確認。13:00 A社へ報告済み（佐藤）';
      expect((await call('PATCH', `/v1/admin/incidents/${incident}`, { notes: first })).status).toBe(200);
      expect((await call('PATCH', `/v1/admin/incidents/${incident}`, { notes: '誤検知。対応不要。' })).status).toBe(200);
      const notes = (await entries()).filter((e) => e.action === 'incident.update').map((e) => e.details.notes);
      expect(notes).toEqual(expect.arrayContaining([first, '誤検知。対応不要。']));
    });

    it('a long note is bounded in its entry (its start, length and SHA-256) and kept whole in the incident', async () => {
      const long = `${'調査メモ：'.repeat(400)}末尾`;
      const r = await call('PATCH', `/v1/admin/incidents/${incident}`, { notes: long });
      expect(r.status).toBe(200);
      expect((r.body as { incident: { notes: string } }).incident.notes).toBe(long);
      const entry = (await entries()).find((e) => e.action === 'incident.update' && (e.details.notesLength as number) > 500)!;
      expect(entry.details).toMatchObject({ notes: `${[...long].slice(0, 500).join('')}…`, notesLength: [...long].length, notesCut: true, notesSha256: createHash('sha256').update(long).digest('hex') });
      expect(JSON.stringify(entry.details).length).toBeLessThan(1_000);
    });
  });
}

for (const backend of testBackends('tokdup')) {
  describe(`two token creations with one name at once (${backend.name}, red team G11)`, () => {
    let storage: Storage;
    let c: Collector;
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['audit-with-change-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('make one token and one token.create entry; the others get 409', async () => {
      const make = () => c.app.inject({ method: 'POST', url: '/v1/admin/tokens', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: 'siem-dup', role: 'admin' } });
      const answers = await Promise.all([make(), make(), make(), make()]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409]);
      const tokens = (await c.app.inject({ method: 'GET', url: '/v1/admin/tokens', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { tokens: { name: string }[] };
      expect(tokens.tokens.filter((t) => t.name === 'siem-dup')).toHaveLength(1);
      const audit = (await c.app.inject({ method: 'GET', url: '/v1/admin/audit?action=token.create', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { entries: unknown[] };
      expect(audit.entries).toHaveLength(1);
    });
  });
}
