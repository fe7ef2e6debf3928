/**
 * Splunk HTTP Event Collector output (`--splunk-hec URL`, token from UPLOAD_GUARD_SPLUNK_HEC_TOKEN).
 *
 * Every new event becomes one HEC event envelope, kept in the outbox with the event (channel `hec`):
 * `{"time": seconds, "host", "source": "upload-guard", "sourcetype", "event": {…}, "fields": {"ug_id": id}}`.
 * The outbox leases up to 100 of them and sends them in one POST to `/services/collector/event`
 * (envelopes one per line, `Authorization: Splunk <token>`). With a channel (`--splunk-hec-channel GUID`,
 * the `X-Splunk-Request-Channel` header: what a token with indexer acknowledgement requires) the batch
 * counts as delivered only once `/services/collector/ack` says the indexer has it; an answer that never
 * comes within the ack timeout is a failed attempt and the batch is sent again (HEC's own rule: no ack,
 * resend). Each envelope carries the event id in `fields.ug_id`, so a batch sent twice (a crash between
 * the send and its "delivered" mark, or a lost ack) can be dropped in a search with `dedup ug_id`.
 *
 * The token is never logged or put in an error message; errors quote at most HEC's `text` field.
 */
import { hostname } from 'node:os';
import { ndjsonLine } from '../../events/encode.js';
import type { KeptEvent } from '../../events/schema.js';
import { toOcsf } from './ocsf.js';
import { answerError, NO_REDIRECTS } from './http-answer.js';

/** What the HEC event body is: the Upload Guard event as stored (default), or the OCSF finding. */
export type SiemFormat = 'upload-guard' | 'ocsf';
export const SIEM_FORMATS: readonly SiemFormat[] = ['upload-guard', 'ocsf'];

export interface HecOptions {
  /** `https://splunk:8088` (the event path is added) or the full `…/services/collector/event` URL. */
  url: string;
  token: string;
  /** X-Splunk-Request-Channel (a GUID); with it, delivery waits for indexer acknowledgement. */
  channel?: string;
  format?: SiemFormat;
  /** Splunk index; absent: the token's default index. */
  index?: string;
  /** How long to wait for an acknowledgement before sending the batch again, ms (default 20 s). */
  ackTimeoutMs?: number;
  /** Between two ack queries, ms (default 500). */
  ackPollMs?: number;
}

/** Envelopes per POST. */
export const HEC_BATCH = 100;

const SOURCETYPE: Record<SiemFormat, string> = { 'upload-guard': 'upload_guard:event', ocsf: 'ocsf:data_security_finding' };

/** The stored HEC envelope of one event (one line of JSON, line separators escaped). */
export function hecEnvelope(e: KeptEvent, format: SiemFormat = 'upload-guard', host = hostname(), index?: string): string {
  const envelope: Record<string, unknown> = {
    time: Date.parse(e.time) / 1000,
    host: host || 'upload-guard',
    source: 'upload-guard',
    sourcetype: SOURCETYPE[format],
    ...(index ? { index } : {}),
    event: format === 'ocsf' ? toOcsf(e) : e,
    fields: { ug_id: e.id },
  };
  return ndjsonLine(envelope).trimEnd();
}

/** A URL with the event path, checked: http(s), no credentials in it (they would end up in logs). */
export function hecEventUrl(url: string): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--splunk-hec must be an http(s) URL, got ${u.protocol}`);
  if (u.username || u.password) throw new Error('--splunk-hec must not carry credentials: set UPLOAD_GUARD_SPLUNK_HEC_TOKEN');
  const path = u.pathname.replace(/\/+$/, '');
  if (path.endsWith('/services/collector/event')) u.pathname = path;
  else if (path.endsWith('/services/collector')) u.pathname = `${path}/event`;
  else u.pathname = `${path}/services/collector/event`;
  return u;
}

/** HEC's answer text, made safe for a log line (it is the receiver's text, not ours). */
function answerText(body: string): string {
  try {
    const j = JSON.parse(body) as { text?: unknown; code?: unknown };
    if (typeof j.text === 'string') return `${j.text.replace(/[^\x20-\x7e]/g, '?').slice(0, 120)}${typeof j.code === 'number' ? ` (code ${j.code})` : ''}`;
  } catch {
    /* not JSON */
  }
  return 'no HEC answer';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HecSender {
  readonly eventUrl: URL;
  readonly ackUrl: URL;

  constructor(private readonly opts: HecOptions) {
    this.eventUrl = hecEventUrl(opts.url);
    this.ackUrl = new URL(this.eventUrl);
    this.ackUrl.pathname = this.eventUrl.pathname.replace(/\/event\/?$/, '/ack');
    if (opts.channel) {
      this.eventUrl.searchParams.set('channel', opts.channel);
      this.ackUrl.searchParams.set('channel', opts.channel);
    }
  }

  get format(): SiemFormat {
    return this.opts.format ?? 'upload-guard';
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Splunk ${this.opts.token}`,
      'content-type': 'application/json',
      'user-agent': 'upload-guard-collector',
      ...(this.opts.channel ? { 'x-splunk-request-channel': this.opts.channel } : {}),
    };
  }

  /** Sends stored envelopes in one POST; resolves once HEC took them (and, with a channel, indexed them). */
  async send(envelopes: readonly string[], timeoutMs = 10_000): Promise<void> {
    const res = await fetch(this.eventUrl, {
      method: 'POST',
      headers: this.headers(),
      body: envelopes.join('\n'),
      signal: AbortSignal.timeout(timeoutMs),
      ...NO_REDIRECTS,
    });
    const body = await res.text().catch(() => '');
    const err = answerError(res, 'Splunk HEC', answerText(body));
    if (err) throw err;
    let answer: { code?: unknown; ackId?: unknown } = {};
    try {
      answer = (JSON.parse(body) ?? {}) as typeof answer;
    } catch {
      /* handled below */
    }
    // HEC says {"text":"Success","code":0}: any other 2xx (a proxy's or login page's HTML) took nothing.
    if (answer.code !== 0) throw new Error(`Splunk HEC answered ${res.status} without HEC's {"code":0} (${answerText(body)}): is the URL the HEC endpoint?`);
    if (!this.opts.channel) return;
    const ackId = answer.ackId;
    // A token without indexer acknowledgement answers without an ackId: HEC took the batch, which is all it can say.
    if (ackId === undefined) return;
    if (typeof ackId !== 'number') throw new Error('Splunk HEC answered without a usable ackId');
    await this.waitForAck(ackId);
  }

  private async waitForAck(ackId: number): Promise<void> {
    const deadline = Date.now() + (this.opts.ackTimeoutMs ?? 20_000);
    for (;;) {
      const res = await fetch(this.ackUrl, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({ acks: [ackId] }),
        signal: AbortSignal.timeout(10_000),
        ...NO_REDIRECTS,
      });
      const body = await res.text().catch(() => '');
      const err = answerError(res, 'Splunk HEC ack query', answerText(body));
      if (err) throw err;
      let acks: Record<string, unknown> = {};
      try {
        acks = ((JSON.parse(body) as { acks?: Record<string, unknown> }).acks ?? {}) as Record<string, unknown>;
      } catch {
        /* treated as not yet */
      }
      if (acks[String(ackId)] === true) return;
      if (Date.now() > deadline) throw new Error(`Splunk HEC did not acknowledge batch ${ackId} in time: sending it again`);
      await sleep(this.opts.ackPollMs ?? 500);
    }
  }
}
