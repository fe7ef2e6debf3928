/**
 * Refused admin requests are in the audit log: a viewer's token asking for an export, an admin token or
 * the audit log (403), and a guessed token (401). Requests with no credential at all (the page asking
 * "am I signed in?") are not. Real SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'audit-refused-admin-token-0123456789';

for (const backend of testBackends('refused')) {
  describe(`refused admin requests audited on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    let viewer: string;
    const call = (method: string, path: string, token?: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['audit-refused-ingest-token-0123456789'], adminTokens: [ADMIN] });
      url = await c.listen(0);
      viewer = (await (await call('POST', '/v1/admin/tokens', ADMIN, { name: 'wallboard', role: 'viewer' })).json()).token;
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('records each refusal with who, the route and why', async () => {
      expect((await call('GET', '/v1/admin/export?format=csv', viewer)).status).toBe(403);
      expect((await call('POST', '/v1/admin/tokens', viewer, { name: 'escalate', role: 'admin' })).status).toBe(403);
      expect((await call('GET', '/v1/admin/audit', viewer)).status).toBe(403);
      expect((await call('GET', '/v1/admin/events', 'ugt_000000000000_guessedsecretguessedsecret')).status).toBe(401);
      expect((await call('GET', '/v1/admin/events')).status).toBe(401);
      const entries = (await (await call('GET', '/v1/admin/audit?action=access.denied', ADMIN)).json()).entries as { actor: string; details: Record<string, unknown> }[];
      const seen = entries.map((e) => `${e.actor} ${String(e.details.route)} ${String(e.details.status)}`).sort();
      expect(seen).toEqual([
        'token:wallboard GET /v1/admin/audit 403',
        'token:wallboard GET /v1/admin/export 403',
        'token:wallboard POST /v1/admin/tokens 403',
        'unknown GET /v1/admin/events 401',
      ]);
      expect(JSON.stringify(entries)).not.toContain('guessedsecret');
    });
  });
}
