/** Prometheus text exposition of the collector's counters, without a client library. */
import type { OutboxStatus } from './alerts/outbox.js';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

class Histogram {
  readonly counts = LATENCY_BUCKETS.map(() => 0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) this.counts[i]!++;
  }
}

export class Metrics {
  eventsIngested = 0;
  eventsDuplicate = 0;
  /** Events and heartbeats stored with a field other than as sent (a lone surrogate made U+FFFD, a time finer than a millisecond; the answer names them). */
  stringsReplaced = 0;
  eventsRejected = 0;
  batchesRejected = 0;
  heartbeats = 0;
  rateLimited = 0;
  authFailures = 0;
  eventsPurged = 0;
  alertsSent = 0;
  alertsFailed = 0;
  alertsDropped = 0;
  /** Splunk HEC batches (one POST each) delivered and failed (each failed one is retried). */
  readonly hecBatches = { sent: 0, failed: 0 };
  /** Ingest requests refused with 503 by admission control. */
  overloaded = 0;
  /** Requests whose client had gone before they were stored (not stored; the client resends). */
  abandoned = 0;
  /** Extension packages served from the packages directory, per kind. */
  readonly packageDownloads = { crx: 0, xpi: 0, zip: 0 };
  /** Update manifests served: updates.xml (Chrome/Edge) and updates.json (Firefox). */
  readonly updateChecks = { chrome: 0, firefox: 0 };
  private readonly storage = new Map<string, Histogram>();

  /** Times a storage call and records its latency under `op`. */
  async time<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      let h = this.storage.get(op);
      if (!h) this.storage.set(op, (h = new Histogram()));
      h.observe((performance.now() - start) / 1000);
    }
  }

  render(extra: { storageKind: string; outbox: OutboxStatus; now: number; devices: { active: number; stale: number }; devicesCountedAt?: number; tokensEnding?: readonly number[]; auditSpool?: { waiting: number; refused: number } }): string {
    const out: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    };
    counter('upload_guard_events_ingested_total', 'Events stored (new ids).', this.eventsIngested);
    counter('upload_guard_events_duplicate_total', 'Events ignored because their id was already stored.', this.eventsDuplicate);
    counter('upload_guard_strings_replaced_total', 'Events and heartbeats stored with a field other than as sent: a lone UTF-16 surrogate made U+FFFD, a time finer than a millisecond cut to it (the answer named the fields).', this.stringsReplaced);
    counter('upload_guard_events_rejected_total', 'Events in batches refused for invalid fields.', this.eventsRejected);
    counter('upload_guard_batches_rejected_total', 'Ingest requests refused (invalid, oversized, malformed).', this.batchesRejected);
    counter('upload_guard_heartbeats_total', 'Heartbeats received.', this.heartbeats);
    counter('upload_guard_rate_limited_total', 'Requests refused with 429.', this.rateLimited);
    counter('upload_guard_auth_failures_total', 'Requests refused with 401 or 403.', this.authFailures);
    counter('upload_guard_events_purged_total', 'Events deleted by retention.', this.eventsPurged);
    counter('upload_guard_alerts_sent_total', 'Alerts and SIEM records delivered by this collector.', this.alertsSent);
    counter('upload_guard_alerts_failed_total', 'Alert delivery attempts that failed (each is retried).', this.alertsFailed);
    counter('upload_guard_alerts_dropped_total', 'Alerts not queued because the outbox limit (maxPending) was reached.', this.alertsDropped);
    counter('upload_guard_overloaded_total', 'Ingest requests refused with 503 (overload).', this.overloaded);
    counter('upload_guard_abandoned_total', 'Ingest requests not stored because the client had gone.', this.abandoned);
    out.push('# HELP upload_guard_hec_batches_total Splunk HEC batches (one POST of up to 100 events) by result; failed ones are retried.');
    out.push('# TYPE upload_guard_hec_batches_total counter');
    for (const [result, n] of Object.entries(this.hecBatches)) out.push(`upload_guard_hec_batches_total{result="${result}"} ${n}`);
    out.push('# HELP upload_guard_package_downloads_total Extension packages downloaded from the collector, per kind.');
    out.push('# TYPE upload_guard_package_downloads_total counter');
    for (const [kind, n] of Object.entries(this.packageDownloads)) out.push(`upload_guard_package_downloads_total{kind="${kind}"} ${n}`);
    out.push('# HELP upload_guard_update_checks_total Extension update manifests served, per browser family.');
    out.push('# TYPE upload_guard_update_checks_total counter');
    for (const [browser, n] of Object.entries(this.updateChecks)) out.push(`upload_guard_update_checks_total{browser="${browser}"} ${n}`);
    const o = extra.outbox;
    const gauge = (name: string, help: string, value: number) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    gauge('upload_guard_alerts_pending', 'Alerts in the outbox not yet delivered (all collectors).', o.pending);
    gauge('upload_guard_alerts_retrying', 'Pending alerts whose last attempt failed.', o.retrying);
    gauge('upload_guard_alerts_oldest_pending_seconds', 'Age of the oldest undelivered alert (0 when none).', o.oldestPendingMs === null ? 0 : Math.max(0, (extra.now - o.oldestPendingMs) / 1000));
    gauge('upload_guard_alerts_delivered', 'Delivered alerts kept in the outbox (7 days, all collectors).', o.delivered);
    out.push('# HELP upload_guard_devices Devices by heartbeat status (stale: silent longer than allowed).', '# TYPE upload_guard_devices gauge');
    out.push(`upload_guard_devices{status="active"} ${extra.devices.active}`, `upload_guard_devices{status="stale"} ${extra.devices.stale}`);
    if (extra.devicesCountedAt !== undefined) {
      out.push('# HELP upload_guard_devices_counted_age_seconds How long ago the device counts above were counted (they are reused for up to a minute).', '# TYPE upload_guard_devices_counted_age_seconds gauge');
      out.push(`upload_guard_devices_counted_age_seconds ${Math.max(0, (extra.now - extra.devicesCountedAt) / 1000).toFixed(1)}`);
    }
    if (extra.tokensEnding) {
      // Counts only (no names: /metrics may be public); the names are in the log and on the admin page.
      gauge('upload_guard_api_tokens_ending_soon', 'Live API tokens (and the admin token) that expire within 14 days: issue new ones and replace them.', extra.tokensEnding.length);
      gauge('upload_guard_api_token_min_days_left', 'Days left to the nearest of those expiries (-1 when none).', extra.tokensEnding.length ? Math.min(...extra.tokensEnding) : -1);
    }
    if (extra.auditSpool) {
      gauge('upload_guard_audit_entries_waiting', 'Audit entries kept in this collector\'s audit spool until the database takes them.', extra.auditSpool.waiting);
      gauge('upload_guard_audit_entries_refused', 'Audit entries the database refused while it took others: set aside with its reason (GET /v1/admin/audit/refused), tried again later.', extra.auditSpool.refused);
    }
    out.push('# HELP upload_guard_storage_info Storage back end in use.', '# TYPE upload_guard_storage_info gauge');
    out.push(`upload_guard_storage_info{backend="${extra.storageKind}"} 1`);
    out.push('# HELP upload_guard_storage_seconds Latency of storage operations.', '# TYPE upload_guard_storage_seconds histogram');
    for (const [op, h] of this.storage) {
      LATENCY_BUCKETS.forEach((le, i) => out.push(`upload_guard_storage_seconds_bucket{op="${op}",le="${le}"} ${h.counts[i]}`));
      out.push(`upload_guard_storage_seconds_bucket{op="${op}",le="+Inf"} ${h.count}`);
      out.push(`upload_guard_storage_seconds_sum{op="${op}"} ${h.sum}`);
      out.push(`upload_guard_storage_seconds_count{op="${op}"} ${h.count}`);
    }
    return out.join('\n') + '\n';
  }
}
