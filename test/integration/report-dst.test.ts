/**
 * Daily buckets follow local midnights across DST changes (SQLite; PostgreSQL with UPLOAD_GUARD_TEST_PG):
 * a report over New York's autumn change and one over Berlin's spring change put each event on its local
 * day, also those after the change (a fixed offset from the start of the period moves them an hour);
 * Tokyo (no DST) is unchanged. The admin summary's days (zonedSummary) agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/collector/report/data.js';
import { reportRange } from '../../src/collector/report/range.js';
import { zonedSummary } from '../../src/collector/report/zoned.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { testBackends } from '../support/backends.js';

const marked = (time: string): UploadEvent => sampleEvent({ time, user: 'dst@example.com' });

// New York, autumn: EDT (-4) until 2026-11-01 06:00Z, EST (-5) after.
const NEW_YORK = [
  marked('2026-10-30T03:30:00Z'), // 10/29 23:30 EDT
  marked('2026-11-01T04:30:00Z'), // 11/01 00:30 EDT
  marked('2026-11-01T05:30:00Z'), // 11/01 01:30 EDT (the hour that repeats)
  marked('2026-11-01T06:30:00Z'), // 11/01 01:30 EST
  marked('2026-11-05T04:30:00Z'), // 11/04 23:30 EST (at -4 this would be 11/05 00:30)
  marked('2026-11-07T05:10:00Z'), // 11/07 00:10 EST (at -4 this would be 11/07 01:10; same day)
];
// Berlin, spring: CET (+1) until 2026-03-29 01:00Z, CEST (+2) after.
const BERLIN = [
  marked('2026-03-28T23:30:00Z'), // 03/29 00:30 CET
  marked('2026-03-29T22:30:00Z'), // 03/30 00:30 CEST (at +1 this would be 03/29 23:30)
  marked('2026-04-01T22:15:00Z'), // 04/02 00:15 CEST
];
// Tokyo: +9 all year.
const TOKYO = [marked('2026-12-31T15:30:00Z'), marked('2027-01-01T14:59:00Z'), marked('2027-01-01T15:00:00Z')];

const days = (byDay: { day: string; count: number }[]) => Object.fromEntries(byDay.filter((d) => d.count > 0).map((d) => [d.day, d.count]));

describe.each(testBackends('dst'))('daily buckets across DST ($name)', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await backend.open();
    for (const e of [...NEW_YORK, ...BERLIN, ...TOKYO]) await storage.insertEvents([e], Date.parse(e.time));
  });
  afterAll(() => backend.cleanup(storage));

  const report = (from: string, to: string, tz: string) => buildReport(storage, reportRange({ from, to, tz }, Date.parse('2026-12-01T00:00:00Z')), { now: Date.parse('2026-12-01T00:00:00Z') });

  it('America/New_York: a period over the autumn change, one bucket per local day', async () => {
    const r = await report('2026-10-29', '2026-11-08', 'America/New_York');
    expect(r.byDay.map((d) => d.day)).toEqual(['2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07']);
    expect(days(r.byDay)).toEqual({ '2026-10-29': 1, '2026-11-01': 3, '2026-11-04': 1, '2026-11-07': 1 });
    expect(days(r.byDay.map((d) => ({ day: d.day, count: d.attempts })))).toEqual(days(r.byDay));
    expect(r.totals.total).toBe(6);
    // Incidents group by local day too: the 11/04 23:30 block is on 11/04.
    expect(r.incidents.top.map((i) => i.day).sort()).toEqual(['2026-10-29', '2026-11-01', '2026-11-04', '2026-11-07']);
  });

  it('Europe/Berlin: a period over the spring change', async () => {
    const r = await report('2026-03-25', '2026-04-05', 'Europe/Berlin');
    expect(r.byDay).toHaveLength(11);
    expect(days(r.byDay)).toEqual({ '2026-03-29': 1, '2026-03-30': 1, '2026-04-02': 1 });
  });

  it('Asia/Tokyo: no change, the days as before', async () => {
    const r = await report('2027-01-01', '2027-01-03', 'Asia/Tokyo');
    expect(days(r.byDay)).toEqual({ '2027-01-01': 2, '2027-01-02': 1 });
  });

  it('the summary by local day (admin page) agrees across the change', async () => {
    const s = await zonedSummary(storage, { from: Date.parse('2026-10-29T04:00:00Z'), to: Date.parse('2026-11-08T05:00:00Z') }, 'America/New_York');
    expect(s.total).toBe(6);
    expect(days(s.byDay)).toEqual({ '2026-10-29': 1, '2026-11-01': 3, '2026-11-04': 1, '2026-11-07': 1 });
    expect(s.byService.reduce((n, x) => n + x.count, 0)).toBe(6);
  });
});
