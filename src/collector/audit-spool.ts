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
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from './accounts/store.js';

export type SpooledEntry = AuditEntry & { details: { spoolId: string } };

export class AuditSpool {
  /** Entries the file could not take (or no file): kept here, lost with the process. */
  private readonly held: SpooledEntry[] = [];

  constructor(
    readonly path: string | null,
    private readonly onError: (err: unknown, what: string) => void,
    private readonly heldMax = 10_000,
  ) {}

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

  /** Every entry waiting, oldest first: the file's, then those held in memory. */
  entries(): SpooledEntry[] {
    return [...this.fromFile(), ...this.held];
  }

  /** Takes out the entries now in the log (file rewritten aside, fsynced, renamed over it). */
  drop(ids: ReadonlySet<string>): void {
    for (let i = this.held.length - 1; i >= 0; i--) if (ids.has(this.held[i]!.details.spoolId)) this.held.splice(i, 1);
    if (!this.path || !existsSync(this.path)) return;
    const keep = this.fromFile().filter((e) => !ids.has(e.details.spoolId));
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, keep.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
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
