/**
 * Offsets across DST changes: the stretches of one offset (what the database buckets days by) and the
 * local days of a period, in America/New_York and Europe/Berlin around their 2026 changes, and Asia/Tokyo
 * (no DST: one stretch).
 */
import { describe, expect, it } from 'vitest';
import { dayInZone, localDays, offsetMinutes, offsetSpans } from '../../src/collector/time-zone.js';

const t = (iso: string) => Date.parse(iso);

describe('offsetSpans', () => {
  it('cuts New York at its spring and autumn changes, to the second', () => {
    const spans = offsetSpans('America/New_York', t('2026-03-01T05:00:00Z'), t('2026-11-08T05:00:00Z'));
    expect(spans.map((s) => [new Date(s.from).toISOString(), new Date(s.to).toISOString(), s.offset])).toEqual([
      ['2026-03-01T05:00:00.000Z', '2026-03-08T07:00:00.000Z', -300],
      ['2026-03-08T07:00:00.000Z', '2026-11-01T06:00:00.000Z', -240],
      ['2026-11-01T06:00:00.000Z', '2026-11-08T05:00:00.000Z', -300],
    ]);
  });

  it('cuts Berlin at 01:00 UTC on the last Sundays of March and October', () => {
    const spans = offsetSpans('Europe/Berlin', t('2026-03-20T00:00:00Z'), t('2026-10-30T00:00:00Z'));
    expect(spans.map((s) => [s.to, s.offset])).toEqual([
      [t('2026-03-29T01:00:00Z'), 60],
      [t('2026-10-25T01:00:00Z'), 120],
      [t('2026-10-30T00:00:00Z'), 60],
    ]);
  });

  it('is one stretch in Tokyo, and the pieces always cover the period without gaps', () => {
    expect(offsetSpans('Asia/Tokyo', t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z'))).toEqual([
      { from: t('2026-01-01T00:00:00Z'), to: t('2027-01-01T00:00:00Z'), offset: 540 },
    ]);
    const spans = offsetSpans('Europe/Berlin', t('2025-06-01T00:00:00Z'), t('2027-06-01T00:00:00Z'));
    expect(spans).toHaveLength(5);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBe(spans[i - 1]!.to);
  });
});

describe('localDays', () => {
  it('lists each local day once across a 23-hour and a 25-hour day', () => {
    const from = t('2026-03-07T05:00:00Z'); // 03/07 00:00 EST
    const to = t('2026-03-10T04:00:00Z'); // 03/10 00:00 EDT
    expect(localDays('America/New_York', from, to)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(localDays('Europe/Berlin', t('2026-10-24T22:00:00Z'), t('2026-10-26T23:00:00Z'))).toEqual(['2026-10-25', '2026-10-26']);
    expect(localDays('Asia/Tokyo', t('2026-10-31T15:00:00Z'), t('2026-11-02T15:00:00Z'))).toEqual(['2026-11-01', '2026-11-02']);
  });

  it('ends where a zone skips midnight (Santiago moves its clocks at 24:00; after the change midnight is 03:00 UTC)', () => {
    const days = localDays('America/Santiago', t('2026-09-04T04:00:00Z'), t('2026-09-08T03:00:00Z'));
    expect(days).toEqual(['2026-09-04', '2026-09-05', '2026-09-06', '2026-09-07']);
    expect(dayInZone(t('2026-09-06T04:30:00Z'), 'America/Santiago')).toBe('2026-09-06');
  });
});

describe('offsetSpans over long ranges (red team G3)', () => {
  /** The changes as a day-by-day walk finds them (what offsetSpans did before it sampled every 3 days). */
  function daily(zone: string, from: number, to: number): { at: number; offset: number }[] {
    const out: { at: number; offset: number }[] = [];
    let prev = offsetMinutes(zone, from);
    for (let d = from; d < to; d += 86_400_000) {
      const o = offsetMinutes(zone, Math.min(d + 86_400_000, to) - 1);
      if (o !== prev) out.push({ at: d, offset: o });
      prev = o;
    }
    return out;
  }

  it('years 0001 to 9999 cost a bounded walk, not 3.6 million days; only 1970-2100 is cut', () => {
    // The work is counted, not timed (3 s of wall clock took 2.6 s on a loaded 2-core machine): each
    // offset asked is one read of the zone's clock (formatToParts). 1970-2100 sampled every 3 days, each
    // change then found to the second, is about 21,000 reads; a day-by-day walk of 0001-9999 is 3.6
    // million, and is stopped at the 100,001st read instead of running for minutes.
    const LIMIT = 100_000;
    const proto = Intl.DateTimeFormat.prototype;
    const read = proto.formatToParts;
    let reads = 0;
    proto.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
      if (++reads > LIMIT) throw new Error(`more than ${LIMIT} reads of the zone's clock: the walk is not bounded`);
      return read.call(this, date);
    };
    let spans: ReturnType<typeof offsetSpans>;
    try {
      spans = offsetSpans('America/Chicago', t('0001-01-01T00:00:00Z'), t('9999-12-31T00:00:00Z'));
    } finally {
      proto.formatToParts = read;
    }
    expect(reads).toBeGreaterThan(0); // the count sees the walk (no earlier test walked Chicago's years)
    expect(spans[0]!.from).toBe(t('0001-01-01T00:00:00Z'));
    expect(spans.at(-1)!.to).toBe(t('9999-12-31T00:00:00Z'));
    // Two changes a year from 1970 (and the odd extra one): a few hundred pieces, each one offset.
    expect(spans.length).toBeGreaterThan(200);
    expect(spans.length).toBeLessThan(400);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBe(spans[i - 1]!.to);
    // Year 1 was read as 1901 by Date.UTC and came out ~1900 years east of UTC; it is local mean time.
    expect(spans[0]!.offset).toBe(-351);
  });

  it('finds the changes a daily walk finds, also where they come a week apart', () => {
    // America/Noronha 1999-2000 (6.75 days between two changes), Asia/Gaza, Africa/Casablanca's Ramadan pauses.
    for (const [zone, from, to] of [
      ['America/Noronha', '1999-06-01', '2001-06-01'],
      ['Asia/Gaza', '2000-01-01', '2012-01-01'],
      ['Africa/Casablanca', '2012-01-01', '2020-01-01'],
    ] as const) {
      const spans = offsetSpans(zone, t(from), t(to));
      const changes = spans.slice(1).map((s) => ({ day: Math.floor(s.from / 86_400_000), offset: s.offset }));
      expect(changes, zone).toEqual(daily(zone, t(from), t(to)).map((c) => ({ day: Math.floor(c.at / 86_400_000), offset: c.offset })));
    }
  });
});
