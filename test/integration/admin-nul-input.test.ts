/**
 * A NUL in an account name, a token id or an audit filter is a clear refusal, not a 500 (red team coll9,
 * a sweep of every admin route with hostile values): on PostgreSQL, whose text cannot hold NUL, inviting
 * 「\u0000」, changing or deleting the account /accounts/%00, revoking /tokens/%00 and reading the audit
 * log with actor=%00 each answered 500 "internal error" (SQLite answered them as expected). Now: 400 with
 * the name rule, 404 "no such", 400 for the filter; each refused change on record as `change.refused`.
 * SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'nul-input-admin-token-0123456789';

for (const backend of testBackends('nulin')) {
  describe(`NUL in admin input on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    const call = (method: string, url: string, body?: unknown) =>
      c.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${ADMIN}` }, ...(body !== undefined ? { payload: body as object } : {}) });

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['nul-input-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('is refused with the reason, and each refused change is on record', async () => {
      const cases: [string, string, unknown, number, RegExp][] = [
        ['POST', '/v1/admin/accounts/invite', { name: '\u0000', role: 'viewer' }, 400, /^name: /],
        ['POST', '/v1/admin/accounts/invite', { name: 'sato\u0000', role: 'viewer' }, 400, /^name: /],
        ['PATCH', '/v1/admin/accounts/%00', { role: 'viewer' }, 404, /no such account/],
        ['DELETE', '/v1/admin/accounts/sato%00', undefined, 404, /no such account/],
        ['DELETE', '/v1/admin/tokens/%00', undefined, 404, /no such active token/],
        ['GET', '/v1/admin/audit?actor=%00', undefined, 400, /control characters/],
        ['GET', '/v1/admin/audit?action=signin%00', undefined, 400, /control characters/],
      ];
      for (const [method, url, body, status, error] of cases) {
        const r = await call(method, url, body);
        expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
        expect(r.json().error).toMatch(error);
      }
      const refused = (await call('GET', '/v1/admin/audit?action=change.refused')).json().entries as { details: { route: string; status: number } }[];
      expect(refused.map((e) => `${e.details.route} ${e.details.status}`).sort()).toEqual(
        ['DELETE /v1/admin/accounts/:name 404', 'DELETE /v1/admin/tokens/:id 404', 'PATCH /v1/admin/accounts/:name 404', 'POST /v1/admin/accounts/invite 400', 'POST /v1/admin/accounts/invite 400'].sort(),
      );
    });
  });
}
