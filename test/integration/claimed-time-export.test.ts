/**
 * Red team L2: an event whose device clock was far off is stored at its arrival with the device's claim
 * as claimedTime (so it cannot re-order the log), but the CSV exports dropped the claim: in the file the
 * admin works from, such a row looked like any other, dated at its arrival. Now both CSV layouts carry
 * the claim in a column of its own (empty for believable times). Real HTTP on SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'claimed-time-ingest-token-0123456789';
const ADMIN = 'claimed-time-admin-token-0123456789';
const FUTURE = '9999-12-31T00:00:00.000Z';

/** The CSV's rows as cells (no quoted commas in these fixtures), without the BOM. */
const table = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));

for (const backend of testBackends('claimed')) {
  describe(`events with an implausible device time in exports on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    const get = async (path: string) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    const ahead = sampleEvent({ time: FUTURE, fileName: '秘—clock-ahead.docx', action: 'block', outcome: 'blocked' });
    const normal = sampleEvent({ time: new Date(Date.now() - 3_600_000).toISOString(), fileName: '社外秘-clock-normal.docx', action: 'block', outcome: 'blocked' });

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN] });
      url = await c.listen(0);
      const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [ahead, normal] }) });
      expect(await r.json()).toMatchObject({ accepted: 2 });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('the raw events CSV has the claimed time beside the arrival', async () => {
      const [head, ...rows] = table(await get('/v1/admin/export?format=csv&layout=events&from=30d'));
      const col = (name: string) => head!.indexOf(name);
      expect(col('claimedTime')).toBeGreaterThan(col('receivedAt'));
      const row = (id: string) => rows.find((r) => r[col('id')] === id)!;
      expect(row(ahead.id)[col('claimedTime')]).toBe(FUTURE);
      // Stored at its arrival: it sorts, counts and is purged by that, not by year 9999.
      expect(row(ahead.id)[col('time')]).toBe(row(ahead.id)[col('receivedAt')]);
      expect(row(normal.id)[col('claimedTime')]).toBe('');
      expect(row(normal.id)[col('time')]).toBe(normal.time);
    });

    it('the decisions CSV has a column for it, in Japanese and English', async () => {
      for (const [lang, header] of [
        ['ja', '端末が報告した日時（不自然なため受信日時で記録）'],
        ['en', 'Time the device claimed (implausible: stored at receipt)'],
      ] as const) {
        const [head, ...rows] = table(await get(`/v1/admin/export?format=csv&from=30d&lang=${lang}&tz=UTC`));
        const col = head!.indexOf(header);
        expect(col, lang).toBeGreaterThan(0);
        const file = head!.indexOf(lang === 'ja' ? 'ファイル名' : 'File name');
        expect(rows.find((r) => r[file] === ahead.fileName)![col]).toBe('9999-12-31T00:00:00+00:00');
        expect(rows.find((r) => r[file] === normal.fileName)![col]).toBe('');
      }
    });
  });
}
