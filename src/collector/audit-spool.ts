/**
 * The audit entries the collector owes the log (sessions.ts auditLater: an export cut part-way, whose
 * answer cannot wait for the database): each is appended to a file and fsynced before the request goes
 * on, written to the database from there, and taken out of the file once it is in. A collector killed
 * while the database was down or hung leaves them in the file, and the next start writes them (red team
 * coll8: they were kept in memory only, so a kill -9 lost actions the admin had been answered about).
 *
 * One JSON entry a line, mode 0600 (entries name people and addresses). Each carries its `spoolId` in
 * its details, which makes the write idempotent (AccountStore.appendAuditOnce): a crash after the insert
 * but before the line is taken out writes nothing twice. A torn last line (a crash mid-append, before
 * its fsync, so before anyone was answered) is skipped. Without a file (createCollector without
 * `auditSpool`, tests) the entries are held in memory, as before.
 *
 * An entry the database refuses while it takes others (a constraint or trigger a DBA added, a value it
 * cannot hold) is set aside: moved to a second file beside the spool (`audit-spool-refused.jsonl`, 0600,
 * fsynced before it leaves the spool) with the database's reason, and tried again with a growing wait.
 * Before, it stayed first in the spool and every entry behind it waited for ever (coll9's leftover: one
 * such entry stopped the log of every later export cut). A crash between the two writes leaves it in both
 * files; the spool's copy is then skipped, and the write is idempotent anyway.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from './accounts/store.js';

export type SpooledEntry = AuditEntry & { details: { spoolId: string } };

/** An entry set aside: the database refused it while it took others. */
export interface RefusedEntry {
  entry: SpooledEntry;
  /** The database's last reason (its error message, at most 500 characters). */
  reason: string;
  firstMs: number;
  lastMs: number;
  /** Times it was refused. */
  attempts: number;
  /** Not tried again before this (epoch ms). */
  nextMs: number;
}

/** The wait before the n-th try again of a refused entry: 1 minute, doubling, at most 6 hours. */
export const refusedWaitMs = (attempts: number) => Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
const REASON_MAX = 500;
export const refusalReason = (err: unknown) => String((err as Error)?.message ?? err).slice(0, REASON_MAX);

export class AuditSpool {
  /** Entries the file could not take (or no file): kept here, lost with the process. */
  private readonly held: SpooledEntry[] = [];
  /** Set-aside entries when there is no file (or it cannot be written). */
  private heldRefused: RefusedEntry[] = [];
  /** The file of set-aside entries, beside the spool. */
  readonly refusedPath: string | null;

  constructor(
    readonly path: string | null,
    private readonly onError: (err: unknown, what: string) => void,
    private readonly heldMax = 10_000,
  ) {
    this.refusedPath = path ? `${path.replace(/\.jsonl$/, '')}-refused.jsonl` : null;
  }

  /** Appends `e` and makes it durable before returning; false when only memory holds it. */
  keep(e: SpooledEntry): boolean {
    if (this.path) {
      try {
        const fd = openSync(this.path, 'a+', 0o600);
        try {
          // A line torn by a crash has no end: this entry starts a line of its own, not glued to it.
          const size = fstatSync(fd).size;
          const last = Buffer.alloc(1);
          const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
          writeSync(fd, `${torn ? '\n' : ''}${JSON.stringify(e)}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return true;
      } catch (err) {
        this.onError(err, 'audit spool cannot be written: entry held in memory');
      }
    }
    if (this.held.length < this.heldMax) this.held.push(e);
    else this.onError(new Error('too many audit entries waiting'), `audit entry not written: ${JSON.stringify(e)}`);
    return false;
  }

  /** Every entry waiting, oldest first: the file's, then those held in memory (not those set aside). */
  entries(): SpooledEntry[] {
    const aside = new Set(this.refused().map((r) => r.entry.details.spoolId));
    return [...this.fromFile(), ...this.held].filter((e) => !aside.has(e.details.spoolId));
  }

  /** The set-aside entries, oldest first. */
  refused(): RefusedEntry[] {
    return [...this.refusedFromFile(), ...this.heldRefused];
  }

  /**
   * Moves entries the database refused out of the spool: written (fsynced) to the set-aside file first,
   * then taken out of the spool, so a crash in between leaves them in both, never in neither.
   */
  setAside(list: readonly { entry: SpooledEntry; reason: string }[], now: number): void {
    if (!list.length) return;
    const fresh = list.map(({ entry, reason }) => ({ entry, reason, firstMs: now, lastMs: now, attempts: 1, nextMs: now + refusedWaitMs(1) }));
    if (!this.rewriteRefused([...this.refused(), ...fresh])) return;
    this.drop(new Set(list.map((x) => x.entry.details.spoolId)));
  }

  /** Records a try again of set-aside entries: those written leave, those refused again wait longer. */
  retried(written: ReadonlySet<string>, refusedAgain: ReadonlyMap<string, string>, now: number): void {
    if (!written.size && !refusedAgain.size) return;
    const next = this.refused()
      .filter((r) => !written.has(r.entry.details.spoolId))
      .map((r) => {
        const reason = refusedAgain.get(r.entry.details.spoolId);
        if (reason === undefined) return r;
        const attempts = r.attempts + 1;
        return { ...r, reason, lastMs: now, attempts, nextMs: now + refusedWaitMs(attempts) };
      });
    this.rewriteRefused(next);
  }

  /** Writes the whole set-aside list (file rewritten aside, fsynced, renamed); false when only memory holds it. */
  private rewriteRefused(list: RefusedEntry[]): boolean {
    if (this.refusedPath) {
      try {
        writeWhole(this.refusedPath, list.map((r) => `${JSON.stringify(r)}\n`).join(''));
        this.heldRefused = [];
        return true;
      } catch (err) {
        this.onError(err, 'audit spool: the file of refused entries cannot be written: they stay in the spool');
        return false;
      }
    }
    this.heldRefused = list;
    return true;
  }

  private refusedFromFile(): RefusedEntry[] {
    if (!this.refusedPath || !existsSync(this.refusedPath)) return [];
    const out: RefusedEntry[] = [];
    for (const line of readFileSync(this.refusedPath, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const r = JSON.parse(line) as RefusedEntry;
        if (typeof r?.entry?.details?.spoolId === 'string' && typeof r.reason === 'string' && Number.isFinite(r.nextMs) && Number.isFinite(r.attempts)) out.push(r);
        else this.onError(new Error('not a refused audit entry'), `audit spool: refused line skipped: ${line.slice(0, 200)}`);
      } catch (err) {
        this.onError(err, `audit spool: refused line skipped: ${line.slice(0, 200)}`);
      }
    }
    return out;
  }

  /** Takes out the entries now in the log (file rewritten aside, fsynced, renamed over it). */
  drop(ids: ReadonlySet<string>): void {
    for (let i = this.held.length - 1; i >= 0; i--) if (ids.has(this.held[i]!.details.spoolId)) this.held.splice(i, 1);
    if (!this.path || !existsSync(this.path)) return;
    const keep = this.fromFile().filter((e) => !ids.has(e.details.spoolId));
    writeWhole(this.path, keep.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /** Entries held in memory only (a stopping collector logs them whole: nothing else has them). */
  memoryOnly(): readonly SpooledEntry[] {
    return this.held;
  }

  private fromFile(): SpooledEntry[] {
    if (!this.path || !existsSync(this.path)) return [];
    const out: SpooledEntry[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as SpooledEntry;
        if (typeof e?.details?.spoolId === 'string' && typeof e.action === 'string' && typeof e.actor === 'string' && Number.isFinite(e.timeMs)) out.push(e);
        else this.onError(new Error('not an audit entry'), `audit spool line skipped: ${line.slice(0, 200)}`);
      } catch (err) {
        this.onError(err, `audit spool line skipped (torn by a crash before it was synced): ${line.slice(0, 200)}`);
      }
    }
    return out;
  }
}

/** Replaces `path` with `text` durably: written aside, fsynced, renamed over it, its folder fsynced. */
function writeWhole(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
