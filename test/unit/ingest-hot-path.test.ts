/**
 * The ingest route's per-event work before storage (ingest8): what it does is unchanged, only what it
 * repeats or copies. Each event's origin is parsed as a URL once per distinct origin, not per event,
 * and normalizeEvent fixes the validator's own output in place instead of copying every event.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IngestBatchSchema, describeIssues } from '../../src/events/schema.js';
import { sampleEvent } from '../../src/events/sample.js';
import { normalizeEvent } from '../../src/collector/plugins/ingest.js';

const errors = (value: unknown) => {
  const r = IngestBatchSchema.safeParse(value);
  return r.success ? [] : describeIssues(r.error);
};

afterEach(() => vi.unstubAllGlobals());

describe('origin check', () => {
  it('parses a repeated origin once, and still refuses a bad one every time, also after many distinct origins', () => {
    const origin = `https://ingest8-${crypto.randomUUID()}.example.com`;
    let parsed = 0;
    vi.stubGlobal(
      'URL',
      class extends URL {
        constructor(url: string | URL, base?: string | URL) {
          super(url, base);
          if (url === origin) parsed++;
        }
      },
    );
    const batch = Array.from({ length: 200 }, () => sampleEvent({ id: crypto.randomUUID(), origin }));
    expect(errors({ events: batch })).toEqual([]);
    expect(errors({ events: batch })).toEqual([]);
    // Before: one URL per event (400 here).
    expect(parsed).toBe(1);
    const bad = 'javascript:alert(1)';
    const refused = ['events[0].origin: expected an http(s) or file URL origin'];
    expect(errors({ events: [sampleEvent({ origin: bad })] })).toEqual(refused);
    // More distinct origins than are remembered: the answers are forgotten, never mixed up.
    for (let i = 0; i < 3; i++) {
      expect(errors({ events: Array.from({ length: 1000 }, (_, j) => sampleEvent({ id: crypto.randomUUID(), origin: `https://h${i}-${j}.example.com` })) })).toEqual([]);
      expect(errors({ events: [sampleEvent({ origin: bad })] })).toEqual(refused);
      expect(errors({ events: [sampleEvent({ origin: 'ftp://files.example.com' }), sampleEvent({ origin })] })).toEqual(refused);
    }
  });
});

describe('normalizeEvent', () => {
  it("fixes the validator's output in place: UUIDs in lower case, a lone surrogate as U+FFFD, a pair kept", () => {
    const id = crypto.randomUUID().toUpperCase();
    const r = IngestBatchSchema.safeParse({
      events: [sampleEvent({ id, relatesTo: null, deviceId: id, fileName: 'a\uD800b\uDC00c 😀.pdf', justification: null, user: 'taro' })],
    });
    expect(r.success).toBe(true);
    const e = r.data!.events[0]!;
    const out = normalizeEvent(e);
    // Before: a copy of every event.
    expect(out).toBe(e);
    expect(out).toMatchObject({ id: id.toLowerCase(), deviceId: id.toLowerCase(), fileName: 'a\uFFFDb\uFFFDc 😀.pdf', user: 'taro' });
  });
});
