/**
 * OCSF output: each event as a Data Security Finding (class 2006), checked against the attribute
 * requirements and enumerations of the OCSF schema (ocsf-schema: events/base_event.json,
 * events/findings/finding.json, events/findings/data_security_finding.json, objects/finding_info.json,
 * objects/file.json, objects/fingerprint.json, objects/data_security.json, objects/metadata.json,
 * objects/product.json, objects/device.json, objects/user.json; dictionary enums), written out below;
 * then served by the export (`format=ocsf`) and `upload-guard pull --format ocsf`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { toOcsf } from '../../src/collector/alerts/ocsf.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed finding, checked field by field
type Finding = Record<string, any>;

/** Required attributes per object, and the enumerations of the integer ids used, from the OCSF schema. */
const REQUIRED: Record<string, string[]> = {
  // base_event + finding + data_security_finding
  '': ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'severity_id', 'time', 'metadata', 'finding_info'],
  metadata: ['product', 'version'],
  'metadata.product': ['vendor_name'],
  finding_info: ['uid'],
  file: ['name', 'type_id'],
  'file.hashes[]': ['algorithm_id', 'value'],
  device: ['type_id'],
};
const ENUMS: Record<string, number[]> = {
  activity_id: [0, 1, 2, 3, 99],
  severity_id: [0, 1, 2, 3, 4, 5, 6, 99],
  action_id: [0, 1, 2, 3, 4, 99],
  disposition_id: [...Array.from({ length: 28 }, (_, i) => i), 99],
  status_id: [0, 1, 2, 3, 4, 5, 6, 99],
  'data_security.confidentiality_id': [0, 1, 2, 3, 4, 5, 6, 99],
  'data_security.data_lifecycle_state_id': [0, 1, 2, 3, 99],
  'data_security.detection_system_id': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99],
  'file.type_id': [0, 1, 2, 3, 4, 5, 6, 7, 99],
  'file.hashes[].algorithm_id': [0, 1, 2, 3, 4, 5, 6, 7, 8, 99],
  'device.type_id': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99],
};

function at(o: unknown, path: string): unknown[] {
  if (!path) return [o];
  let cur: unknown[] = [o];
  for (const part of path.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = cur.flatMap((x) => {
      const v = x && typeof x === 'object' ? (x as Record<string, unknown>)[key] : undefined;
      if (v === undefined) return [];
      return arr ? (v as unknown[]) : [v];
    });
  }
  return cur;
}

/** Every problem of a finding against the requirements above (empty: it conforms). */
function problems(f: unknown): string[] {
  const out: string[] = [];
  for (const [path, keys] of Object.entries(REQUIRED)) {
    for (const obj of at(f, path)) for (const k of keys) if ((obj as Record<string, unknown>)[k] === undefined || (obj as Record<string, unknown>)[k] === null) out.push(`${path || '(event)'}.${k} missing`);
  }
  for (const [path, values] of Object.entries(ENUMS)) for (const v of at(f, path)) if (!values.includes(v as number)) out.push(`${path}: ${String(v)} not in the enumeration`);
  const r = f as Record<string, number>;
  if (r.class_uid !== 2006) out.push('class_uid must be 2006 (Data Security Finding)');
  if (r.category_uid !== 2) out.push('category_uid must be 2 (Findings)');
  if (r.type_uid !== r.class_uid * 100 + r.activity_id) out.push('type_uid must be class_uid * 100 + activity_id');
  if (!Number.isInteger(r.time)) out.push('time must be a timestamp_t (integer ms)');
  for (const u of at(f, 'actor.user')) if (!(u as { name?: string; uid?: string }).name && !(u as { uid?: string }).uid) out.push('actor.user needs name or uid');
  for (const h of at(f, 'file.hashes[]')) if ((h as { algorithm_id: number; value: string }).algorithm_id === 3 && !/^[0-9a-f]{64}$/.test((h as { value: string }).value)) out.push('SHA-256 value');
  return out;
}

const cases: [string, Partial<UploadEvent>][] = [
  ['block', {}],
  ['warn pending', { action: 'warn', outcome: 'pending' }],
  ['warn proceeded (answer)', { action: 'warn', outcome: 'proceeded', relatesTo: crypto.randomUUID(), justification: '取引先に送付' }],
  ['dispute', { action: 'warn', outcome: 'disputed', relatesTo: crypto.randomUUID() }],
  ['clean allow', { verdict: 'clean', rule: null, reason: null, action: 'allow', outcome: 'allowed' }],
  ['unscannable audit', { verdict: 'unscannable', rule: null, reason: 'encrypted', action: 'audit', outcome: 'allowed' }],
  ['pasted text', { channel: 'paste', fileName: null, sha256: null, size: 120 }],
  ['no user, no service', { user: null, service: null, serviceName: null, category: null }],
];

describe('OCSF Data Security Finding mapping', () => {
  it.each(cases)('%s conforms to the schema requirements', (_name, over) => {
    const e = sampleEvent(over);
    const f = toOcsf(e);
    expect(problems(f)).toEqual([]);
    expect(f.finding_info.uid).toBe(e.id);
    expect(f.time).toBe(Date.parse(e.time));
  });

  it('maps what the event says: activity, severity, actor, device, file, classification and rule', () => {
    const e = sampleEvent({ fileName: '秘—見積.xlsx', size: 1234, sha256: 'b'.repeat(64), rule: 1, reason: 'stamp' });
    const f = toOcsf(e) as Finding;
    expect(f).toMatchObject({
      activity_id: 1,
      type_uid: 200601,
      severity_id: 4,
      action_id: 2,
      disposition_id: 2,
      actor: { user: { name: e.user } },
      device: { uid: e.deviceId },
      file: { name: '秘—見積.xlsx', size: 1234, hashes: [{ algorithm_id: 3, value: 'b'.repeat(64) }] },
      data_security: { confidentiality_id: 2, detection_pattern: 'stamp', policy: { uid: '1' }, data_lifecycle_state_id: 2, detection_system_id: 1 },
      dst_endpoint: { hostname: 'mail.google.com', svc_name: 'Gmail' },
      unmapped: { service: 'gmail', channel: 'file-input' },
    });
    const answer = toOcsf(sampleEvent({ action: 'warn', outcome: 'proceeded', relatesTo: e.id })) as Finding;
    expect(answer).toMatchObject({ activity_id: 2, type_uid: 200602, severity_id: 4, finding_info: { related_events: [{ uid: e.id }] } });
    expect((toOcsf(sampleEvent({ verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed' })) as Finding).severity_id).toBe(1);
    // Text has no file object (OCSF requires a file's name).
    expect(toOcsf(sampleEvent({ channel: 'paste', fileName: null })).file).toBeUndefined();
  });

  it('the checker itself refuses a finding that breaks the requirements', () => {
    const f = toOcsf(sampleEvent()) as Finding;
    expect(problems({ ...f, class_uid: 2004 })).toContain('class_uid must be 2006 (Data Security Finding)');
    expect(problems({ ...f, finding_info: { title: 'x' } })).toContain('finding_info.uid missing');
    expect(problems({ ...f, severity_id: 7 })).toContain('severity_id: 7 not in the enumeration');
    expect(problems({ ...f, file: { size: 1 } })).toContain('file.name missing');
  });
});

describe('OCSF export and pull', () => {
  const INGEST = 'ocsf-ingest-token-0123456789';
  const ADMIN = 'ocsf-admin-token-0123456789a';
  let c: Collector;
  let url: string;
  let dir: string;
  const events = [
    sampleEvent({ time: '2026-11-02T01:00:00.000Z' }),
    sampleEvent({ time: '2026-11-02T02:00:00.000Z', fileName: 'a\u2028b<script>.docx' }),
    sampleEvent({ time: '2026-11-02T03:00:00.000Z', verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed' }),
  ];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-ocsf-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false });
    url = await c.listen(0);
    const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (body: string) => body.trimEnd().split('\n').map((l) => JSON.parse(l) as Finding);

  it('GET /v1/admin/events?format=ocsf and /v1/admin/export?format=ocsf give one finding per line', async () => {
    for (const path of ['/v1/admin/events?format=ocsf&from=2026-11-01&to=2026-11-03&sort=time', '/v1/admin/export?format=ocsf&from=2026-11-01&to=2026-11-03&sort=time']) {
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/ndjson/);
      const body = await res.text();
      expect(body).not.toContain('\u2028'); // one finding per line for every splitter
      const got = lines(body);
      expect(got.map((f) => f.finding_info.uid)).toEqual(events.map((e) => e.id));
      expect(got.every((f) => problems(f).length === 0)).toBe(true);
      expect(got[1]!.file.name).toBe('a\u2028b<script>.docx');
      expect(got[0]!.metadata.logged_time).toBeTypeOf('number');
    }
  });

  it('upload-guard pull --format ocsf', async () => {
    const r = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../bin/upload-guard.js'), 'pull', '--since', '2026-11-01', '--until', '2026-11-03', '--format', 'ocsf', '--url', url], {
      env: { ...process.env, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN },
    });
    const got = lines(r.stdout);
    expect(got.map((f) => f.finding_info.uid)).toEqual(events.map((e) => e.id));
    expect(got.every((f) => f.class_uid === 2006 && problems(f).length === 0)).toBe(true);
  });
});
