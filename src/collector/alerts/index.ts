/** Wires incident webhooks and SIEM forwarding to the ingest path. */
import type { UploadEvent } from '../../events/schema.js';
import type { Metrics } from '../metrics.js';
import { SyslogSender, parseSyslogUrl } from './cef.js';
import { DeliveryQueue } from './queue.js';
import { incidentAlert, isIncident, staleDeviceAlert, webhookSender, type StaleDevice } from './webhook.js';

export interface AlertOptions {
  /** Incident webhook URL: called for each new block/warn event, and for each device that goes stale. */
  webhookUrl?: string;
  /** SIEM: `udp://host:port` or `tcp://host:port`; every new event is forwarded as CEF over syslog. */
  syslogUrl?: string;
  /** Retry delays, ms (tests shorten them). */
  backoff?: number[];
}

export class Alerts {
  private readonly queues: { filter: (e: UploadEvent) => boolean; queue: DeliveryQueue<UploadEvent> }[] = [];
  private readonly syslog: SyslogSender | null = null;
  private readonly staleDevices: DeliveryQueue<StaleDevice> | null = null;

  constructor(opts: AlertOptions, metrics: Metrics) {
    const hooks = {
      backoff: opts.backoff,
      onSent: () => metrics.alertsSent++,
      onFailed: () => metrics.alertsFailed++,
      onDropped: () => metrics.alertsDropped++,
    };
    if (opts.webhookUrl) {
      new URL(opts.webhookUrl); // fail at start on a malformed URL, not at the first incident
      this.queues.push({ filter: isIncident, queue: new DeliveryQueue({ name: 'webhook', deliver: webhookSender(opts.webhookUrl, incidentAlert), ...hooks }) });
      this.staleDevices = new DeliveryQueue({ name: 'webhook-devices', deliver: webhookSender(opts.webhookUrl, staleDeviceAlert), ...hooks });
    }
    if (opts.syslogUrl) {
      this.syslog = new SyslogSender(parseSyslogUrl(opts.syslogUrl));
      // One connection, in order: a SIEM expects records in the order they happened.
      this.queues.push({ filter: () => true, queue: new DeliveryQueue({ name: 'syslog', deliver: this.syslog.send, concurrency: 1, ...hooks }) });
    }
  }

  get enabled(): boolean {
    return this.queues.length > 0;
  }

  get length(): number {
    return this.queues.reduce((n, q) => n + q.queue.length, 0) + (this.staleDevices?.length ?? 0);
  }

  /** Never throws and never waits: delivery happens in the background. */
  publish(events: readonly UploadEvent[]): void {
    for (const { filter, queue } of this.queues) for (const e of events) if (filter(e)) queue.push(e);
  }

  /** Devices that just went silent: one webhook call each (tamper evidence, see stale-watch.ts). */
  publishStale(devices: readonly StaleDevice[]): void {
    for (const d of devices) this.staleDevices?.push(d);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.queues.map((q) => q.queue.idle()), this.staleDevices?.idle()]);
  }

  close(): void {
    this.staleDevices?.close();
    for (const q of this.queues) q.queue.close();
    this.syslog?.close();
  }
}
