/**
 * Red team G12: disabling yourself was refused (409) but deleting your own account was not (200): the
 * last admin could lock everyone out by a slip. Deleting yourself is refused the same way, and the
 * refusal is in the audit log (change.refused).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const ADMIN = 'admin-token-for-self-delete-0123456789';
const PASSWORD = 'correct horse battery self';
const ORIGIN = 'http://localhost:80';

describe('deleting your own account (SQLite)', () => {
  let c: Collector;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-selfdel-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: ['ingest-token-for-self-delete-0123'], adminTokens: [ADMIN], timeWindow: false });
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused like disabling yourself, and the refusal is on record', async () => {
    expect((await c.app.inject({ method: 'POST', url: '/v1/admin/accounts', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: 'solo', role: 'admin', password: PASSWORD } })).statusCode).toBe(201);
    const login = await c.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { origin: ORIGIN }, payload: { name: 'solo', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookie = [login.headers['set-cookie']].flat().find((s) => s?.startsWith('ug_session='))!.split(';')[0]!;
    const del = await c.app.inject({ method: 'DELETE', url: '/v1/admin/accounts/solo', headers: { cookie, origin: ORIGIN, 'x-csrf-token': login.json().csrf } });
    expect(del.statusCode).toBe(409);
    expect(del.json().error).toMatch(/cannot delete your own account/);
    const accounts = (await c.app.inject({ method: 'GET', url: '/v1/admin/accounts', headers: { cookie } })).json() as { accounts: { name: string }[] };
    expect(accounts.accounts.map((a) => a.name)).toContain('solo');
    const audit = (await c.app.inject({ method: 'GET', url: '/v1/admin/audit?action=change.refused', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { entries: { actor: string; details: Record<string, unknown> }[] };
    expect(audit.entries[0]).toMatchObject({ actor: 'solo', details: { status: 409, target: 'solo', route: 'DELETE /v1/admin/accounts/:name' } });
  });
});
