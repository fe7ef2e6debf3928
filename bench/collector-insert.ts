/**
 * What the file-name search index costs every insert: `insertEvents` throughput with and without it,
 * side by side in one run (alternating rounds on fresh stores, median of each), on SQLite and PostgreSQL;
 * SQLite's rows also by this process's CPU time.
 * Two name mixes: names repeating (the same documents tried again, on many devices) and every name new
 * (the index's worst case). SQLite also runs the index it replaced (a trigram row per event) for scale.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadEvent } from '../src/events/schema.js';
import { PostgresStorage } from '../src/collector/storage/postgres.js';
import { SqliteStorage } from '../src/collector/storage/sqlite.js';
import type { Storage } from '../src/collector/storage/types.js';
import type { Row } from './table.js';

const EVENTS = 10_000;
const BATCH = 500;
const ROUNDS = 7;
/** Distinct names in the repeating mix: each name about 50 times among EVENTS. */
const NAME_POOL = 200;

/** SQLite with no name index at all: events get no name_id and events_name is dropped. */
class SqliteWithoutNameIndex extends SqliteStorage {
  constructor(path: string) {
    super({ path, readers: false });
    this.db.exec('DROP INDEX events_name');
  }

  protected override nameId(): null {
    return null;
  }
}

/** The index this one replaced: an FTS5 trigram row for every event, kept by triggers on events. */
class SqlitePerEventTrigrams extends SqliteWithoutNameIndex {
  constructor(path: string) {
    super(path);
    this.db.exec(`CREATE VIRTUAL TABLE events_fts USING fts5(file_name, content='events', content_rowid='rowid', tokenize='trigram');
      CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.file_name IS NOT NULL BEGIN
        INSERT INTO events_fts(rowid, file_name) VALUES (new.rowid, new.file_name);
      END;`);
  }
}

interface Variant {
  name: string;
  open(): Promise<{ s: Storage; drop: () => Promise<void> }>;
}

function sqliteVariant(name: string, make: (path: string) => Storage): Variant {
  return {
    name,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ug-bench-insert-'));
      const s = make(join(dir, 'events.db'));
      return { s, drop: async () => (await s.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  };
}

function pgVariant(name: string, url: string, trigram: boolean): Variant {
  return {
    name,
    async open() {
      const s = await PostgresStorage.open({ connectionString: url, schema: `ug_bench_ins_${randomUUID().replace(/-/g, '').slice(0, 8)}` });
      if (!trigram) await s.pool.query(`DROP INDEX ${s.schema}.events_file_name_trgm`);
      return { s, drop: async () => (await s.dropSchema(), await s.close()) };
    },
  };
}

/**
 * Events per second of one insert run of `events` into a fresh store: by the clock, and by this process's
 * CPU time (SQLite's index work without the WAL syncs' waits for a disk other work shares).
 */
async function rate(v: Variant, events: UploadEvent[]): Promise<{ wall: number; cpu: number }> {
  const { s, drop } = await v.open();
  try {
    const now = Date.now();
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < events.length; i += BATCH) await s.insertEvents(events.slice(i, i + BATCH), now);
    const used = process.cpuUsage(cpu);
    return { wall: events.length / ((performance.now() - start) / 1000), cpu: events.length / ((used.user + used.system) / 1e6) };
  } finally {
    await drop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Rows for one back end: each variant's median rate and its ratio to the first (no index). */
/**
 * The clock decides the target. `cpu`: also this process's CPU time (SQLite runs in this process, so it
 * is the index's own work; PostgreSQL's is in the server's processes).
 */
async function compare(backend: string, variants: Variant[], mixes: [string, () => UploadEvent[]][], cpu: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const [mix, make] of mixes) {
    const rates = variants.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    for (const v of variants) await rate(v, make()); // warm-up, not counted
    for (let r = 0; r < ROUNDS; r++) {
      // Fresh ids every run (a repeated id is a duplicate, not an insert); the order turns every round so
      // noise and going first or last hit every variant alike.
      for (let k = 0; k < variants.length; k++) {
        const i = (k + r) % variants.length;
        const got = await rate(variants[i]!, make());
        rates[i]!.wall.push(got.wall);
        rates[i]!.cpu.push(got.cpu);
      }
    }
    const base = { wall: median(rates[0]!.wall), cpu: median(rates[0]!.cpu) };
    for (const [i, v] of variants.entries()) {
      const m = { wall: median(rates[i]!.wall), cpu: median(rates[i]!.cpu) };
      const ratio = { wall: m.wall / base.wall, cpu: m.cpu / base.cpu };
      const ours = i === variants.length - 1;
      rows.push({
        area: 'collector',
        case: `${backend}: insertEvents, ${fmt(EVENTS)} events, ${mix}: ${v.name}`,
        ours: `${fmt(m.wall)} events/s${i ? ` (${ratio.wall.toFixed(2)} × no index)` : ''}${cpu ? `; by CPU time ${fmt(m.cpu)} events/s${i ? ` (${ratio.cpu.toFixed(2)} ×)` : ''}` : ''}`,
        target: ours && i ? '≥ 0.85 × no index' : undefined,
        met: ours && i ? ratio.wall >= 0.85 : undefined,
      });
    }
  }
  return rows;
}

export async function insertRows(make: (i: number, time: number) => UploadEvent, pgUrl: string | undefined, backends: string | undefined): Promise<Row[]> {
  const now = Date.now();
  const mixes: [string, () => UploadEvent[]][] = [
    [`names repeating (${NAME_POOL} names)`, () => Array.from({ length: EVENTS }, (_, i) => ({ ...make(i, now - i * 1000), fileName: `秘—見積書-${i % NAME_POOL}.xlsx` }))],
    ['every name new', () => Array.from({ length: EVENTS }, (_, i) => make(i, now - i * 1000))],
  ];
  const rows: Row[] = [];
  if (backends !== 'postgres') {
    rows.push(
      ...(await compare(
        'sqlite',
        [
          sqliteVariant('no name index', (p) => new SqliteWithoutNameIndex(p)),
          sqliteVariant('a trigram row per event (the index replaced)', (p) => new SqlitePerEventTrigrams(p)),
          sqliteVariant('distinct names + trigrams of new names (as built)', (p) => new SqliteStorage({ path: p, readers: false })),
        ],
        mixes,
        true,
      )),
    );
  }
  if (pgUrl && backends !== 'sqlite') {
    rows.push(...(await compare('postgres', [pgVariant('no trigram index', pgUrl, false), pgVariant('pg_trgm GIN on events.file_name (as built)', pgUrl, true)], mixes, false)));
  }
  return rows;
}
