/**
 * Offsets across DST changes: the stretches of one offset (what the database buckets days by) and the
 * local days of a period, in America/New_York and Europe/Berlin around their 2026 changes, and Asia/Tokyo
 * (no DST: one stretch).
 */
import { describe, expect, it } from 'vitest';
import { dayInZone, localDays, offsetSpans } from '../../src/collector/time-zone.js';

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
