/**
 * Events end to end: real Chromium with the built extension, the real collector (a child process on
 * SQLite) and the real `upload-guard pull` (a child process). The extension is configured the way a
 * deployment does it: managed policy with collectorUrl + ingestToken, written before Chromium starts.
 *
 * 1. A blocked upload of a marked file on mail.google.com is in `pull` within 5 s of the attempt, with
 *    its metadata and none of the file's content.
 * 2. The collector crashes (SIGKILL) while attempts happen, comes back on the same port and data: the
 *    extension's chrome.alarms retry delivers every event, and storage holds each exactly once.
 * 3. With the collector down, the browser is closed with events queued and reopened on the same
 *    profile: every event arrives, once.
 * 4. A hostile file name comes out of `pull --format csv` as text (leading apostrophe).
 *
 * Uses the policy file /etc/chromium/policies/managed/upload-guard-e2e-events-<pid>.json: run alone.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadEventSchema, type StoredEvent } from '../../src/events/schema.js';
import { newProfile, writeManagedPolicy } from './policy-harness.js';
import { ADMIN_TOKEN, INGEST_TOKEN, freePort, launchProfile, pull, startCollector, type ProfileBrowser, type RunningCollector } from './support/collector.js';
import { MARKED_TEXT, SAMPLES, dismissWarning, readWarning, startSiteServer, type SiteServer } from './support/index.js';

const HOST = 'mail.google.com';
const USER = 'taro@example.co.jp';
const POLICY_VERSION = 'e2e-events-2026-11';
/**
 * The engine hashes a file only when the policy designates fingerprints (rule 3), so a deployment with
 * one gets sha256 in its events; this one (of bytes no test uploads) makes the hash path run.
 */
const DESIGNATED_SHA256 = createHash('sha256').update('no upload in this test has these bytes').digest('hex');
// deviceName and department are absent when the policy sets none (as here; desktop Chromium has no
// enterprise device attributes either): events read back as the device sent them.
// As the collector keeps an event: what the device sent, when it arrived, and from where with which ingest token.
const EVENT_KEYS = [...Object.keys(UploadEventSchema.shape).filter((k) => k !== 'deviceName' && k !== 'department'), 'receivedAt', 'receivedFrom', 'ingestTokenId'].sort();

let server: SiteServer;
let collector: RunningCollector;
let browser: ProfileBrowser | null = null;
let page: Page;
let port: number;
let dataDir: string;
let profile: string;
let removePolicy: () => void = () => undefined;
/** Measured for the report: attempt → first `pull` that shows the event, and event time → receivedAt. */
const measured: { what: string; pullMs: number; ingestMs: number }[] = [];

async function openLab(): Promise<Page> {
  const p = await browser!.context.newPage();
  await p.goto(server.url(HOST));
  return p;
}

beforeAll(async () => {
  server = await startSiteServer({ hosts: [HOST] });
  dataDir = mkdtempSync(join(tmpdir(), 'ug-collector-data-'));
  port = await freePort();
  collector = await startCollector({ dataDir, port });
  removePolicy = writeManagedPolicy(`upload-guard-e2e-events-${process.pid}`, {
    collectorUrl: collector.url,
    ingestToken: INGEST_TOKEN,
    user: USER,
    policyVersion: POLICY_VERSION,
    designated: { sha256: [DESIGNATED_SHA256] },
  });
  profile = newProfile();
  browser = await launchProfile(profile, [HOST]);
  page = await openLab();
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  removePolicy();
  await collector?.stop();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (measured.length) console.log('[events-collector] latency (ms):', JSON.stringify(measured));
});

/** Everything stored in the last hour, through `upload-guard pull --format ndjson` (a child process). */
async function pullAll(): Promise<StoredEvent[]> {
  const r = await pull(collector, ['--since', '1h', '--format', 'ndjson']);
  if (r.code !== 0) throw new Error(`pull exited ${r.code}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StoredEvent);
}

/** Polls `pull` until `done(events)`; returns the events and when they first satisfied it. */
async function pullUntil(done: (es: StoredEvent[]) => boolean, what: string, timeoutMs: number): Promise<{ events: StoredEvent[]; at: number }> {
  const end = Date.now() + timeoutMs;
  let last: StoredEvent[] = [];
  for (;;) {
    last = await pullAll();
    if (done(last)) return { events: last, at: Date.now() };
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; pulled ${last.length}: ${last.map((e) => e.fileName).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A real file chooser on the lab page (an XHR upload widget); expects and closes the block dialog. */
async function attemptBlocked(p: Page, name: string, buffer: Buffer): Promise<number> {
  const t0 = Date.now();
  await p.setInputFiles('#xhr-input', { name, mimeType: 'application/octet-stream', buffer });
  const w = await readWarning(p);
  expect(w.action).toBe('block');
  await dismissWarning(p);
  expect(server.received.filter((a) => a.name === name)).toEqual([]);
  return t0;
}

const named = (es: StoredEvent[], name: string) => es.filter((e) => e.fileName === name);

/** Bytes of the SQLite files (db + WAL), to prove no content was stored anywhere. */
function storedBytes(): Buffer {
  return Buffer.concat(['events.db', 'events.db-wal'].map((f) => join(dataDir, f)).filter(existsSync).map((f) => readFileSync(f)));
}

async function metric(name: string): Promise<number> {
  const res = await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Exactly once: each expected name once, ids distinct, and a second pull is identical. */
async function expectExactlyOnce(names: string[]): Promise<StoredEvent[]> {
  const first = await pullAll();
  const second = await pullAll();
  expect(second).toEqual(first);
  const ids = first.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  const mine = first.filter((e) => names.includes(e.fileName ?? ''));
  expect(mine.map((e) => e.fileName).sort()).toEqual([...names].sort());
  return mine;
}

describe('events from the real extension reach the real collector', () => {
  it('a blocked upload of a marked file is in `upload-guard pull` within 5 s, metadata only', async () => {
    const canary = `CONTENT-CANARY-${randomUUID()}`;
    const byName = { name: '秘—plan.txt', buffer: Buffer.from(`来週の計画 ${canary}\n`) };
    const byContent = SAMPLES.contentDocx(); // weekly-sync-notes.docx: the stamp is in the body only

    const seen: StoredEvent[] = [];
    for (const s of [byName, byContent]) {
      const t0 = Date.now();
      await page.setInputFiles('#xhr-input', { name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer });
      const { events, at } = await pullUntil((es) => named(es, s.name).length > 0, `${s.name} in pull`, 10_000);
      const e = named(events, s.name)[0];
      measured.push({ what: s.name, pullMs: at - t0, ingestMs: Date.parse(e.receivedAt) - Date.parse(e.time) });
      expect(at - t0, `attempt → pull for ${s.name}`).toBeLessThanOrEqual(5_000);
      const w = await readWarning(page);
      expect(w.action).toBe('block');
      await dismissWarning(page);
      seen.push(e);
    }
    expect(server.received).toEqual([]); // nothing reached the "service"

    const [n, c] = seen;
    for (const e of seen) {
      expect(Object.keys(e).sort()).toEqual(EVENT_KEYS);
      expect(e).toMatchObject({
        v: 1,
        verdict: 'marked',
        action: 'block',
        outcome: 'blocked',
        service: 'gmail',
        category: 'webmail',
        channel: 'file-input',
        origin: server.url(HOST).replace(/\/$/, ''),
        user: USER,
        policyVersion: POLICY_VERSION,
        relatesTo: null,
        justification: null,
      });
      expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
      // The browser on this machine sent it, with the policy's ingest token (its fingerprint, never the token).
      expect(e.receivedFrom).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      expect(e.ingestTokenId).toMatch(/^[0-9a-f]{8}$/);
    }
    expect(n).toMatchObject({ fileName: '秘—plan.txt', rule: 2, size: byName.buffer.length });
    if (n.sha256 !== null) expect(n.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c).toMatchObject({ fileName: 'weekly-sync-notes.docx', rule: 1, size: byContent.buffer.length, sha256: byContent.sha256 });
    expect(n.deviceId).toBe(c.deviceId);

    // No content anywhere: not in what pull returns, not in the database files.
    const raw = (await pull(collector, ['--since', '1h', '--format', 'ndjson'])).stdout;
    const stored = storedBytes().toString('utf8');
    for (const secret of [canary, '温度ドリフト', 'リファレンス電圧', 'センサ基板']) {
      expect(raw).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });

  it('the collector crashes while uploads are attempted: after it restarts every event arrives, once', async () => {
    await collector.kill();
    const tag = randomUUID().slice(0, 8);
    const names = Array.from({ length: 5 }, (_, i) => `秘—outage-${tag}-${i + 1}.txt`);
    for (const name of names) await attemptBlocked(page, name, Buffer.from(`outage ${name}\n`));

    const restartedAt = Date.now();
    collector = await startCollector({ dataDir, port });
    // Only the extension's retry alarm (first retry 30–36 s after the first failure) can deliver now.
    const { at } = await pullUntil((es) => names.every((n) => named(es, n).length > 0), 'all 5 events after the restart', 60_000);
    measured.push({ what: 'outage: restart → all 5 in pull', pullMs: at - restartedAt, ingestMs: NaN });

    const mine = await expectExactlyOnce(names);
    for (const e of mine) expect(e).toMatchObject({ verdict: 'marked', rule: 2, action: 'block', service: 'gmail', channel: 'file-input' });
    // The extension sent each event once to this collector process (no resend needed after a clean ack).
    expect(await metric('upload_guard_events_ingested_total')).toBe(5);
    expect(await metric('upload_guard_events_duplicate_total')).toBe(0);
  }, 100_000);

  it('the browser is closed with events queued and reopened: every event arrives, once', async () => {
    await collector.kill();
    const tag = randomUUID().slice(0, 8);
    const names = Array.from({ length: 3 }, (_, k) => `秘—restart-${tag}-${k + 1}.txt`);
    for (const name of names) await attemptBlocked(page, name, Buffer.from(`restart ${name}\n`));
    await browser!.close();
    browser = null;

    collector = await startCollector({ dataDir, port });
    expect(named(await pullAll(), names[0])).toEqual([]);
    const reopenedAt = Date.now();
    browser = await launchProfile(profile, [HOST]);
    const { at } = await pullUntil((es) => names.every((n) => named(es, n).length > 0), 'the queued events after reopening', 45_000);
    measured.push({ what: 'restart: reopen → all 3 in pull', pullMs: at - reopenedAt, ingestMs: NaN });

    await expectExactlyOnce(names);
    // Give a late duplicate send (e.g. the old retry alarm firing in the new browser) a chance to show.
    await new Promise((r) => setTimeout(r, 1_500));
    await expectExactlyOnce(names);
    expect(await metric('upload_guard_events_duplicate_total')).toBe(0);
    page = await openLab();
  }, 100_000);

  it('a hostile file name comes out of `pull --format csv` as text', async () => {
    const name = '=HYPERLINK("http://x","y")秘—a.txt';
    // Not marked by name (it does not begin with 秘—): marked by its content, the stamp.
    const t0 = Date.now();
    await page.setInputFiles('#xhr-input', { name, mimeType: 'text/plain', buffer: Buffer.from(`${MARKED_TEXT}\n`) });
    const { events, at } = await pullUntil((es) => es.some((e) => e.fileName?.includes('HYPERLINK')), 'the hostile name', 10_000);
    expect(at - t0).toBeLessThanOrEqual(5_000);
    expect((await readWarning(page)).action).toBe('block');
    await dismissWarning(page);
    const e = events.find((x) => x.fileName?.includes('HYPERLINK'))!;
    expect(e).toMatchObject({ fileName: name, verdict: 'marked', rule: 1, action: 'block', channel: 'file-input' });

    const csv = await pull(collector, ['--since', '1h', '--format', 'csv', '--q', 'HYPERLINK']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith('\uFEFF')).toBe(true);
    const lines = csv.stdout.slice(1).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2); // header + the one event
    const quoted = `"'${e.fileName!.replaceAll('"', '""')}"`;
    expect(lines[1]).toContain(quoted);
    expect(lines[1]).not.toMatch(/(^|,)"?=HYPERLINK/);
  });
});
