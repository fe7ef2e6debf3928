/**
 * What a request body's text becomes on record, on both back ends: exactly what was sent, or a refusal
 * that says why, or (ingest, which must keep every event) a replacement the answer names. Real HTTP,
 * real SQLite and PostgreSQL (UPLOAD_GUARD_TEST_PG).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'body-text-ingest-token-0123456789';
const ADMIN = 'body-text-admin-token-0123456789';

for (const backend of testBackends('bodytext')) {
  describe(backend.name, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], ingestRateLimit: { perSecond: 0, burst: 0 } });
      url = await c.listen(0);
    });
    afterAll(async () => {
      await c.close();
      await backend.cleanup(storage);
    });

    const post = (path: string, body: string | Uint8Array, contentType = 'application/json', token = INGEST, method = 'POST') =>
      fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    const get = async (path: string) => (await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    const storedEvent = async (id: string) => (await get('/v1/admin/events?limit=500')).events.find((e: { id: string }) => e.id === id);

    it('keeps an event with a lone surrogate, stores it as U+FFFD on every back end and names the fields in the answer', async () => {
      const e = sampleEvent({ fileName: 'a\ud800b.pdf', user: 'u\udc00', deviceName: 'PC\ud800' });
      const plain = sampleEvent({ fileName: 'ok 😀.pdf' });
      const res = await post('/v1/events', JSON.stringify({ events: [e, plain] }));
      expect(res.status).toBe(200);
      const answer = await res.json();
      expect(answer).toMatchObject({ accepted: 2, duplicates: 0 });
      // Only the event changed is named, with exactly its changed fields.
      expect(answer.replaced).toEqual([{ id: e.id, fields: ['user', 'fileName', 'deviceName'], why: expect.stringMatching(/U\+FFFD/) }]);
      expect(await storedEvent(e.id)).toMatchObject({ fileName: 'a\ufffdb.pdf', user: 'u\ufffd', deviceName: 'PC\ufffd' });
      expect((await storedEvent(plain.id)).fileName).toBe('ok 😀.pdf');
      // And counted for the operator.
      const metrics = await (await fetch(url + '/metrics', { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(metrics).toMatch(/^upload_guard_strings_replaced_total 1$/m);
    });

    it('a batch that repeats an id names a replacement only where the copy stored had one', async () => {
      // The clean copy first: it is stored, the second copy (a lone surrogate) is a duplicate, not said to be stored.
      const clean = sampleEvent({ fileName: 'first.pdf' });
      let res = await post('/v1/events', JSON.stringify({ events: [clean, { ...clean, fileName: 'second\ud800.pdf' }] }));
      let answer = await res.json();
      expect(answer).toEqual({ accepted: 1, duplicates: 1 });
      expect((await storedEvent(clean.id)).fileName).toBe('first.pdf');
      // The copy with the surrogate first: stored as U+FFFD, and said so once.
      const odd = sampleEvent({ fileName: 'first\ud800.pdf' });
      res = await post('/v1/events', JSON.stringify({ events: [odd, { ...odd, fileName: 'second.pdf' }, odd] }));
      answer = await res.json();
      expect(answer).toMatchObject({ accepted: 1, duplicates: 2 });
      expect(answer.replaced).toEqual([{ id: odd.id, fields: ['fileName'], why: expect.stringMatching(/U\+FFFD/) }]);
      expect((await storedEvent(odd.id)).fileName).toBe('first\ufffd.pdf');
    });

    it('names a time finer than a millisecond as stored to the millisecond; a time that says no more is not named', async () => {
      // A minute ago, so within the collector's window of believed times whenever this runs.
      const ms = new Date(Date.now() - 60_000).toISOString();
      const fine = sampleEvent({ time: ms.replace('Z', '456Z'), fileName: 'x\ud800.pdf' });
      const zeros = sampleEvent({ time: ms.replace('Z', '000Z') });
      const plain = sampleEvent({ time: `${ms.slice(0, 19)}Z` });
      const res = await post('/v1/events', JSON.stringify({ events: [fine, zeros, plain] }));
      expect((await res.json()).replaced).toEqual([{ id: fine.id, fields: ['fileName', 'time'], why: expect.stringMatching(/U\+FFFD.*; time is kept to the millisecond/) }]);
      expect([(await storedEvent(fine.id)).time, (await storedEvent(zeros.id)).time, (await storedEvent(plain.id)).time]).toEqual([ms, ms, `${ms.slice(0, 19)}.000Z`]);
    });

    it('a heartbeat with a lone surrogate: stored as U+FFFD and said so (200 naming the fields, not a bare 204)', async () => {
      const deviceId = `pc-surrogate-${backend.name}`;
      const res = await post('/v1/heartbeat', JSON.stringify(sampleHeartbeat({ deviceId, deviceName: 'PC\ud800', user: 'u\udc00x' })));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ replaced: { fields: ['user', 'deviceName'], why: expect.stringMatching(/U\+FFFD/) } });
      const device = (await get('/v1/admin/devices')).devices.find((d: { deviceId: string }) => d.deviceId === deviceId);
      expect([device.deviceName, device.user]).toEqual(['PC\ufffd', 'u\ufffdx']);
      // Nothing replaced: 204 as before.
      expect((await post('/v1/heartbeat', JSON.stringify(sampleHeartbeat({ deviceId, deviceName: 'PC 😀' })))).status).toBe(204);
    });

    it("refuses an admin's text with a lone surrogate, naming the field, and changes nothing", async () => {
      const e = sampleEvent({ fileName: `incident-${backend.name}.docx`, sha256: 'b'.repeat(64), user: 'hanako' });
      expect((await post('/v1/events', JSON.stringify({ events: [e] }))).status).toBe(200);
      const incident = (await get('/v1/admin/incidents')).incidents.find((i: { user: string }) => i.user === 'hanako');
      for (const [field, body] of [
        ['assignee', { assignee: 'kobayashi\ud800' }],
        ['notes', { notes: 'line one\n\udc00 two' }],
      ] as const) {
        const res = await post(`/v1/admin/incidents/${incident.id}`, JSON.stringify(body), 'application/json', ADMIN, 'PATCH');
        expect(res.status).toBe(400);
        expect((await res.json()).error).toMatch(new RegExp(`^malformed request body: ${field}: holds a lone UTF-16 surrogate`));
      }
      const after = (await get(`/v1/admin/incidents/${incident.id}`)).incident;
      expect([after.assignee, after.notes]).toEqual([null, null]);
      // A pair is text: taken.
      const ok = await post(`/v1/admin/incidents/${incident.id}`, JSON.stringify({ notes: '確認 😀' }), 'application/json', ADMIN, 'PATCH');
      expect(ok.status).toBe(200);
      expect((await ok.json()).incident.notes).toBe('確認 😀');
    });

    it('reads a body in the charset its Content-Type names, and never stores mojibake', async () => {
      const cases: [string, (s: string) => Uint8Array, string][] = [
        ['application/json; charset=utf-16', (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]), '秘密 UTF-16 BOM.pdf'],
        ['application/json; charset=UTF-16', (s) => Buffer.from(s, 'utf16le'), '秘密 UTF-16LE.pdf'],
        ['application/json; charset="utf-16"', (s) => Buffer.from(s, 'utf16le').swap16(), '秘密 UTF-16BE.pdf'],
        ['application/json; charset=utf-16be', (s) => Buffer.from(s, 'utf16le').swap16(), '秘密 BE 😀.pdf'],
        ['application/json; charset=iso-8859-1', (s) => Buffer.from(s, 'latin1'), 'café Latin-1.pdf'],
        ['application/json;charset=Shift_JIS', (s) => shiftJis(s), '秘密 SJIS.pdf'],
        ['application/json; charset=utf-8', (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]), '秘密 UTF-8 BOM.pdf'],
      ];
      for (const [type, encode, fileName] of cases) {
        const e = sampleEvent({ fileName });
        const res = await post('/v1/heartbeat', encode(JSON.stringify(sampleHeartbeat({ deviceName: `PC ${fileName.slice(0, 2)}` }))), type);
        expect(res.status, `${type} heartbeat`).toBe(204);
        const sent = await post('/v1/events', encode(JSON.stringify({ events: [e] })), type);
        expect([type, sent.status, await sent.json()]).toEqual([type, 200, { accepted: 1, duplicates: 0 }]);
        expect((await storedEvent(e.id)).fileName, type).toBe(fileName);
      }
    });

    it("names the route's own body limit when refusing a body too large (a heartbeat's, 16 KiB; was the app's 1 MiB)", async () => {
      const res = await post('/v1/heartbeat', JSON.stringify({ ...sampleHeartbeat(), deviceName: 'x'.repeat(20_000) }));
      expect([res.status, (await res.json()).error]).toEqual([413, 'request body too large: at most 16384 bytes']);
    });

    it('refuses bytes that are not text in the declared charset (400) and a charset it cannot read (415); nothing stored', async () => {
      const refusals: [string, (s: string) => Uint8Array, number, RegExp][] = [
        // Latin-1 bytes sent as UTF-8 (no charset: UTF-8): were stored as 「caf\uFFFD」.
        ['application/json', (s) => Buffer.from(s, 'latin1'), 400, /not valid utf-8 text/],
        ['application/json; charset=utf-8', (s) => Buffer.from(s, 'latin1'), 400, /not valid utf-8 text/],
        ['application/json; charset=utf-16le', (s) => Buffer.concat([Buffer.from(s, 'utf16le'), Buffer.from([0x00, 0xd8, 0x7d, 0x00])]), 400, /not valid utf-16le text/],
        ['application/json; charset=klingon', (s) => Buffer.from(s), 415, /charset "klingon" is not one the collector can read/],
        ['application/json; charset=utf-8; charset=latin1', (s) => Buffer.from(s), 415, /more than one charset/],
      ];
      for (const [type, encode, status, error] of refusals) {
        const e = sampleEvent({ fileName: 'café refused.pdf' });
        const res = await post('/v1/events', encode(JSON.stringify({ events: [e] })), type);
        expect([type, res.status]).toEqual([type, status]);
        expect((await res.json()).error).toMatch(error);
        expect(await storedEvent(e.id), type).toBeUndefined();
      }
    });
  });
}

/** Shift_JIS by iconv's table, for the characters this test uses (ASCII and 秘密 only). */
function shiftJis(s: string): Uint8Array {
  const table: Record<string, number[]> = { 秘: [0x94, 0xe9], 密: [0x96, 0xa7] };
  return Uint8Array.from([...s].flatMap((ch) => table[ch] ?? (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : [0x3f])));
}
