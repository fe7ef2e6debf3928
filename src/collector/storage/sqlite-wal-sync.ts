/**
 * The WAL synced off the event loop. With synchronous = FULL, SQLite syncs the WAL inside the commit,
 * on the main thread: every request, /healthz and every admin read then waits for the disk, 1–15 ms
 * here and up to hundreds of ms when other work shares it. The group commit instead commits with
 * NORMAL (the frames are written, not synced) and then syncs the WAL file through libuv's thread pool
 * before it answers anyone: what is acknowledged is on disk exactly as with FULL (a power cut loses
 * nothing acknowledged; a commit cut short is discarded by the WAL's checksums at recovery), while the
 * event loop goes on reading and validating other requests meanwhile.
 *
 * One sync covers every commit made before it began, so syncs are shared: a caller waits for the sync
 * that begins after its call (the one running may have begun before its commit).
 */
import { fdatasync, open, close } from 'node:fs';

export class WalSync {
  private fd: number | null = null;
  /** The sync running now, and the one that starts when it ends (for commits made after it began). */
  private inFlight: Promise<void> | null = null;
  private waiting: Promise<void> | null = null;

  constructor(private readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (!this.inFlight) return this.launch();
    this.waiting ??= this.inFlight
      .catch(() => {})
      .then(() => {
        this.waiting = null;
        return this.launch();
      });
    return this.waiting;
  }

  private launch(): Promise<void> {
    const p: Promise<void> = this.fdatasync().finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }

  private async fdatasync(): Promise<void> {
    // The WAL file keeps its inode while the collector's connection is open (SQLite truncates it in
    // place; it is deleted only when the last connection closes).
    this.fd ??= await new Promise<number>((res, rej) => open(this.walPath, 'r', (err, fd) => (err ? rej(err) : res(fd))));
    const fd = this.fd;
    await new Promise<void>((res, rej) => fdatasync(fd, (err) => (err ? rej(err) : res())));
  }

  close(): void {
    if (this.fd !== null) close(this.fd, () => {});
    this.fd = null;
  }
}
