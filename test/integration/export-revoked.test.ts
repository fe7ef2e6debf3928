/**
 * A streamed export whose credential is withdrawn part way (an API token revoked, the person's account
 * disabled or demoted) stops at the next page with the explicit error line, and the audit log records
 * the cut (`export.cut`); the device list's CSV too. Before, it streamed to its end and looked complete. Real HTTP on SQLite and
 * (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'export-revoked-admin-token-0123456789';
const PASSWORD = 'correct horse battery 秘 export';
const SECRET_FILE = '秘—給与一覧_export.xlsx';
const EVENTS = 40_000;
const DEVICES = 40_000;

/** DEVICES devices in one statement (as bench/collector.ts seeds them), each with its user. */
async function seedDevices(storage: Storage): Promise<void> {
  const now = Date.now();
  const template = JSON.stringify({ ...sampleHeartbeat(), tokenId: 'abcdef01', heartbeatMinutes: 15 }).replace(/'/g, "''");
  const insert = (prefix: string, rows: string, json: string) => `INSERT INTO ${prefix}devices (device_id, heartbeat, last_seen_ms, first_seen_ms, extension_version, previous_version, version_since_ms, raised, heartbeat_minutes, token_id, user_name)
    SELECT 'pc-' || x, ${json}, ${now - 60_000}, ${now - 86_400_000}, '0.1.0', NULL, NULL, NULL, 15, 'abcdef01', 'user' || x || '@example.co.jp' FROM (${rows}) AS seq`;
  if (storage instanceof SqliteStorage) {
    storage.db.exec(insert('', `WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ${DEVICES - 1}) SELECT x FROM n`, `json_set('${template}', '$.deviceId', 'pc-' || x, '$.user', 'user' || x || '@example.co.jp')`));
  } else {
    const pg = storage as PostgresStorage;
    await pg.pool.query(insert(`${pg.schema}.`, `SELECT x::bigint AS x FROM generate_series(0, ${DEVICES - 1}) AS x`, `'${template}'::jsonb || jsonb_build_object('deviceId', 'pc-' || x, 'user', 'user' || x || '@example.co.jp')`));
  }
}

for (const backend of testBackends('exportcut')) {
  describe(`an export whose credential is withdrawn on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    const call = (method: string, path: string, o: { auth?: string; cookie?: string; body?: unknown } = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          ...(o.auth ? { authorization: `Bearer ${o.auth}` } : {}),
          ...(o.cookie ? { cookie: o.cookie } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json', origin: url } : {}),
        },
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
    const admin = (method: string, path: string, body?: unknown) => call(method, path, { auth: ADMIN, body });
    const entries = async (action: string) =>
      ((await (await admin('GET', `/v1/admin/audit?action=${action}`)).json()) as { entries: { actor: string; details: Record<string, unknown> }[] }).entries;

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['export-revoked-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false });
      url = await c.listen(0);
      const t = Date.now() - 60_000;
      for (let b = 0; b < EVENTS / 5_000; b++) {
        const batch = Array.from({ length: 5_000 }, (_, i) => sampleEvent({ fileName: SECRET_FILE, user: `user${b}-${i}@example.co.jp`, time: new Date(t - b * 5_000 - i).toISOString() }));
        await storage.insertEvents(batch, Date.now());
      }
      await seedDevices(storage);
    }, 120_000);
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    /** Starts the export, reads its first bytes, withdraws the credential, then reads the rest. */
    async function exportWithdrawn(path: string, o: { auth?: string; cookie?: string }, withdraw: () => Promise<void>): Promise<string> {
      const r = await call('GET', path, o);
      expect(r.status).toBe(200);
      const reader = r.body!.getReader();
      const first = await reader.read();
      expect(first.value?.length).toBeGreaterThan(0);
      await withdraw();
      const chunks: Uint8Array[] = [first.value!];
      for (let x = await reader.read(); !x.done; x = await reader.read()) chunks.push(x.value);
      return Buffer.concat(chunks).toString('utf8');
    }
    const rowsOf = (csv: string) => csv.split('\r\n').filter((l) => l.includes(SECRET_FILE)).length;

    it('an API token revoked mid-stream ends the CSV with the error line, and the cut is on record', async () => {
      const made = (await (await admin('POST', '/v1/admin/tokens', { name: 'siem-pull', role: 'investigator' })).json()) as { id: string; token: string };
      const csv = await exportWithdrawn('/v1/admin/export?format=csv&layout=events&from=30d', { auth: made.token }, async () => {
        expect((await admin('DELETE', `/v1/admin/tokens/${made.id}`)).status).toBe(200);
      });
      expect(rowsOf(csv)).toBeLessThan(EVENTS);
      expect(csv.trimEnd().split('\r\n').at(-1)).toMatch(/^# ERROR: export incomplete: access withdrawn during the export \(invalid token\)/);
      const cut = await entries('export.cut');
      expect(cut).toHaveLength(1);
      expect(cut[0]!.actor).toBe('token:siem-pull');
      expect(cut[0]!.details.events).toBeLessThan(EVENTS);
    });

    it("a person's account disabled mid-stream ends the decisions CSV and the JSON export explicitly", async () => {
      expect((await admin('POST', '/v1/admin/accounts', { name: 'kato', role: 'investigator', password: PASSWORD })).status).toBe(201);
      const signIn = async () => {
        const r = await call('POST', '/v1/auth/login', { body: { name: 'kato', password: PASSWORD } });
        expect(r.status).toBe(200);
        return r.headers.getSetCookie().find((s) => s.startsWith('ug_session='))!.split(';')[0]!;
      };
      const csv = await exportWithdrawn('/v1/admin/export?format=csv&from=30d', { cookie: await signIn() }, async () => {
        expect((await admin('PATCH', '/v1/admin/accounts/kato', { disabled: true })).status).toBe(200);
      });
      expect(rowsOf(csv)).toBeLessThan(EVENTS);
      expect(csv.trimEnd().split('\r\n').at(-1)).toMatch(/^# ERROR: export incomplete: access withdrawn during the export/);

      expect((await admin('PATCH', '/v1/admin/accounts/kato', { disabled: false })).status).toBe(200);
      const json = await exportWithdrawn('/v1/admin/export?format=json&from=30d', { cookie: await signIn() }, async () => {
        expect((await admin('PATCH', '/v1/admin/accounts/kato', { role: 'viewer' })).status).toBe(200);
      });
      const parsed = JSON.parse(json) as { error?: string }[];
      expect(parsed.length).toBeLessThan(EVENTS);
      expect(parsed.at(-1)!.error).toMatch(/^export incomplete: access withdrawn during the export/);
      const cut = (await entries('export.cut')).filter((e) => e.actor === 'kato');
      expect(cut).toHaveLength(2);
    });

    it('the device list CSV stops the same way when the token is revoked mid-stream', async () => {
      const made = (await (await admin('POST', '/v1/admin/tokens', { name: 'fleet-pull', role: 'investigator' })).json()) as { id: string; token: string };
      const csv = await exportWithdrawn('/v1/admin/devices?format=csv', { auth: made.token }, async () => {
        expect((await admin('DELETE', `/v1/admin/tokens/${made.id}`)).status).toBe(200);
      });
      expect(csv.split('\r\n').filter((l) => l.includes('@example.co.jp')).length).toBeLessThan(DEVICES);
      expect(csv.trimEnd().split('\r\n').at(-1)).toMatch(/^# ERROR: export incomplete: access withdrawn during the export \(invalid token\)/);
      const cut = (await entries('export.cut')).filter((e) => e.actor === 'token:fleet-pull');
      expect(cut).toHaveLength(1);
      expect(cut[0]!.details).toMatchObject({ route: 'GET /v1/admin/devices' });
      // Whole, with a credential that stays valid.
      const whole = await (await admin('GET', '/v1/admin/devices?format=csv')).text();
      expect(whole.split('\r\n').filter((l) => l.includes('@example.co.jp')).length).toBe(DEVICES);
      expect(whole).not.toContain('# ERROR');
    });

    it('an export whose credential stays valid is whole, with no cut on record', async () => {
      const r = await admin('GET', '/v1/admin/export?format=csv&layout=events&from=30d');
      const csv = await r.text();
      expect(rowsOf(csv)).toBe(EVENTS);
      expect(csv).not.toContain('# ERROR');
      expect((await entries('export.cut')).filter((e) => e.actor.startsWith('token:legacy'))).toHaveLength(0);
    });
  });
}
