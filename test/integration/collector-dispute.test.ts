/**
 * A dispute ("ask for a review") through the real collector: ingest validates it like every other
 * event (a dispute must name the decision it disputes), stores it once, and the admin API filters it
 * by `outcome=disputed` for the admin page's review-request view. Real HTTP, real SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerEvent, disputeEvent } from '../../src/events/build.js';
import { sampleEvent } from '../../src/events/sample.js';
import type { StoredEvent } from '../../src/events/schema.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'ingest-token-for-dispute-tests-0123';
const ADMIN = 'admin-token-for-dispute-tests-98765';
let dir: string;
let c: Collector;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ug-dispute-'));
  c = await createCollector({
    storage: new SqliteStorage({ path: join(dir, 'events.db') }),
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    timeWindow: false,
  });
  url = await c.listen(0);
});

afterAll(async () => {
  await c?.close();
  await c?.storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (events: unknown[]) =>
  fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });

describe('dispute events at the collector', () => {
  it('are accepted once, linked to the decision, and listed by outcome=disputed with the comment', async () => {
    const now = new Date().toISOString();
    const blocked = sampleEvent({ time: now, action: 'block', outcome: 'blocked', verdict: 'marked', rule: 2, reason: 'name', fileName: '秘—設計書.docx' });
    const dispute = disputeEvent(blocked, '雛形のコピーです <b>公開済み</b>');
    const first = await post([blocked, dispute]);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await (await post([dispute])).json()).toEqual({ accepted: 0, duplicates: 1 });

    const res = await fetch(`${url}/v1/admin/events?outcome=disputed&from=1d`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = (await res.json()) as { events: StoredEvent[] };
    expect(body.events.map((e) => [e.id, e.relatesTo, e.outcome, e.justification])).toEqual([[dispute.id, blocked.id, 'disputed', '雛形のコピーです <b>公開済み</b>']]);
  });

  it('the admin page gets each warning\'s answer beside the page of events (the events themselves all stay)', async () => {
    const now = new Date().toISOString();
    const warned = sampleEvent({ time: now, action: 'warn', outcome: 'pending', verdict: 'unscannable', rule: null, reason: 'encrypted', fileName: '暗号化-回答.zip' });
    const waiting = sampleEvent({ time: now, action: 'warn', outcome: 'pending', verdict: 'unscannable', rule: null, reason: 'encrypted', fileName: '暗号化-未回答.zip' });
    const answer = answerEvent(warned, false, null);
    const posted = await post([warned, waiting, answer]);
    expect(posted.status, await posted.clone().text()).toBe(200);
    const res = await fetch(`${url}/v1/admin/events?from=1d&action=warn,audit,allow,block`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = (await res.json()) as { events: StoredEvent[]; answers: Record<string, StoredEvent> };
    const ids = body.events.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining([warned.id, waiting.id, answer.id]));
    expect(body.answers[warned.id]).toMatchObject({ id: answer.id, outcome: 'cancelled', relatesTo: warned.id });
    expect(body.answers[waiting.id]).toBeUndefined();
  });

  it('are validated like every event: no dispute without the decision, no unknown field', async () => {
    const blocked = sampleEvent({ action: 'block', outcome: 'blocked' });
    const orphan = { ...disputeEvent(blocked, null), relatesTo: null };
    const r1 = await post([orphan]);
    expect(r1.status).toBe(400);
    expect(JSON.stringify(await r1.json())).toContain('relatesTo: required when outcome is disputed');
    const r2 = await post([{ ...disputeEvent(blocked, 'x'), comment: 'x' }]);
    expect(r2.status).toBe(400);
    expect(JSON.stringify(await r2.json())).toContain('comment: unknown field');
  });
});
