/**
 * SQLite group commit (storage/sqlite-group-commit.ts): batches handed in together share one commit, yet
 * each is stored whole or not at all, and an answer comes only once its batch is committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import Database from 'better-sqlite3';
import { AccountStore } from '../../src/collector/accounts/store.js';
import { GroupCommit } from '../../src/collector/storage/sqlite-group-commit.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function open(): SqliteStorage {
  const dir = mkdtempSync(join(tmpdir(), 'ug-group-'));
  dirs.push(dir);
  return new SqliteStorage({ path: join(dir, 'events.db'), readers: false });
}

const ev = (id: string, over: Partial<UploadEvent> = {}) => sampleEvent({ id: `00000000-0000-4000-8000-${id.padStart(12, '0')}`, ...over });

describe('SQLite group commit', () => {
  it('syncs the WAL at every commit (an acknowledged batch survives a power cut)', () => {
    const s = open();
    // 2 = FULL
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    return s.close();
  });

  it('stores batches handed in together, each whole or not at all', async () => {
    const s = open();
    const good1 = [ev('1'), ev('2')];
    // A batch whose second event cannot be stored (NOT NULL verdict): its first event must not be stored either.
    const bad = [ev('3', { fileName: 'only-in-the-failed-batch.pdf' }), ev('4', { verdict: null as unknown as UploadEvent['verdict'] })];
    const good2 = [ev('5'), ev('1')];
    const results = await Promise.allSettled([s.insertEvents(good1, Date.now()), s.insertEvents(bad, Date.now()), s.insertEvents(good2, Date.now())]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { accepted: 2, duplicates: 0 } });
    expect(results[1].status).toBe('rejected');
    // good2 repeats good1's first event: a duplicate even inside the same commit.
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { accepted: 1, duplicates: 1 } });
    const ids = (s.db.prepare('SELECT id FROM events ORDER BY id').pluck().all() as string[]).map((id) => id.slice(-1));
    expect(ids).toEqual(['1', '2', '5']);
    // The hourly counts follow the stored events only (the failed batch's savepoint rolled them back).
    expect(s.db.prepare('SELECT sum(n) FROM event_counts').pluck().get()).toBe(3);
    // So do the names and their trigrams (written by the insert, not a trigger): the failed batch's new
    // name is gone from both, and the trigram index agrees with the names (FTS5's own check).
    expect(s.db.prepare("SELECT count(*) FROM file_names WHERE name = 'only-in-the-failed-batch.pdf'").pluck().get()).toBe(0);
    expect(s.db.prepare(`SELECT count(*) FROM file_names_fts WHERE file_names_fts MATCH '"failed-batch"'`).pluck().get()).toBe(0);
    s.db.exec("INSERT INTO file_names_fts(file_names_fts, rank) VALUES ('integrity-check', 1)");
    await s.close();
  });

  it('answers only after the commit: a stored batch is visible to a second connection when its promise resolves', async () => {
    const s = open();
    const other = new SqliteStorage({ path: s.db.name, readers: false });
    const p = s.insertEvents([ev('7')], Date.now());
    // Not yet committed while the request waits for its group.
    expect(other.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
    await p;
    expect(other.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    await other.close();
    await s.close();
  });

  it('syncs the WAL off the event loop and answers only after that sync; other writes keep syncing at commit', async () => {
    const s = open();
    const walSync = (s as unknown as { walSync: { sync: () => Promise<void> } }).walSync;
    const real = walSync.sync.bind(walSync);
    // The sync the group waits for, held until released here (the real one runs after it).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let syncs = 0;
    walSync.sync = () => (syncs++, held.then(real));
    let answered = false;
    const p = s.insertEvents([ev('8')], Date.now()).then((r) => ((answered = true), r));
    // The commit is made (a second connection sees it), the event loop turns, and still no answer.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    const other = new SqliteStorage({ path: s.db.name, readers: false });
    expect(other.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    expect(syncs).toBe(1);
    expect(answered).toBe(false);
    release();
    expect(await p).toMatchObject({ accepted: 1 });
    // The group's own commit does not sync inline (NORMAL, 1); the connection stays FULL (2) for every other write.
    const group = (s as unknown as { group: { run: (w: { weight: number; write: () => unknown }) => Promise<unknown> } }).group;
    expect(await group.run({ weight: 1, write: () => s.db.pragma('synchronous', { simple: true }) })).toBe(1);
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    await other.close();
    await s.close();
  });

  it('commits a group at once when it reaches its weight, and the rest in the next turn', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    // Count the transactions the group commit opens (one per commit).
    let commits = 0;
    const counted = new Proxy(db, {
      get: (target, key) => (key === 'transaction' ? (fn: () => unknown) => (commits++, target.transaction(fn)) : Reflect.get(target, key)),
    });
    const insert = db.transaction((n: number) => db.prepare('INSERT INTO t VALUES (?)').run(n).changes);
    const group = new GroupCommit<number, number>(counted, insert, (n) => n, 1_000);
    const [a, b] = [group.run(600), group.run(600)];
    // 1,200 ≥ 1,000: the first two were committed at once, before this turn ended.
    expect(commits).toBe(1);
    const c = group.run(10);
    expect(commits).toBe(1);
    expect(await Promise.all([a, b, c])).toEqual([1, 1, 1]);
    expect(commits).toBe(2);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3);
    db.close();
  });

  it('commits an audit entry with the ingest batches handed in with it, not in a sync of its own on the event loop', async () => {
    const s = open();
    const other = new SqliteStorage({ path: s.db.name, readers: false });
    const count = (table: string) => other.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    const batch = s.insertEvents([ev('8')], Date.now());
    const audit = AccountStore.of(s).appendAudit({ timeMs: Date.now(), actor: 'token:test', action: 'export', details: { query: 'verdict=marked' }, address: null });
    // Nothing was committed while this turn of the event loop ran (alone, the entry was: one more WAL sync here).
    expect([count('events'), count('audit_log')]).toEqual([0, 0]);
    await audit;
    // One commit: the entry and the batch appear together, and the entry is on disk when its promise resolves.
    expect([count('events'), count('audit_log')]).toEqual([1, 1]);
    await batch;
    // A failing entry rolls back alone (its savepoint): the batch beside it is stored.
    const bad = s.runInGroup('INSERT INTO no_such_table VALUES (1)', []);
    const good = s.insertEvents([ev('9')], Date.now());
    await expect(bad).rejects.toThrow(/no such table/);
    await expect(good).resolves.toMatchObject({ accepted: 1 });
    expect(count('events')).toBe(2);
    await other.close();
    await s.close();
  });
});
