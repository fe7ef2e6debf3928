/**
 * A CEF syslog line stays under common receiver limits (rsyslog's 8 KiB default) whatever the device
 * sent: every value is bounded once escaped (a bidi or control character becomes 8 characters), cut
 * never inside an escape, and the long free-text fields come last so the ids, action, outcome, channel
 * and relatesTo survive even a shorter limit.
 */
import { describe, expect, it } from 'vitest';
import { boundedValue, toSyslog, toSyslogRecord } from '../../src/collector/alerts/cef.js';
import { sampleEvent } from '../../src/events/sample.js';

describe('CEF line size', () => {
  it('keeps the worst event under 8 KiB with its key fields before the free text', () => {
    const relatesTo = '0b0c8f2e-1d2a-4c3b-9e4f-5a6b7c8d9e0f';
    const e = sampleEvent({
      fileName: '\u202E'.repeat(1024),
      reason: '\u0007'.repeat(512),
      location: '\u202E'.repeat(2048),
      justification: '\u2028'.repeat(2000),
      origin: `https://a.example/${'\u202E'.repeat(1900)}`,
      user: '\u202E'.repeat(256),
      relatesTo,
      action: 'warn',
      outcome: 'proceeded',
    });
    const line = toSyslog(toSyslogRecord(e), 'collector-1');
    expect(Buffer.byteLength(line)).toBeLessThan(8 * 1024);
    const head = line.slice(0, 2048);
    for (const key of ['externalId=', 'act=warn', 'outcome=proceeded', 'cs5=', `cs6=${relatesTo}`]) expect(head).toContain(key);
    // Every [U+XXXX] is whole; cut values end in "…".
    expect(line.replace(/\[U\+[0-9A-F]{4,6}\]/g, '')).not.toMatch(/\[U\+/);
    expect(line).toMatch(/fname=[^ ]*…/);
  });

  it('never cuts an escape in half', () => {
    expect(boundedValue('ab\\=cd', 4)).toBe('ab…');
    expect(boundedValue('a\\\\b', 3)).toBe('a…');
    expect(boundedValue('a\\\\bc', 4)).toBe('a\\\\…');
    expect(boundedValue('x[U+202E]y', 5)).toBe('x…');
    expect(boundedValue('short', 10)).toBe('short');
  });
});
