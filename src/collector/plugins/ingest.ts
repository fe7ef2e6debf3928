/**
 * Ingest (extension → collector):
 *   POST /v1/events      ingest token   {events: UploadEvent[]} → {accepted, duplicates}
 *   POST /v1/heartbeat   ingest token   Heartbeat → 204
 *
 * Order of checks, cheapest first: token and per-address limit, admission (work in hand), then the body
 * is read; a request whose client has gone by then is dropped (the client never saw an answer and will
 * resend), one that waited too long for the CPU is refused; then validation, per-device and per-token
 * limits, and storage.
 */
import { LONE_SURROGATE as LONE_ONE, SURROGATE } from './json-body.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HeartbeatSchema, IngestBatchSchema, describeIssues, type UploadEvent } from '../../events/schema.js';
import { ingestActor, tokenId } from '../auth.js';
import { clientKey } from '../client-key.js';
import { routeOf } from './sessions.js';
import type { CollectorContext, CollectorPlugin } from '../context.js';
import { tooMany } from './token-checks.js';

/** Seconds an overloaded collector asks a client to wait (the extension backs off further when refused again). */
const RETRY_AFTER = '2';

export const ingestRoutes: CollectorPlugin = async (app, { ctx }) => {
  const { metrics, admission, storage, outbox } = ctx;
  const overloaded = (reply: FastifyReply, why = 'the collector is overloaded') => {
    metrics.overloaded++;
    return reply.code(503).header('retry-after', RETRY_AFTER).send({ error: `${why}: retry later` });
  };
  // When each request's body had been read (as it arrives, so a slow network does not count), for
  // admission by age: the time after it is spent waiting for the CPU (admission.ts, maxWaitMs).
  const arrived = new WeakMap<FastifyRequest, number>();
  const age = (req: FastifyRequest) => performance.now() - (arrived.get(req) ?? performance.now());
  // The loop's lag when the request was first seen, before any other hook: a stall it sat through.
  const seenLag = new WeakMap<FastifyRequest, number>();
  const late = (req: FastifyRequest) => admission.late(age(req), seenLag.get(req));
  app.addHook('onRequest', async (req) => void seenLag.set(req, admission.recentLag()));
  app.addHook('preParsing', async (req, _reply, payload) => {
    arrived.set(req, performance.now());
    payload.once('end', () => arrived.set(req, performance.now()));
  });
  app.addHook('onRequest', app.requireToken('ingest'));
  app.addHook('onRequest', async (req, reply) => {
    const why = admission.refuse();
    // The connection stays open: a client still sending its body then reads this answer and its
    // Retry-After instead of a reset (Node discards the rest of the body).
    if (why) return overloaded(reply, why);
    admission.requests++;
    reply.raw.once('close', () => admission.requests--);
  });
  // The body has arrived: validating and storing it is the work the adaptive limit caps (admission.ts).
  app.addHook('preHandler', async (req, reply) => {
    // A request whose client has gone is not stored (the client never saw an answer and resends), nor
    // validated: nobody would read the answer.
    if (await gone(req)) {
      metrics.abandoned++;
      return reply.hijack();
    }
    if (late(req) || !admission.startWork()) return overloaded(reply);
    const start = performance.now();
    reply.raw.once('close', () => admission.done(performance.now() - start));
  });

  app.post('/v1/events', async (req, reply) => {
    const body = req.body as { events?: unknown } | null;
    const parsed = IngestBatchSchema.safeParse(body);
    if (!parsed.success) {
      metrics.batchesRejected++;
      metrics.eventsRejected += Array.isArray(body?.events) ? body.events.length : 0;
      const errors = describeIssues(parsed.error);
      // Nothing from a batch with any invalid event is stored: the extension fixes or drops the
      // offending event and resends, and no half-batch ever needs reconciling.
      return reply.code(400).send({ error: errors[0], errors });
    }
    // Which events were stored other than as sent (a lone surrogate made U+FFFD): said in the answer.
    const replacedIn = new Map<UploadEvent, Replaced>();
    const events = parsed.data.events.map((e) => {
      const r: Replaced[] = [];
      const stored = normalizeEvent(e, r);
      if (r[0]) replacedIn.set(stored, r[0]);
      return stored;
    });
    // Said of the first copy of each id only: a later copy in the same batch is a duplicate, not stored,
    // and its replacement is not what the collector holds (a resend's first copy is what it stored before).
    const firsts = new Set<string>();
    const replaced = events.flatMap((e) => (firsts.has(e.id) ? [] : (firsts.add(e.id), replacedIn.get(e) ?? [])));
    const wait = limitClient(ctx, req, events[0]?.deviceId) || limitEvents(ctx, req, events);
    if (wait > 0) return throttled(ctx, req, reply, wait);
    let stored: readonly UploadEvent[] | null = null;
    if (!admission.takeEvents(events.length)) {
      refundEvents(ctx, req, events, []);
      return overloaded(reply);
    }
    try {
      // Validated but still waiting for the CPU: storing it now would answer after the client's patience.
      if (late(req)) return overloaded(reply);
      const result = await metrics.time('insert', () =>
        outbox.inserting((alertsFor) =>
          storage.insertEvents(events, ctx.now(), { alertsFor, timeWindow: ctx.timeWindow ?? undefined, sender: { ...(req.ip ? { receivedFrom: req.ip } : {}), ingestTokenId: tokenId(app.tokenOf(req) ?? '') } }),
        ),
      );
      stored = result.inserted;
      metrics.stringsReplaced += stored.filter((e) => replacedIn.has(e)).length;
      metrics.eventsIngested += result.accepted;
      metrics.eventsDuplicate += result.duplicates;
      if (result.alerts) outbox.wake();
      return { accepted: result.accepted, duplicates: result.duplicates, ...(replaced.length ? { replaced } : {}) };
    } finally {
      admission.events -= events.length;
      // Charged for what was stored: duplicates (a resend, or someone replaying stored events under a
      // device's id to spend its budget) and a batch that failed are given back.
      refundEvents(ctx, req, events, stored ?? []);
    }
  });

  app.post('/v1/heartbeat', { bodyLimit: 16 * 1024 }, async (req, reply) => {
    const parsed = HeartbeatSchema.safeParse(req.body);
    if (!parsed.success) {
      metrics.batchesRejected++;
      const errors = describeIssues(parsed.error);
      return reply.code(400).send({ error: errors[0], errors });
    }
    const replaced: string[] = [];
    const heartbeat = wellFormedStrings({ ...parsed.data, deviceId: lowerUuid(parsed.data.deviceId) }, replaced);
    if (replaced.length) metrics.stringsReplaced++;
    const wait = limitClient(ctx, req, heartbeat.deviceId);
    if (wait > 0) return throttled(ctx, req, reply, wait);
    // Where it came from too: heartbeats sent in a device's name after its extension was removed (the
    // trust model's residual) show as another address than the PC's (red team coll7 F13).
    const stored = { ...heartbeat, tokenId: tokenId(app.tokenOf(req) ?? ''), ...(req.ip ? { receivedFrom: req.ip } : {}) };
    await metrics.time('heartbeat', () => storage.upsertHeartbeat(stored, ctx.now()));
    metrics.heartbeats++;
    // Stored other than as sent (a lone surrogate made U+FFFD): said, as for events, instead of a bare 204.
    return replaced.length ? reply.code(200).send({ replaced: { fields: replaced, why: REPLACED_WHY } }) : reply.code(204).send();
  });
};

/** 429 to a valid ingest token over a budget, on record under the token first (red team collector6 #2). */
async function throttled(ctx: CollectorContext, req: FastifyRequest, reply: FastifyReply, wait: number): Promise<FastifyReply> {
  await req.server.throttled(req, ingestActor(req.server.tokenOf(req) ?? ''), routeOf(req));
  return tooMany(reply, ctx.metrics, wait);
}

/**
 * Per device and per ingest token (the whole fleet) buckets, after the per-address one: a NAT in front
 * of a thousand browsers does not squeeze them into one device's share, and a leaked token cannot
 * flood the collector from many addresses. Returns the seconds to wait, 0 when allowed.
 */
function limitClient(ctx: CollectorContext, req: FastifyRequest, deviceId: string | undefined): number {
  const token = tokenId(req.server.tokenOf(req) ?? '');
  const waits = [ctx.tokenLimiter?.take(token) ?? 0, deviceId ? (ctx.deviceLimiter?.take(`${token}|${deviceId}`) ?? 0) : 0];
  return Math.max(...waits);
}

/** The event budgets (context.ts eventLimiters): each device id in the batch, the address, the token. */
function eventBuckets(ctx: CollectorContext, req: FastifyRequest, events: readonly UploadEvent[]) {
  const { device, address, token } = ctx.eventLimiters!;
  const id = tokenId(req.server.tokenOf(req) ?? '');
  const perDevice = new Map<string, number>();
  for (const e of events) perDevice.set(e.deviceId, (perDevice.get(e.deviceId) ?? 0) + 1);
  return [
    { limiter: address, key: `${clientKey(req.ip)}|${id}`, n: events.length },
    { limiter: token, key: id, n: events.length },
    ...[...perDevice].map(([d, n]) => ({ limiter: device, key: `${id}|${d}`, n })),
  ];
}

/**
 * Takes the batch from every budget, or from none: a batch refused by one bucket is not charged to the
 * others. Returns the seconds to wait, 0 when allowed.
 */
function limitEvents(ctx: CollectorContext, req: FastifyRequest, events: readonly UploadEvent[]): number {
  if (!ctx.eventLimiters) return 0;
  const buckets = eventBuckets(ctx, req, events);
  const waits = buckets.map((b) => b.limiter.take(b.key, b.n));
  const wait = Math.max(...waits);
  if (wait > 0) buckets.forEach((b, i) => waits[i] === 0 && b.limiter.give(b.key, b.n));
  return wait;
}

/** Gives back the budget of the events of an admitted batch that were not stored (duplicates, or a failure). */
function refundEvents(ctx: CollectorContext, req: FastifyRequest, events: readonly UploadEvent[], stored: readonly UploadEvent[]): void {
  if (!ctx.eventLimiters || stored.length === events.length) return;
  const kept = new Map<string, number>();
  for (const e of stored) kept.set(e.deviceId, (kept.get(e.deviceId) ?? 0) + 1);
  for (const b of eventBuckets(ctx, req, events)) {
    const device = b.limiter === ctx.eventLimiters.device ? b.key.slice(b.key.indexOf('|') + 1) : null;
    b.limiter.give(b.key, b.n - (device === null ? stored.length : (kept.get(device) ?? 0)));
  }
}

/**
 * Whether the client closed its connection before its request was handled. A close that arrived right
 * behind the body is read only in the event loop's next I/O phase (libuv stops reading a socket when a
 * read does not fill its buffer, and reads the end of stream in the next round), so the check waits for
 * that round first (one loop turn: well under a millisecond on an idle collector). Not `req.raw.destroyed` alone:
 * Node destroys a request stream once its body has been read, while the client still waits for the answer.
 */
async function gone(req: FastifyRequest): Promise<boolean> {
  await nextLoopTurn();
  return req.socket.destroyed || req.socket.readableEnded || req.raw.errored !== null || (req.raw.destroyed && !req.raw.complete);
}

/** Resolves after the event loop's next poll phase (the check phase of this turn, then of the next). */
const nextLoopTurn = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));

/** json-body.ts's patterns: every lone surrogate (replaced), and any surrogate (only a string with one can hold a lone one: the replace is costly on every field of every event). */
const LONE_SURROGATE = new RegExp(LONE_ONE.source, 'g');

/** Strings as stored: a lone surrogate (not text in any encoding) becomes one U+FFFD, on every back end; the fields changed are added to `replaced`. */
function wellFormedStrings<T extends object>(o: T, replaced: string[]): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const fixed = typeof v === 'string' && SURROGATE.test(v) ? v.replace(LONE_SURROGATE, '\uFFFD') : v;
    if (fixed !== v) replaced.push(k);
    out[k] = fixed;
  }
  return out as T;
}

/** A UUID in lower case (other ids as they are): the same UUID in upper and lower case is one id. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const lowerUuid = (s: string) => (UUID.test(s) ? s.toLowerCase() : s);

/** An event whose fields were stored other than as sent: its id as stored, those fields, and why. */
export type Replaced = { id: string; fields: string[]; why: string };
const REPLACED_WHY = 'a lone UTF-16 surrogate (not text in any encoding) was stored as U+FFFD';
const TIME_WHY = 'time is kept to the millisecond: the digits past it were dropped';
/** A time whose fraction says no more than milliseconds (trailing zeros past them are the same instant). */
const MS_OR_COARSER = /\.\d{3}0*Z$/;

/**
 * UUIDs in one case, so the same id in upper and lower case is one event; strings well formed. Changes
 * the event in place and returns it: it is the validator's output, an object of this request's own (a
 * copy per event, with an entries array to make it, was 3 % of ingest's time). An event with a lone
 * surrogate is kept (refused, the extension would discard it, and a hostile page's file name would
 * erase the record of its upload: plugins/json-body.ts), the surrogate stored as U+FFFD on every back
 * end, and the fields are named in `replaced`, so the answer never acknowledges what was not stored.
 */
export function normalizeEvent(e: UploadEvent, replaced?: Replaced[]): UploadEvent {
  const fields = e as Record<string, unknown>;
  let changed: string[] | null = null;
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'string' && SURROGATE.test(v)) {
      const fixed = v.replace(LONE_SURROGATE, '\uFFFD');
      if (fixed !== v) (changed ??= []).push(k);
      fields[k] = fixed;
    }
  }
  // A UUID is ASCII, so lowering it after changes no surrogate.
  e.id = lowerUuid(e.id);
  if (e.relatesTo !== null) e.relatesTo = lowerUuid(e.relatesTo);
  e.deviceId = lowerUuid(e.deviceId);
  const surrogates = changed !== null;
  // The schema takes up to nine digits of a second; the databases keep milliseconds (24 characters
  // with three digits and the Z): finer digits were dropped without a word.
  const finer = e.time.length > 24 && !MS_OR_COARSER.test(e.time);
  if (finer) (changed ??= []).push('time');
  if (changed && replaced) replaced.push({ id: e.id, fields: changed, why: [...(surrogates ? [REPLACED_WHY] : []), ...(finer ? [TIME_WHY] : [])].join('; ') });
  return e;
}
