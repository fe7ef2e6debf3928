/**
 * isoInZone writes the same text as Intl does, second by second around DST changes (the offset is now
 * looked up per UTC day instead of asked of Intl for every time): zones with DST at 01:00 UTC, at local
 * 02:00, at local midnight, half-hour and 45-minute offsets, a 30-minute DST shift, and a day-long skip.
 */
import { describe, expect, it } from 'vitest';
import { isoInZone, isoInZoneByIntl, offsetSpans } from '../../src/collector/time-zone.js';

const ZONES = [
  'UTC',
  'Asia/Tokyo',
  'America/New_York',
  'Europe/Berlin',
  'America/Santiago', // DST change at local midnight
  'Australia/Lord_Howe', // 30-minute DST
  'Asia/Kathmandu', // +05:45
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // -03:30
  'Pacific/Apia', // skipped 2011-12-30 entirely
];

const t = (iso: string) => Date.parse(iso);

describe('isoInZone', () => {
  it.each(ZONES)('matches Intl around every offset change of 2011 and 2026 in %s', (zone) => {
    const changes = [2011, 2026].flatMap((y) => offsetSpans(zone, Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)).slice(1).map((s) => s.from));
    const mismatches: string[] = [];
    for (const change of changes) {
      // Every second for a minute either side of the change, then every 7 minutes for a day either side.
      const instants = [
        ...Array.from({ length: 121 }, (_, i) => change + (i - 60) * 1000),
        ...Array.from({ length: 412 }, (_, i) => change + (i - 206) * 7 * 60_000 + 123),
      ];
      for (const ms of instants) {
        const fast = isoInZone(ms, zone);
        const intl = isoInZoneByIntl(ms, zone);
        if (fast !== intl) mismatches.push(`${new Date(ms).toISOString()}: ${fast} ≠ ${intl}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('matches Intl at times spread over the years, and outside the arithmetic range', () => {
    const mismatches: string[] = [];
    for (const zone of ZONES) {
      for (let ms = t('1969-07-20T20:17:40Z'); ms < t('2060-01-01T00:00:00Z'); ms += 37 * 86_400_000 + 3_723_456) {
        if (isoInZone(ms, zone) !== isoInZoneByIntl(ms, zone)) mismatches.push(`${zone} ${new Date(ms).toISOString()}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(isoInZone(t('2026-11-01T00:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-01T09:30:00+09:00');
    expect(isoInZone(t('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-05:00');
    expect(isoInZone(t('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-04:00');
  });
});
