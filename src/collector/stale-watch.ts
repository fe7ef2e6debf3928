/**
 * Tamper evidence that comes to the admin: notices when a device goes silent (extension removed or
 * disabled, browser kept off the policy, machine off) and reports it once, through the alert webhook.
 * The Devices view and the API list the same devices; this only says "it just happened".
 */
import { fleetReport, type DeviceReport, type IngestTokenIds } from './devices.js';
import type { Storage } from './storage/types.js';

export interface StaleWatchOptions {
  storage: Storage;
  now: () => number;
  staleAfterMinutes?: number;
  ingestTokenIds?: IngestTokenIds;
  /** Called with the devices that became stale since the previous check (never with the same device twice in a row). */
  onStale: (devices: DeviceReport[]) => void;
}

export class StaleWatch {
  /** Devices stale at the previous check; null before the first, which only takes stock. */
  private stale: Set<string> | null = null;

  constructor(private readonly o: StaleWatchOptions) {}

  /**
   * Compares with the previous check and reports devices that went stale in between. The first check
   * after start reports nothing: those devices went stale while nobody was watching, and a restart must
   * not resend a flood of old news (they are on the Devices view). A device that comes back and goes
   * silent again is reported again.
   */
  async check(): Promise<DeviceReport[]> {
    const report = fleetReport(await this.o.storage.devices(), this.o.now(), {}, this.o.staleAfterMinutes, this.o.ingestTokenIds);
    const staleNow = report.devices.filter((d) => d.status === 'stale');
    const previous = this.stale;
    this.stale = new Set(staleNow.map((d) => d.deviceId));
    if (!previous) return [];
    const fresh = staleNow.filter((d) => !previous.has(d.deviceId));
    if (fresh.length) this.o.onStale(fresh);
    return fresh;
  }
}
