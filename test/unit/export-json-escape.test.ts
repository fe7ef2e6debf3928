/**
 * Red team G9: `/v1/admin/export?format=json` and `upload-guard pull --format json` wrote device-written
 * C1 controls (U+009B, a terminal's CSI) and bidi overrides (U+202E) raw, while ndjson, ocsf and csv
 * escaped them. Every JSON format now writes them as \uXXXX: the same value, nothing a terminal acts on.
 */
import { describe, expect, it } from 'vitest';
import { ExportEncoder } from '../../src/events/encode.js';
import { sampleEvent } from '../../src/events/sample.js';

describe('ExportEncoder json', () => {
  it('escapes C1 and bidi controls like ndjson, keeping the value', () => {
    const events = [sampleEvent({ fileName: 'evil\u202egnp.exe', user: 'a\u009b31mred\u0085b' }), sampleEvent({ deviceName: 'PC\u2066x\u2069' })];
    const enc = new ExportEncoder('json', (e) => e);
    const out = enc.start() + enc.page(events as never) + enc.end();
    expect(out).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('\\u202e');
    expect(out).toContain('\\u009b');
    expect(JSON.parse(out)).toEqual(events);
  });
});
