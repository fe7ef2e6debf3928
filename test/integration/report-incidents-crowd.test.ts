/**
 * Red team L5 in the periodic report: its incident table (20 rows, largest first) was filled by one
 * user's many incidents, and the other users' incidents did not appear. Now the rows go one user at a
 * time (each user's largest before anyone's second), each says how many incidents its user had, and
 * the users the bound leaves out are counted in the section's note. SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, TOP_INCIDENTS } from '../../src/collector/report/data.js';
import { reportDoc } from '../../src/collector/report/model.js';
import { reportRange } from '../../src/collector/report/range.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { testBackends } from '../support/backends.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const hash = (n: number) => n.toString(16).padStart(64, 'a');
const at = (day: number, h: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + day * 86_400_000 + h * 3_600_000).toISOString();

describe.each(testBackends('rptcrowd'))('report incidents crowded by one user ($name)', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await backend.open();
    // noisy: 40 incidents (a file a day, 5 blocks each); hanako: one incident of one block; 25 more users with one each.
    const events = [
      ...Array.from({ length: 40 }, (_, i) => Array.from({ length: 5 }, (_, k) => sampleEvent({ time: at(i % 28, k), user: 'noisy@example.co.jp', fileName: `秘—noisy-${i}.docx`, sha256: hash(i), action: 'block', outcome: 'blocked' }))).flat(),
      sampleEvent({ time: at(3, 1), user: 'hanako@example.co.jp', fileName: '秘—hanako.docx', sha256: hash(100), action: 'block', outcome: 'blocked' }),
      ...Array.from({ length: 25 }, (_, i) => sampleEvent({ time: at(5, 2), user: `user${String(i).padStart(2, '0')}@example.co.jp`, fileName: `秘—u${i}.docx`, sha256: hash(200 + i), action: 'block', outcome: 'blocked' })),
    ];
    await storage.insertEvents(events, NOW - 86_400_000);
  });
  afterAll(() => backend.cleanup(storage));

  it("one user's many incidents do not push the others out, and the bound is said", async () => {
    const r = await buildReport(storage, reportRange({ from: '2026-11-01', to: '2026-11-30', tz: 'Asia/Tokyo' }, NOW), { now: NOW });
    expect(r.incidents.top).toHaveLength(TOP_INCIDENTS);
    const users = r.incidents.top.map((i) => i.user);
    // Each row a different user: the noisy one has one row, with its 40 incidents said.
    expect(new Set(users).size).toBe(TOP_INCIDENTS);
    expect(r.incidents.top[0]).toMatchObject({ user: 'noisy@example.co.jp', events: 5, userIncidents: 40 });
    expect(users).toContain('hanako@example.co.jp');
    // 27 users had incidents; 20 rows show 20 of them.
    expect(r.incidents.usersNotShown).toBe(27 - TOP_INCIDENTS);
    for (const [lang, note] of [
      ['ja', 'ほかに 7 人の利用者にインシデントがあります'],
      ['en', '7 more users had incidents'],
    ] as const) {
      const section = reportDoc(r, lang).sections.find((s) => s.table?.head.includes(lang === 'ja' ? 'この利用者のインシデント数' : "This user's incidents"));
      expect(section?.note, lang).toContain(note);
    }
  });
});
