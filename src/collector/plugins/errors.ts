/** Errors answer as JSON with a clear message and never a stack trace; every 500 is logged. */
import { appWide, type CollectorPlugin } from '../context.js';
import { PasswordsBusy } from '../accounts/passwords.js';
import { BadCursorError } from '../storage/sql.js';
import { AuditUnwritten } from './sessions.js';

export const errors: CollectorPlugin = appWide(async (app, { ctx }) => {
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const isIngest = req.url.startsWith('/v1/events') || req.url.startsWith('/v1/heartbeat');
    if (isIngest) ctx.metrics.batchesRejected++;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // The route's own limit (a heartbeat's is 16 KiB): the app's was named whatever the route.
      return reply.code(413).send({ error: `request body too large: at most ${req.routeOptions.bodyLimit ?? ctx.bodyLimit} bytes` });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'content-type must be application/json' });
    }
    if (err instanceof BadCursorError) return reply.code(400).send({ error: err.message, errors: [err.message] });
    if (err instanceof PasswordsBusy) {
      // A password set (an account made or its password changed) while others are being hashed: refused
      // before anything changed, so the same request succeeds shortly; it answered 500 "internal error".
      return reply.code(503).header('retry-after', '5').send({ error: 'the collector is busy with other password checks: nothing was changed, try again in a few seconds' });
    }
    if (err instanceof AuditUnwritten) {
      // A refusal, a sign-out… whose entry could not be kept is not answered as if it were on record.
      return reply.code(503).header('retry-after', '30').send({ error: 'the audit log cannot be written: this request is refused until it can (try again later)' });
    }
    if (isDiskFull(err)) {
      // Nothing was stored: a client that retries later (or another collector) keeps the batch.
      ctx.diskFull.lastMs = ctx.now();
      req.log.error({ err: err.message }, 'disk full: nothing stored');
      return reply.code(503).header('retry-after', String(DISK_FULL_RETRY_S)).send({ error: "the collector's disk is full: nothing was stored, retry later" });
    }
    if (isUnavailable(err)) {
      req.log.error({ err: err.message }, 'storage unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'storage unavailable, retry later' });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 400) return reply.code(400).send({ error: `malformed request body: ${err.message}` });
    if (status === 500) req.log.error({ err }, 'internal error');
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
});

/**
 * A database that cannot answer now (timeout, connection refused or lost, a read worker gone), or a
 * transaction PostgreSQL rolled back for a conflict with another (deadlock 40P01, serialization 40001:
 * the same request succeeds when sent again): 503, so clients retry.
 */
export function isUnavailable(err: Error & { code?: string }): boolean {
  return (
    /timeout|Connection terminated|ECONNREFUSED|ECONNRESET|SQLITE_BUSY|too many clients|the database system is (starting|shutting)/i.test(err.message) ||
    ['ECONNREFUSED', 'ECONNRESET', 'SQLITE_BUSY', 'READ_UNAVAILABLE', '57014', '57P01', '57P03', '53300', '40P01', '40001'].includes(err.code ?? '')
  );
}

/** Seconds a client is asked to wait after a disk-full refusal; /readyz stays "not ready" as long after the last one. */
export const DISK_FULL_RETRY_S = 30;

/** A write refused for want of space: SQLite's SQLITE_FULL, the OS's ENOSPC, PostgreSQL's disk_full (53100). */
export function isDiskFull(err: Error & { code?: string }): boolean {
  return ['SQLITE_FULL', 'ENOSPC', '53100'].includes(err.code ?? '') || /database or disk is full|No space left on device/i.test(err.message);
}
