/**
 * Token checks and rate limits, as onRequest hooks the route plugins ask for by scope:
 * `app.requireToken('ingest')`, `app.requireToken('admin')`. A refused request (401, 403, 429) also
 * closes its connection, so a client that keeps sending a body after the refusal is not read further.
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { authorizeToken, bearer, ingestActor, queryToken, tokenId, type Scope } from '../auth.js';
import { clientKey } from '../client-key.js';
import { routeOf } from './sessions.js';
import { appWide, type CollectorPlugin } from '../context.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: the bearer token (or, with allowQuery, `?token=`) must be of `scope`. */
    requireToken(scope: Scope, allowQuery?: boolean): onRequestHookHandler;
    /** The request's token: the Authorization header, or (where allowed) the `token` query parameter. */
    tokenOf(req: FastifyRequest, allowQuery?: boolean): string | null;
  }
}

export const tokenChecks: CollectorPlugin = appWide(async (app, { ctx }) => {
  const tokenOf = (req: FastifyRequest, allowQuery = false) => bearer(req.headers.authorization) ?? (allowQuery ? queryToken(req.query) : null);

  function requireToken(scope: Scope, allowQuery = false): onRequestHookHandler {
    // Admin: people and named tokens with roles (plugins/sessions.ts). On guarded routes the role was
    // already checked by the route table; elsewhere (/metrics) the admin role is required.
    if (scope === 'admin') {
      return async (req: FastifyRequest, reply: FastifyReply) => {
        if (req.principal === null && !(await app.admit(req, reply, 'admin'))) return reply;
      };
    }
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const token = tokenOf(req, allowQuery);
      const auth = authorizeToken(token, scope, ctx.tokens);
      // Refused requests from one address share one bucket, so rotating made-up tokens does not escape
      // the limit and token guessing is throttled too. Valid tokens get a bucket per address and token
      // (sized for a NAT in front of many browsers); ingest adds per-device and per-token buckets later,
      // once the body says which device it is (see ingest.ts).
      const key = auth.ok ? `${clientKey(req.ip)}|${tokenId(token ?? '')}` : `${clientKey(req.ip)}|refused`;
      const wait = (auth.ok && scope === 'ingest' ? ctx.addressLimiter : ctx.limiters[scope]).take(key);
      if (wait > 0) {
        // A valid token over its rate is on record under its name (red team collector6 #2).
        if (auth.ok) await app.throttled(req, ingestActor(token ?? ''), routeOf(req));
        return tooMany(reply, ctx.metrics, wait);
      }
      if (!auth.ok) {
        ctx.metrics.authFailures++;
        if (auth.status === 401) reply.header('www-authenticate', 'Bearer');
        const error = token === null && allowQuery ? 'missing token: send Authorization: Bearer <token> or ?token=<token>' : auth.error;
        return reply.code(auth.status).header('connection', 'close').send({ error });
      }
    };
  }

  app.decorate('requireToken', requireToken);
  app.decorate('tokenOf', tokenOf);
});

/** 429 with the seconds to wait; the connection is closed so an unread body is not read. */
export function tooMany(reply: FastifyReply, metrics: { rateLimited: number }, waitSeconds: number): FastifyReply {
  metrics.rateLimited++;
  return reply.code(429).header('retry-after', String(waitSeconds)).header('connection', 'close').send({ error: 'too many requests' });
}
