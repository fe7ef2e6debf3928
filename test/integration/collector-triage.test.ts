/**
 * Issue 13 triage over real HTTP, on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL: local dates and
 * time zones at the month boundary, server-side sorting and paging on every sortable column, services
 * by display name, the decisions CSV, and incidents with their reporting deadline and alerts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { StoredEvent, UploadEvent } from '../../src/events/schema.js';
import { answerEvent, disputeEvent } from '../../src/events/build.js';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import type { Storage } from '../../src/collector/storage/types.js';

const INGEST = 'triage-ingest-token-0123456789';
const ADMIN = 'triage-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const BACKENDS: { name: string; open: () => Promise<Storage> }[] = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ug-triage-'));
      dirs.push(dir);
      return new SqliteStorage({ path: join(dir, 'events.db') });
    },
  },
];
if (PG_URL) {
  BACKENDS.push({
    name: 'postgres',
    open: () => PostgresStorage.open({ connectionString: PG_URL, schema: `ug_triage_${randomUUID().replace(/-/g, '').slice(0, 12)}`, poolSize: 4 }),
  });
} else console.warn('UPLOAD_GUARD_TEST_PG is not set: the PostgreSQL triage suite is skipped');

const get = (url: string, path: string) => fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } });
const json = async <T>(url: string, path: string): Promise<T> => {
  const r = await get(url, path);
  expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
  return (await r.json()) as T;
};
const send = (url: string, method: string, path: string, body: unknown) =>
  fetch(url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

// 2026-11-01 00:30 JST is 2026-10-31 15:30 UTC: November in Tokyo, October in UTC.
const NOV1_0030_JST = Date.parse('2026-10-31T15:30:00Z');
// 2026-12-01 01:00 JST is 2026-11-30 16:00 UTC: December in Tokyo, November in UTC.
const DEC1_0100_JST = Date.parse('2026-11-30T16:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse('2026-12-02T03:00:00Z');

for (const b of BACKENDS) {
  describe(`triage (${b.name})`, () => {
    let c: Collector;
    let url: string;
    let clock = NOW;
    const hook: { bodies: { kind: string; stage?: string; alertId: string; incident?: { id: number } }[]; server?: ReturnType<typeof createHttpServer> } = { bodies: [] };
    const early = sampleEvent({ time: iso(NOV1_0030_JST), fileName: '十一月の最初.docx', user: 'sato', service: 'gmail', sha256: '1'.repeat(64) });
    const late = sampleEvent({ time: iso(DEC1_0100_JST), fileName: '十二月の最初.docx', user: 'suzuki', service: 'gigafile', category: 'sharing', sha256: '2'.repeat(64) });
    const inside = sampleEvent({ time: iso(Date.parse('2026-11-15T03:00:00Z')), fileName: '=SUM(A1)', user: 'tanaka', service: 'chatgpt', category: 'genai', deviceName: 'PC-TOKYO-0042' });
    const warn = sampleEvent({ time: iso(Date.parse('2026-11-20T01:00:00Z')), action: 'warn', outcome: 'pending', verdict: 'unscannable', rule: null, reason: 'encrypted', fileName: '暗号.zip', user: 'sato', sha256: '3'.repeat(64) });
    const answer = answerEvent(warn, true, '取引先への送付（上長承認済み）', new Date(Date.parse('2026-11-20T01:02:00Z')));
    const dispute = disputeEvent(early, 'これは公開資料です', new Date(Date.parse('2026-11-01T00:00:00Z')));
    beforeAll(async () => {
      hook.server = createHttpServer((req, res) => {
        let data = '';
        req.on('data', (d) => (data += d));
        req.on('end', () => {
          hook.bodies.push(JSON.parse(data));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => hook.server!.listen(0, '127.0.0.1', r));
      const opts: CollectorOptions = {
        storage: await b.open(),
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        adminRateLimit: { perSecond: 1000, burst: 1000 },
        timeWindow: false,
        now: () => clock,
        alerts: { webhookUrl: `http://127.0.0.1:${(hook.server.address() as { port: number }).port}/hook`, backoff: [100] },
      };
      c = await createCollector(opts);
      url = await c.listen(0);
      // Incidents group by the local day of Tokyo (the machine running the test may be in UTC).
      expect((await send(url, 'PUT', '/v1/admin/incident-settings', { timeZone: 'Asia/Tokyo' })).status).toBe(200);
      // Each arrived when it happened, a month ago: their incidents are long overdue (deadlines run from the arrival).
      for (const e of [early, late, inside, warn, answer, dispute]) await c.storage.insertEvents([e], Date.parse(e.time));
    });
    afterAll(async () => {
      await c?.close();
      if (c?.storage instanceof PostgresStorage) await c.storage.dropSchema();
      await c?.storage.close();
      hook.server?.close();
    });

    const ids = (events: StoredEvent[]) => events.map((e) => e.id);

    it('reads plain dates as local dates in tz: 11/1 00:30 JST is November, 12/1 01:00 JST is not', async () => {
      const nov = await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&sort=time&limit=100');
      expect(ids(nov.events)).toContain(early.id);
      expect(ids(nov.events)).not.toContain(late.id);
      // The same dates in UTC take the other two.
      const utc = await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?from=2026-11-01&to=2026-12-01&tz=UTC&sort=time&limit=100');
      expect(ids(utc.events)).not.toContain(early.id);
      expect(ids(utc.events)).toContain(late.id);
      // Minutes east of UTC (older pages) mean the same for plain dates.
      const minutes = await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?from=2026-11-01&to=2026-12-01&tz=540&limit=100');
      expect(ids(minutes.events).sort()).toEqual(ids(nov.events).sort());
      // Per-day counts in the zone: the early event is on 11-01 in Tokyo.
      const sum = await json<{ byDay: { day: string; count: number }[] }>(url, '/v1/admin/summary?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&outcome=blocked');
      expect(sum.byDay.find((d) => d.day === '2026-11-01')?.count).toBe(1);
      expect(sum.byDay.find((d) => d.day === '2026-10-31')).toBeUndefined();
      // An unknown zone is refused, naming the parameter.
      const bad = await get(url, '/v1/admin/events?from=2026-11-01&tz=Mars/Olympus');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/^tz: /);
    });

    it('finds a service by display name or id, filters by user prefix, device name and category', async () => {
      for (const s of ['Gmail', 'gmail', 'GMAIL']) {
        const r = await json<{ events: StoredEvent[] }>(url, `/v1/admin/events?service=${s}&limit=100`);
        expect(r.events.length, s).toBeGreaterThan(0);
        expect(r.events.every((e) => e.service === 'gmail')).toBe(true);
      }
      expect(ids((await json<{ events: StoredEvent[] }>(url, `/v1/admin/events?service=${encodeURIComponent('ギガファイル便')}&limit=100`)).events)).toEqual([late.id]);
      expect(ids((await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?userPrefix=SUZ&limit=100')).events)).toEqual([late.id]);
      expect(ids((await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?userPrefix=%25&limit=100')).events)).toEqual([]);
      const byPc = await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?deviceName=pc-tokyo&limit=100');
      expect(ids(byPc.events)).toEqual([inside.id]);
      expect(byPc.events[0]!.deviceName).toBe('PC-TOKYO-0042');
      expect(ids((await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?category=genai&limit=100')).events)).toEqual([inside.id]);
      const services = await json<{ services: { id: string; name: string }[] }>(url, '/v1/admin/services');
      expect(services.services).toContainEqual(expect.objectContaining({ id: 'gmail', name: 'Gmail' }));
    });

    it('sorts every sortable column on the server and pages through it without loss or repeat', async () => {
      // More rows, with ties on every column, so the tie-break decides.
      const extra: UploadEvent[] = [];
      for (let i = 0; i < 37; i++) {
        extra.push(
          sampleEvent({
            time: iso(Date.parse('2026-11-10T00:00:00Z') + (i % 5) * 60_000),
            user: i % 3 ? `user-${i % 4}` : null,
            fileName: i % 7 ? `f-${i % 6}.docx` : null,
            service: ['gmail', 'gigafile', 'chatgpt', null][i % 4]!,
            outcome: i % 2 ? 'blocked' : 'allowed',
            action: i % 2 ? 'block' : 'allow',
            deviceName: i % 5 ? `PC-${i % 3}` : null,
          }),
        );
      }
      await c.storage.insertEvents(extra, NOW - 3_600_000);
      const all = (await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?limit=1000')).events;
      for (const key of ['time', 'user', 'service', 'fileName', 'verdict', 'action', 'outcome', 'deviceName']) {
        for (const sort of [key, `-${key}`]) {
          const seen: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const page: { events: StoredEvent[]; nextCursor: string | null } = await json(url, `/v1/admin/events?sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
            seen.push(...ids(page.events));
            cursor = page.nextCursor;
            pages++;
          } while (cursor && pages < 100);
          expect(seen.length, sort).toBe(all.length);
          expect(new Set(seen).size, sort).toBe(all.length);
          // The first page of a sort is the same as the one-page answer's head: pages follow one order.
          const whole = ids((await json<{ events: StoredEvent[] }>(url, `/v1/admin/events?sort=${sort}&limit=1000`)).events);
          expect(seen, sort).toEqual(whole);
        }
      }
      // By user, ascending: no user ('' ) first, then alphabetical.
      const byUser = (await json<{ events: StoredEvent[] }>(url, '/v1/admin/events?sort=user&limit=1000')).events.map((e) => e.user ?? '');
      expect(byUser).toEqual([...byUser].sort());
      // A cursor from another sort order is refused.
      const first: { nextCursor: string } = await json(url, '/v1/admin/events?sort=user&limit=2');
      expect((await get(url, `/v1/admin/events?sort=-user&limit=2&cursor=${first.nextCursor}`)).status).toBe(400);
    });

    it('exports one CSV row per decision: Japanese headers, local times with offset, display names, words', async () => {
      const res = await get(url, '/v1/admin/export?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&action=&userPrefix=sato');
      expect(res.status).toBe(200);
      const csv = await res.text();
      const lines = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^日時,ユーザー,PC名,端末ID,部署,サービス,カテゴリー,経路,ファイル名/);
      // early (block), its dispute, and the warning with its answer joined: 3 decisions, not 4 events.
      expect(lines).toHaveLength(1 + 3);
      const warnRow = lines.find((l) => l.includes('暗号.zip'))!;
      expect(warnRow).toContain('2026-11-20T10:00:00+09:00');
      expect(warnRow).toContain('理由を記録して送信');
      expect(warnRow).toContain('2026-11-20T10:02:00+09:00');
      expect(warnRow).toContain('取引先への送付（上長承認済み）');
      expect(warnRow).not.toMatch(/pending|proceeded/);
      const earlyRow = lines.find((l) => l.includes('十一月の最初') && l.includes('送信を阻止'))!;
      expect(earlyRow.startsWith('2026-11-01T00:30:00+09:00,sato,')).toBe(true);
      expect(earlyRow).toContain(',Gmail,フリーメール,');
      // English on request; formulas stay text.
      const en = await (await get(url, '/v1/admin/export?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&action=&lang=en&deviceName=PC-TOKYO')).text();
      expect(en.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^Time,User,PC name,Device ID,Department,Service,Category,Channel,File name/);
      expect(en).toContain(`'=SUM(A1)`);
      expect(en).toContain('PC-TOKYO-0042');
      // The raw events stay available.
      const raw = await (await get(url, '/v1/admin/export?layout=events&userPrefix=sato&action=')).text();
      expect(raw.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^v,id,relatesTo,time,/);
    });

    it('opens incidents per user, file and local day, triages them, and alerts before the deadline', async () => {
      const list = await json<{ incidents: { id: number; user: string; day: string; kinds: string[]; events: number; minutesLeft: number | null; status: string }[]; settings: { reportHours: number } }>(
        url,
        '/v1/admin/incidents?limit=500',
      );
      expect(list.settings.reportHours).toBe(24);
      // early (block) and its dispute: same user, same file, but the dispute came on 11-01 09:00 JST, same day in Tokyo.
      const sato = list.incidents.filter((i) => i.user === 'sato');
      const earlyInc = sato.find((i) => i.kinds.includes('block'))!;
      expect(earlyInc.kinds.sort()).toEqual(['block', 'disputed']);
      expect(earlyInc.events).toBe(2);
      expect(earlyInc.day).toBe('2026-11-01');
      // The unscannable warning the employee went on with: one incident, both events.
      const warnInc = sato.find((i) => i.kinds.includes('proceeded'))!;
      expect(warnInc.kinds.sort()).toEqual(['proceeded', 'unscannable']);
      expect(warnInc.events).toBe(2);
      // All are long overdue at NOW; none is counted twice by a second read (sync is idempotent).
      const again = await json<{ incidents: { id: number; events: number }[] }>(url, '/v1/admin/incidents?limit=500');
      expect(again.incidents.find((i) => i.id === earlyInc.id)!.events).toBe(2);
      expect(earlyInc.minutesLeft).toBeLessThan(0);

      // Triage: status, assignee, severity, notes (hostile text stays data), reported-at.
      const patched = await send(url, 'PATCH', `/v1/admin/incidents/${earlyInc.id}`, {
        status: 'reported',
        assignee: 'kobayashi',
        severity: 'high',
        notes: '<script>alert(1)</script>\n顧客へ電話連絡',
      });
      expect(patched.status).toBe(200);
      const got = (await patched.json()) as { incident: { status: string; reportedAt: string; minutesLeft: number | null; notes: string }; events: StoredEvent[] };
      expect(got.incident).toMatchObject({ status: 'reported', reportedAt: iso(clock), minutesLeft: null, notes: '<script>alert(1)</script>\n顧客へ電話連絡' });
      expect(got.events.map((e) => e.id).sort()).toEqual([early.id, dispute.id].sort());
      expect((await send(url, 'PATCH', `/v1/admin/incidents/${earlyInc.id}`, { status: 'lost' })).status).toBe(400);
      // An assignee with a bidi control or a zero-width character looked like another person: refused
      // (400, saying why), the assignee left as it was; a Japanese name is a name.
      for (const hostile of ['koba\u202Eihsay', 'ko\u200Bbayashi', '\u2066kobayashi\u2069', 'kobayashi\uFEFF', '小林\u200D', 'ko\u061Cbayashi', 'a\u2028b']) {
        const r = await send(url, 'PATCH', `/v1/admin/incidents/${earlyInc.id}`, { assignee: hostile });
        expect(r.status, JSON.stringify(hostile)).toBe(400);
        expect(((await r.json()) as { error: string }).error).toMatch(/bidi control and zero-width characters are not allowed|control characters/);
      }
      expect((await json<{ incident: { assignee: string } }>(url, `/v1/admin/incidents/${earlyInc.id}`)).incident.assignee).toBe('kobayashi');
      expect((await send(url, 'PATCH', `/v1/admin/incidents/${earlyInc.id}`, { assignee: '小林 真理子' })).status).toBe(200);
      expect((await send(url, 'PATCH', `/v1/admin/incidents/${earlyInc.id}`, { assignee: 'kobayashi' })).status).toBe(200);
      expect((await send(url, 'PATCH', `/v1/admin/incidents/999999`, { status: 'closed' })).status).toBe(404);
      const reportedOnly = await json<{ incidents: { id: number }[] }>(url, '/v1/admin/incidents?status=reported');
      expect(reportedOnly.incidents.map((i) => i.id)).toEqual([earlyInc.id]);
      const perUser = await json<{ incidents: { user: string }[] }>(url, '/v1/admin/incidents?user=sato');
      expect(perUser.incidents.every((i) => i.user === 'sato')).toBe(true);

      // A fresh block: 24 h to report. At 17 h nothing; at 19 h (under a quarter left) "due soon"; after 24 h "overdue".
      const fresh = sampleEvent({ time: iso(clock), user: 'ito', fileName: '新規.xlsx', sha256: '9'.repeat(64) });
      await c.storage.insertEvents([fresh], clock);
      const t0 = clock;
      const freshInc = (await json<{ incidents: { id: number; user: string; minutesLeft: number }[] }>(url, '/v1/admin/incidents?user=ito')).incidents[0]!;
      expect(freshInc.minutesLeft).toBe(24 * 60);
      const stageOf = (id: number) => hook.bodies.filter((x) => x.kind === 'upload-guard.incident-deadline' && x.incident?.id === id).map((x) => x.stage);
      clock = t0 + 17 * 3_600_000;
      await json(url, '/v1/admin/incidents?user=ito');
      await c.outbox.idle();
      expect(stageOf(freshInc.id)).toEqual([]);
      clock = t0 + 19 * 3_600_000;
      await json(url, '/v1/admin/incidents?user=ito');
      await json(url, '/v1/admin/incidents?user=ito');
      await c.outbox.idle();
      expect(stageOf(freshInc.id)).toEqual(['due-soon']);
      clock = t0 + 25 * 3_600_000;
      await json(url, '/v1/admin/incidents?user=ito');
      await c.outbox.idle();
      expect(stageOf(freshInc.id)).toEqual(['due-soon', 'overdue']);
      // The reported incident never alerts.
      expect(stageOf(earlyInc.id).filter((s) => s === 'due-soon')).toEqual([]);

      // The agreed time is a setting.
      const put = await send(url, 'PUT', '/v1/admin/incident-settings', { reportHours: 48 });
      expect(((await put.json()) as { reportHours: number }).reportHours).toBe(48);
      const later = (await json<{ incidents: { id: number; minutesLeft: number }[] }>(url, '/v1/admin/incidents?user=ito')).incidents[0]!;
      expect(later.minutesLeft).toBe(48 * 60 - 25 * 60);
      expect((await send(url, 'PUT', '/v1/admin/incident-settings', { timeZone: 'Nowhere/Land' })).status).toBe(400);
    });
  });
}
