/**
 * One storage suite, run against every back end: SQLite always; PostgreSQL when UPLOAD_GUARD_TEST_PG
 * is set. If the variable is set and the database is unreachable the suite FAILS (a silent skip would
 * hide a broken CI database); without the variable it is skipped with a printed warning.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { Where } from '../../src/collector/storage/sql.js';
import { staleAfter } from '../../src/collector/devices.js';
import type { Storage } from '../../src/collector/storage/types.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
if (!PG_URL) console.warn('UPLOAD_GUARD_TEST_PG is not set: the PostgreSQL storage suite is skipped');

interface Backend {
  name: string;
  open(): Promise<Storage>;
  cleanup(s: Storage): Promise<void>;
}

const dirs: string[] = [];
const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ug-storage-'));
      dirs.push(dir);
      return new SqliteStorage({ path: join(dir, 'events.db') });
    },
    async cleanup(s) {
      await s.close();
    },
  },
];
if (PG_URL) {
  backends.push({
    name: 'postgres',
    // A fresh schema per suite run, so parallel or repeated runs never see each other's rows.
    open: () => PostgresStorage.open({ connectionString: PG_URL, schema: `ug_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`, poolSize: 4 }),
    async cleanup(s) {
      await (s as PostgresStorage).dropSchema();
      await s.close();
    },
  });
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3_600_000;
const at = (h: number) => new Date(T0 + h * HOUR).toISOString();

describe.each(backends)('storage: $name', (backend) => {
  let s: Storage;
  beforeAll(async () => {
    s = await backend.open();
  });
  afterAll(async () => {
    if (s) await backend.cleanup(s);
  });

  const fixtures: UploadEvent[] = [
    sampleEvent({ time: at(0), service: 'gmail', user: 'a', deviceId: 'd1', verdict: 'marked', rule: 2, action: 'block', fileName: 'C—Budget.xlsx' }),
    sampleEvent({ time: at(1), service: 'gmail', user: 'b', deviceId: 'd2', verdict: 'clean', rule: null, reason: null, action: 'allow', outcome: 'allowed', fileName: 'plan.docx' }),
    sampleEvent({ time: at(2), service: 'gigafile', serviceName: 'GigaFile便', category: 'sharing', user: 'a', verdict: 'marked', rule: 1, action: 'warn', outcome: 'pending', fileName: '100%_done.pdf' }),
    sampleEvent({ time: at(25), service: 'chatgpt', serviceName: 'ChatGPT', category: 'genai', channel: 'paste', user: null, verdict: 'unscannable', rule: null, reason: 'encrypted', action: 'audit', outcome: 'allowed', fileName: null, size: 1200 }),
    sampleEvent({ time: at(26), service: null, serviceName: null, category: null, verdict: 'marked', rule: 3, action: 'block', fileName: '=HYPERLINK("x")' }),
  ];

  it('stores a batch and reports duplicates (already stored and repeated inside the batch)', async () => {
    const r1 = await s.insertEvents(fixtures, T0 + 100 * HOUR);
    expect(r1).toMatchObject({ accepted: 5, duplicates: 0 });
    expect(r1.inserted.map((e) => e.id)).toEqual(fixtures.map((e) => e.id));
    const extra = sampleEvent({ time: at(3) });
    const r2 = await s.insertEvents([fixtures[0]!, extra, extra], T0);
    expect(r2).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(r2.inserted.map((e) => e.id)).toEqual([extra.id]);
    expect(await s.count()).toBe(6);
    await s.purgeBefore(T0 + 3 * HOUR + 1); // leaves the fixtures at hours 25 and 26 only … then re-add
    await s.insertEvents(fixtures, T0 + 100 * HOUR);
    expect(await s.count()).toBe(5);
  });

  it('round-trips every field exactly', async () => {
    const page = await s.queryEvents({ limit: 100, sort: 'time' });
    const { receivedAt, ...first } = page.events[0]!;
    expect(first).toEqual(fixtures[0]);
    expect(receivedAt).toBe(new Date(T0 + 100 * HOUR).toISOString());
  });

  it('filters by time, user, device, service, category, verdict, rule, action and file name', async () => {
    const ids = async (f: Parameters<Storage['queryEvents']>[0]) => (await s.queryEvents(f)).events.map((e) => e.id).sort();
    const id = (i: number) => fixtures[i]!.id;
    expect(await ids({ limit: 100, from: T0 + 24 * HOUR })).toEqual([id(3), id(4)].sort());
    expect(await ids({ limit: 100, to: T0 + HOUR })).toEqual([id(0)]);
    expect(await ids({ limit: 100, user: 'a' })).toEqual([id(0), id(2)].sort());
    expect(await ids({ limit: 100, device: 'd2' })).toEqual([id(1)]);
    expect(await ids({ limit: 100, service: ['gmail'], verdict: ['marked'] })).toEqual([id(0)]);
    expect(await ids({ limit: 100, category: ['sharing', 'genai'] })).toEqual([id(2), id(3)].sort());
    expect(await ids({ limit: 100, rule: [3] })).toEqual([id(4)]);
    expect(await ids({ limit: 100, action: ['warn'], outcome: ['pending'] })).toEqual([id(2)]);
    expect(await ids({ limit: 100, channel: ['paste'] })).toEqual([id(3)]);
    expect(await ids({ limit: 100, q: 'budget' })).toEqual([id(0)]);
    // LIKE wildcards in the search are literal characters.
    expect(await ids({ limit: 100, q: '%_' })).toEqual([id(2)]);
    expect(await ids({ limit: 100, q: '_' })).toEqual([id(2)]);
  });

  it('pages with a stable cursor in both orders, also when times tie', async () => {
    const tied = Array.from({ length: 7 }, () => sampleEvent({ time: at(50), service: 'tie' }));
    await s.insertEvents(tied, T0);
    for (const sort of ['time', '-time'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await s.queryEvents({ service: ['tie'], limit: 3, sort, cursor });
        seen.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      const expected = tied.map((e) => e.id).sort();
      expect(seen).toEqual(sort === 'time' ? expected : [...expected].reverse());
    }
    await expect(s.queryEvents({ limit: 3, cursor: 'garbage' })).rejects.toThrow(/cursor/);
    await s.purgeBefore(T0 - 1); // no-op, keeps the count below stable
  });

  it('summarises per service, day, verdict and action (with a time zone shift)', async () => {
    const sum = await s.summary({ to: T0 + 48 * HOUR });
    expect(sum.total).toBe(5);
    // Storage never takes names from events (a device could spoof them); the API names services from its own list.
    expect(sum.byService).toContainEqual({ service: 'gmail', serviceName: null, count: 2 });
    expect(sum.byService).toContainEqual({ service: null, serviceName: null, count: 1 });
    expect(sum.byDay).toEqual([
      { day: '2026-11-01', count: 3 },
      { day: '2026-11-02', count: 2 },
    ]);
    expect(sum.byVerdict).toEqual([
      { verdict: 'marked', count: 3 },
      { verdict: 'clean', count: 1 },
      { verdict: 'unscannable', count: 1 },
    ]);
    expect(sum.byAction[0]).toEqual({ action: 'block', count: 2 });
    // In JST (+9 h) hours 0-2 are still 2026-11-01 and hours 25-26 fall on 2026-11-02.
    const jst = await s.summary({ to: T0 + 48 * HOUR }, 540);
    expect(jst.byDay).toEqual([
      { day: '2026-11-01', count: 3 },
      { day: '2026-11-02', count: 2 },
    ]);
    // The hourly counts (used here) and counting the events (a half-hour zone cannot use them) agree,
    // also for a range that starts and ends inside an hour.
    for (const f of [{ to: T0 + 48 * HOUR }, { from: T0 + 30 * 60_000, to: T0 + 25 * HOUR + 1 }, { verdict: ['marked' as const] }]) {
      const [byHours, byEvents] = [await s.summary(f, 0), await s.summary(f, 30)];
      // (ties may come in another order: PostgreSQL sorts NULL services last)
      const same = (x: typeof byHours) => ({ ...x, byDay: [], byService: [...x.byService].sort((a, b) => String(a.service).localeCompare(String(b.service))) });
      expect(same(byHours)).toEqual(same(byEvents));
    }
    // Shift far enough and the first three cross midnight backwards.
    const west = await s.summary({ to: T0 + 48 * HOUR }, -60);
    expect(west.byDay[0]).toEqual({ day: '2026-10-31', count: 1 });
    expect((await s.summary({ service: ['nothing'] })).total).toBe(0);
  });

  it('keeps the last heartbeat per device', async () => {
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hb1', queueLength: 5 }), T0);
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hb1', queueLength: 0, dropped: 3 }), T0 + HOUR);
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hb2' }), T0 + 2 * HOUR);
    const devices = await s.devices();
    expect(devices.map((d) => d.deviceId)).toEqual(['hb2', 'hb1']);
    expect(devices[1]).toMatchObject({ queueLength: 0, dropped: 3, lastSeen: new Date(T0 + HOUR).toISOString() });
  });

  it('records first contact (an earlier event counts), the previous version and when the version changed', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    // hv1 sent an event 3 h before its first heartbeat; hv2 only heartbeats.
    await s.insertEvents([sampleEvent({ deviceId: 'hv1', time: at(-4) }), sampleEvent({ deviceId: 'hv1', time: at(-1) })], T0 - 3 * HOUR);
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hv1', extensionVersion: '0.1.0' }), T0);
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hv2', extensionVersion: '0.1.0', installType: 'admin', managed: true, heartbeatMinutes: 5 }), T0);
    const get = async (id: string) => (await s.devices()).find((d) => d.deviceId === id)!;
    expect(await get('hv1')).toMatchObject({ firstSeen: iso(T0 - 3 * HOUR), lastSeen: iso(T0), previousVersion: null, versionSince: iso(T0) });
    expect(await get('hv2')).toMatchObject({ firstSeen: iso(T0), installType: 'admin', managed: true, heartbeatMinutes: 5 });

    // Same version again: nothing about the version changes.
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hv1', extensionVersion: '0.1.0' }), T0 + HOUR);
    expect(await get('hv1')).toMatchObject({ lastSeen: iso(T0 + HOUR), previousVersion: null, versionSince: iso(T0) });
    // Upgrade, then a downgrade.
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hv1', extensionVersion: '0.2.0' }), T0 + 2 * HOUR);
    expect(await get('hv1')).toMatchObject({ extensionVersion: '0.2.0', previousVersion: '0.1.0', versionSince: iso(T0 + 2 * HOUR) });
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hv1', extensionVersion: '0.1.0' }), T0 + 3 * HOUR);
    expect(await get('hv1')).toMatchObject({ extensionVersion: '0.1.0', previousVersion: '0.2.0', versionSince: iso(T0 + 3 * HOUR) });
    // A late heartbeat (older than the stored one) changes nothing, not even the version history.
    await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'hv1', extensionVersion: '0.0.9', queueLength: 99 }), T0 + 2.5 * HOUR);
    expect(await get('hv1')).toMatchObject({ extensionVersion: '0.1.0', previousVersion: '0.2.0', queueLength: 0, lastSeen: iso(T0 + 3 * HOUR) });
    // First contact never moves.
    expect((await get('hv1')).firstSeen).toBe(iso(T0 - 3 * HOUR));
    expect(await s.purgeBefore(T0)).toBe(2); // leaves the events of the other tests as they were
  });

  it('counts the fleet per version and token, stale by each device\'s own interval (or the override), at the boundary too', async () => {
    const now = T0 + 50 * HOUR;
    // Intervals 5, 15, none (the default) and 60 minutes; tokens set and absent; two versions; each device
    // seen exactly at its stale time (still active) or 1 ms before it (stale), or recently.
    let n = 0;
    for (const heartbeatMinutes of [5, 15, undefined, 60])
      for (const tokenId of ['tok-a', undefined])
        for (const extensionVersion of ['9.0.0', '9.1.0'])
          for (const seen of [now - staleAfter(heartbeatMinutes) * 60_000, now - staleAfter(heartbeatMinutes) * 60_000 - 1, now - 60_000]) {
            await s.upsertHeartbeat({ ...sampleHeartbeat({ deviceId: `fleet-${n++}`, extensionVersion, heartbeatMinutes }), tokenId }, seen);
          }
    for (const override of [undefined, 30]) {
      // The same counts from each device record and the rule in devices.ts.
      const expected = new Map<string, { devices: number; stale: number }>();
      for (const d of await s.devices()) {
        const k = `${d.extensionVersion}|${d.tokenId ?? null}`;
        const e = expected.get(k) ?? expected.set(k, { devices: 0, stale: 0 }).get(k)!;
        e.devices++;
        if (Date.parse(d.lastSeen) < now - staleAfter(d.heartbeatMinutes, override) * 60_000) e.stale++;
      }
      const got = new Map((await s.deviceGroups(now, override)).map((g) => [`${g.extensionVersion}|${g.tokenId}`, { devices: g.devices, stale: g.stale }]));
      expect(got).toEqual(expected);
      expect(got.get('9.1.0|tok-a')).toEqual(override === undefined ? { devices: 12, stale: 4 } : expect.objectContaining({ devices: 12 }));
    }
  });

  it('purges events older than a time', async () => {
    const before = await s.count();
    const removed = await s.purgeBefore(T0 + 24 * HOUR);
    expect(removed).toBe(3);
    expect(await s.count()).toBe(before - 3);
  });

  it('stores hostile text as it came (quotes, HTML, newlines, non-BMP)', async () => {
    const e = sampleEvent({ fileName: `<img src=x onerror=alert(1)>'; DROP TABLE events;--\n😀.docx`, justification: '"quoted" \\ back' });
    await s.insertEvents([e], T0);
    const page = await s.queryEvents({ limit: 1, q: 'DROP TABLE' });
    expect(page.events[0]?.fileName).toBe(e.fileName);
    expect(page.events[0]?.justification).toBe(e.justification);
  });

  it('searches file names through a trigram index: any substring of 3+ characters, FTS syntax taken literally, purged rows gone', async () => {
    const names = ['秘—見積書-Alpha.xlsx', 'quote "NEAR(a b)" AND x*.pdf', 'Ärger-Bericht.docx', 'zz.txt', 'OTHER-alpha-2.PDF'];
    const evs = names.map((fileName, i) => sampleEvent({ time: at(200 + i), fileName }));
    await s.insertEvents(evs, T0 + 300 * HOUR);
    const ids = async (q: string) => (await s.queryEvents({ limit: 100, from: T0 + 199 * HOUR, q })).events.map((e) => e.fileName).sort();
    expect(await ids('見積書')).toEqual([names[0]]);
    // ASCII case-insensitive, as before the index (a LIKE still decides: the index only narrows).
    expect(await ids('ALPHA')).toEqual([names[4], names[0]].sort());
    expect(await ids('"NEAR(a b)" AND x*')).toEqual([names[1]]);
    expect(await ids('AND')).toEqual([names[1]]);
    // Non-ASCII case: SQLite's LIKE folds ASCII only, PostgreSQL's ILIKE every letter; the index (which
    // folds more) adds no match the search itself would not make.
    expect(await ids('ärger')).toEqual(s.kind === 'postgres' ? [names[2]] : []);
    // Shorter than a trigram: still found (by a scan).
    expect(await ids('zz')).toEqual([names[3]]);
    expect(await ids('nothing-like-this')).toEqual([]);
    // The summary counts through the index too.
    expect((await s.summary({ from: T0 + 199 * HOUR, q: 'alpha' })).total).toBe(2);
    if (s instanceof SqliteStorage) {
      const db = s.db;
      const fts = (q: string) => db.prepare(`SELECT count(*) AS n FROM file_names_fts WHERE file_names_fts MATCH ?`).get(`"${q}"`) as { n: number };
      const stored = (name: string) => (db.prepare('SELECT count(*) AS n FROM file_names WHERE name = ?').get(name) as { n: number }).n;
      // A search reaches events through the names' trigrams and the name_id index, not a scan.
      const w = new Where(() => '?', 'LIKE', true).filter({ q: '見積書' });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM events ${w.sql()}`).all(...w.params) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan).toContain('USING INDEX events_name');
      expect(plan).toContain('file_names_fts');
      // The index holds distinct names: the same name sent again (another event) adds no name.
      await s.insertEvents([sampleEvent({ time: at(210), fileName: names[4] }), sampleEvent({ time: at(211), fileName: names[4] })], T0 + 300 * HOUR);
      expect(stored(names[4]!)).toBe(1);
      expect(fts('見積書-Alpha').n).toBe(1);
      expect(await ids('alpha')).toEqual([names[4], names[4], names[4], names[0]].sort());
      await s.purgeBefore(T0 + 205 * HOUR);
      // Names no event uses any more go with the purge; a name a newer event still uses stays.
      expect(fts('見積書-Alpha').n).toBe(0);
      expect(stored(names[0]!)).toBe(0);
      expect(stored(names[4]!)).toBe(1);
      expect(await ids('alpha')).toEqual([names[4], names[4]]);
    } else {
      const pgs = s as PostgresStorage;
      const client = await pgs.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        const plan = await client.query(`EXPLAIN SELECT id FROM ${pgs.schema}.events WHERE file_name ILIKE '%見積書%'`);
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_file_name_trgm');
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      expect(pgs.notices).toEqual([]);
      await s.purgeBefore(T0 + 203 * HOUR);
      expect(await ids('alpha')).toEqual([names[4]]);
    }
  });
});
