/**
 * Durable alerts. Every alert (an incident through the webhook, a device gone stale, a CEF record for
 * the SIEM) is a row of the database's outbox, written in the same transaction as what raised it. A
 * worker per channel leases due rows, sends them, and marks them delivered; a failed send is retried
 * with backoff, for as long as it takes. A crash loses nothing: rows leased by a collector that died are
 * taken again when the lease runs out. Collectors sharing PostgreSQL lease different rows (SKIP LOCKED),
 * so each alert goes out from one of them. A crash between a send and its "delivered" mark resends that
 * alert once: every alert carries a stable id (`Idempotency-Key`, `alertId`, CEF `externalId`) for the
 * receiver to drop the repeat.
 */
import { createHash, randomUUID } from 'node:crypto';
import { safeJson } from '../../events/encode.js';
import { hostname } from 'node:os';
import type { KeptEvent } from '../../events/schema.js';
import type { Metrics } from '../metrics.js';
import type { AlertChannel, ChannelStats, OutboxItem, OutboxRow, OutboxStats, Storage } from '../storage/types.js';
import { SyslogSender, parseSyslogUrl, toSyslogRecord } from './cef.js';
import { HEC_BATCH, HecSender, hecEnvelope, type HecOptions } from './hec.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, incidentAlert, isIncident, postWebhook, staleDeviceAlert, staleDigestAlert, type StaleDevice } from './webhook.js';

export interface AlertOptions {
  /** Incident webhook URL: called for each new block/warn event, and for each device that goes stale. */
  webhookUrl?: string;
  /** SIEM: `udp://host:port` or `tcp://host:port`; every new event is forwarded as CEF over syslog. */
  syslogUrl?: string;
  /** SIEM: Splunk HTTP Event Collector; every new event is forwarded, in batches (see hec.ts). */
  hec?: HecOptions;
  /** Delays before each retry, ms; the last one repeats (tests shorten them). */
  backoff?: number[];
  /**
   * How long a leased alert is reserved for the collector that took it, ms (default 30 s; environment
   * UPLOAD_GUARD_ALERT_LEASE_SECONDS). After a crash its alerts wait this long before another collector
   * (or the restarted one) sends them; it must exceed the time to send one batch (4 × concurrency calls).
   */
  leaseMs?: number;
  /**
   * How long one webhook call may take, ms (default 15 s; environment UPLOAD_GUARD_WEBHOOK_TIMEOUT_SECONDS).
   * A receiver that answers later is sent the alert again (same Idempotency-Key), so set it above the
   * receiver's slowest answer; it must stay under half the lease (by default at most a third of it).
   */
  webhookTimeoutMs?: number;
  /** Webhook calls at the same time (default 16). SIEM records go one at a time, in order. */
  concurrency?: number;
  /**
   * At most this many undelivered alerts (default 1,000,000); beyond it new ones are not queued, and
   * each one not queued is counted (upload_guard_alerts_dropped_total) and shown on the admin page.
   */
  maxPending?: number;
  /** How often each worker looks for due alerts when nothing woke it, ms (default 1 s). */
  pollMs?: number;
}

const DEFAULT_BACKOFF = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000];
const DEFAULT_LEASE_MS = Number(process.env.UPLOAD_GUARD_ALERT_LEASE_SECONDS || 30) * 1000;
const ENV_WEBHOOK_TIMEOUT_MS = Number(process.env.UPLOAD_GUARD_WEBHOOK_TIMEOUT_SECONDS || 0) * 1000;

export interface OutboxStatus extends OutboxStats {
  channels: AlertChannel[];
  /** Alerts not queued because maxPending was reached, since this collector started. */
  dropped: number;
  /** Delivery attempts that failed, since this collector started. */
  failedAttempts: number;
  /** Delivered by this collector since it started. */
  sent: number;
  /**
   * Per configured channel. `doneAs` says what `done` means: `delivered` when the receiver confirmed
   * (webhook 2xx, HEC accepted or indexed), `sent` for syslog, which has no acknowledgement: written to
   * the socket (TCP) or sent as a datagram (UDP), what the receiver did with it is not known.
   */
  byChannel: (ChannelStats & { doneAs: 'delivered' | 'sent' })[];
}

export class AlertOutbox {
  /** This collector's name on the leases it holds. */
  readonly owner = randomUUID();
  private readonly syslog: SyslogSender | null;
  private readonly hec: HecSender | null;
  /** The HEC envelopes' `host`: this collector's name, read once. */
  private readonly host = hostname();
  private readonly channels: AlertChannel[] = [];
  private running = false;
  private readonly wakers = new Map<AlertChannel, () => void>();
  private readonly loops: Promise<void>[] = [];
  /**
   * Undelivered alerts as this collector counts them between reads of the database: raised by what an
   * insert really queued (reserve/settle), lowered by what it delivers, read again by status() and, near
   * the cap, by recount() (other collectors deliver too).
   */
  private pending = 0;
  private recounting: Promise<void> | null = null;
  private recountedMs = 0;
  private stats: OutboxStats = { pending: 0, oldestPendingMs: null, delivered: 0, retrying: 0 };

  constructor(
    private readonly storage: Storage,
    private readonly metrics: Metrics,
    private readonly opts: AlertOptions,
    private readonly now: () => number,
    private readonly log: (err: unknown, msg: string) => void,
  ) {
    if (opts.webhookUrl) {
      new URL(opts.webhookUrl); // fail at start on a malformed URL, not at the first incident
      // A call still running when its lease ends would be sent again by another collector meanwhile.
      if (!(this.webhookTimeoutMs > 0 && this.webhookTimeoutMs < this.leaseMs / 2)) {
        throw new Error(`the webhook timeout (${this.webhookTimeoutMs / 1000} s) must be above 0 and under half the alert lease (${this.leaseMs / 1000} s)`);
      }
      this.channels.push('webhook');
    }
    this.syslog = opts.syslogUrl ? new SyslogSender(parseSyslogUrl(opts.syslogUrl)) : null;
    if (this.syslog) this.channels.push('syslog');
    // An acknowledgement is awaited within the lease, so no other collector takes the batch meanwhile.
    const ackTimeoutMs = opts.hec?.ackTimeoutMs ?? Math.min(20_000, this.leaseMs / 2);
    this.hec = opts.hec ? new HecSender({ ...opts.hec, ackTimeoutMs }) : null;
    if (this.hec) this.channels.push('hec');
  }

  private get leaseMs(): number {
    return this.opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private get webhookTimeoutMs(): number {
    // The default shrinks with a short lease (tests); one set explicitly is checked in the constructor.
    return this.opts.webhookTimeoutMs ?? (ENV_WEBHOOK_TIMEOUT_MS || Math.min(DEFAULT_WEBHOOK_TIMEOUT_MS, this.leaseMs / 3));
  }

  get webhook(): boolean {
    return this.channels.includes('webhook');
  }

  /**
   * The alerts a newly stored event raises (storage writes them with it), from the event as stored: they
   * carry who sent it, as the export does (a SIEM is where a forgery from an address outside the company
   * is found: coll7 F10), and its time as stored.
   */
  alertsFor = (e: KeptEvent): OutboxItem[] => {
    if (this.channels.length === 0) return [];
    const out: OutboxItem[] = [];
    if (this.webhook && isIncident(e)) out.push({ channel: 'webhook', ref: `incident:${e.id}`, payload: safeJson(incidentAlert(e, `incident:${e.id}`)) });
    if (this.syslog) out.push({ channel: 'syslog', ref: e.id, payload: toSyslogRecord(e) });
    if (this.hec) out.push({ channel: 'hec', ref: e.id, payload: hecEnvelope(e, this.hec.format, this.host, this.opts.hec?.index) });
    if (this.pending + out.length > this.maxPending()) {
      this.metrics.alertsDropped += out.length;
      return [];
    }
    this.pending += out.length; // settled by inserting() to what was really queued
    return out;
  };

  private maxPending(): number {
    return this.opts.maxPending ?? 1_000_000;
  }

  /**
   * Runs one insert with this outbox's alerts: counted as they are built (the cap holds within a batch),
   * then settled to what the statement really queued. Duplicates (PostgreSQL builds alerts for every
   * event of the batch) and a failed insert raise nothing, so resending a stored batch cannot fill a
   * phantom queue that would drop the alerts of new events. With no channel, no alerts are asked for (the
   * store then does not build each event as stored for them).
   */
  async inserting<T extends { alerts: number }>(insert: (alertsFor: ((e: KeptEvent) => OutboxItem[]) | undefined) => Promise<T>): Promise<T> {
    await this.recount();
    let reserved = 0;
    let queued = 0;
    try {
      const alertsFor = (e: KeptEvent) => {
        const out = this.alertsFor(e);
        reserved += out.length;
        return out;
      };
      const result = await insert(this.channels.length ? alertsFor : undefined);
      queued = result.alerts;
      return result;
    } finally {
      this.pending = Math.max(0, this.pending - reserved + queued);
    }
  }

  /** Near the cap, the real count is read (at most once a second): a stale count must not drop new alerts. */
  private recount(): Promise<void> {
    if (this.channels.length === 0 || this.pending < this.maxPending() * 0.9 || this.now() - this.recountedMs < 1_000) return Promise.resolve();
    this.recounting ??= this.storage
      .outboxStats()
      .then((s) => {
        this.pending = s.pending;
        this.recountedMs = this.now();
      })
      .finally(() => (this.recounting = null));
    return this.recounting;
  }

  /** Queues one alert per device that went stale; a device already alerted for this silence is skipped. */
  /**
   * One alert per device in `devices`, and one digest for `more` (red team G7: no flood of posts). The
   * digest's id is the set it covers, so a check that finds the same devices again queues nothing, and a
   * new silent device adds one digest, not one post each.
   */
  async publishStale(devices: readonly (StaleDevice & { lastSeenMs: number })[], more: readonly (StaleDevice & { lastSeenMs: number })[] = []): Promise<number> {
    if (!this.webhook || devices.length + more.length === 0) return 0;
    const items = devices.map((d) => {
      const ref = `stale:${d.deviceId}:${d.lastSeenMs}`;
      return { channel: 'webhook' as const, ref, payload: safeJson(staleDeviceAlert(d, ref)) };
    });
    if (more.length) {
      const ref = `stale-digest:${createHash('sha256').update(more.map((d) => `${d.deviceId}:${d.lastSeenMs}`).sort().join('\n')).digest('hex').slice(0, 24)}`;
      items.push({ channel: 'webhook' as const, ref, payload: safeJson(staleDigestAlert(more, ref)) });
    }
    const n = await this.storage.enqueueAlerts(items, this.now());
    if (n) this.wake('webhook');
    return n;
  }

  /** New alerts were stored: send them now rather than at the next poll. */
  wake(channel?: AlertChannel): void {
    for (const [c, w] of this.wakers) if (!channel || c === channel) w();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const c of this.channels) this.loops.push(this.loop(c));
  }

  async status(): Promise<OutboxStatus> {
    this.stats = await this.storage.outboxStats();
    this.pending = this.stats.pending;
    const stored = await this.storage.outboxChannels();
    const byChannel = this.channels.map((channel) => ({
      ...(stored.find((c) => c.channel === channel) ?? { channel, pending: 0, done: 0, lastError: null }),
      doneAs: channel === 'syslog' ? ('sent' as const) : ('delivered' as const),
    }));
    return {
      byChannel,
      ...this.stats,
      channels: [...this.channels],
      dropped: this.metrics.alertsDropped,
      failedAttempts: this.metrics.alertsFailed,
      sent: this.metrics.alertsSent,
    };
  }

  /** Resolves when nothing is pending (tests, benchmarks); rejects after `timeoutMs`. */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.status()).pending > 0) {
      if (Date.now() > deadline) throw new Error(`alerts still pending after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops.splice(0));
    this.syslog?.close();
  }

  private async loop(channel: AlertChannel): Promise<void> {
    while (this.running) {
      let rows: OutboxRow[] = [];
      try {
        rows = await this.storage.claimAlerts(channel, this.owner, this.now(), this.leaseMs, this.batch(channel));
        if (rows.length) await (channel === 'hec' ? this.sendBatch(rows) : this.sendAll(channel, rows));
      } catch (err) {
        this.log(err, `alert delivery (${channel}): storage error`);
      }
      if (rows.length < this.batch(channel) && this.running) await this.sleep(channel, this.opts.pollMs ?? 1_000);
    }
  }

  /**
   * Alerts leased at once: as many rounds of webhook calls (up to 4) as fit in half the lease when every
   * call takes its whole timeout (a batch is done within its lease), more for the SIEM.
   */
  private batch(channel: AlertChannel): number {
    if (channel === 'hec') return HEC_BATCH;
    if (channel === 'syslog') return 200;
    const rounds = Math.max(1, Math.min(4, Math.floor(this.leaseMs / 2 / this.webhookTimeoutMs)));
    return rounds * (this.opts.concurrency ?? 16);
  }

  private sleep(channel: AlertChannel, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(channel);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakers.set(channel, done);
    });
  }

  /** Sends leased rows (SIEM: one at a time, in order; webhook: several at once) and records each outcome. */
  private async sendAll(channel: AlertChannel, rows: OutboxRow[]): Promise<void> {
    const delivered: number[] = [];
    const width = channel === 'syslog' ? 1 : (this.opts.concurrency ?? 16);
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          await this.send(row);
          delivered.push(row.id);
          this.metrics.alertsSent++;
        } catch (err) {
          this.metrics.alertsFailed++;
          const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
          const delay = backoff[Math.min(row.attempts, backoff.length - 1)]!;
          await this.storage.alertFailed(row.id, this.owner, this.now() + delay, (err as Error).message ?? String(err));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, rows.length) }, worker));
    if (delivered.length) await this.storage.alertsDelivered(delivered, this.owner, this.now());
    this.pending = Math.max(0, this.pending - delivered.length);
  }

  /**
   * Sends leased rows as one batch (Splunk HEC): all delivered, or all retried with the backoff of the
   * row tried most often (rows of one batch were mostly leased together, so their counts agree).
   */
  private async sendBatch(rows: OutboxRow[]): Promise<void> {
    try {
      await this.hec!.send(rows.map((r) => r.payload));
    } catch (err) {
      this.metrics.alertsFailed++;
      this.metrics.hecBatches.failed++;
      const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
      const attempts = Math.max(...rows.map((r) => r.attempts));
      const next = this.now() + backoff[Math.min(attempts, backoff.length - 1)]!;
      this.log(err, 'alert delivery (hec): batch failed, will retry');
      for (const r of rows) await this.storage.alertFailed(r.id, this.owner, next, (err as Error).message ?? String(err));
      return;
    }
    this.metrics.alertsSent += rows.length;
    this.metrics.hecBatches.sent++;
    await this.storage.alertsDelivered(rows.map((r) => r.id), this.owner, this.now());
    this.pending = Math.max(0, this.pending - rows.length);
  }

  private send(row: OutboxRow): Promise<void> {
    if (row.channel === 'syslog') return this.syslog!.send(row.payload);
    return postWebhook(this.opts.webhookUrl!, row.payload, row.ref, this.webhookTimeoutMs);
  }
}
