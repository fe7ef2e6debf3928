/** Builds valid events for tests, benchmarks and demos. Not used by the collector or the extension. */
import type { Heartbeat, UploadEvent } from './schema.js';

export function sampleEvent(overrides: Partial<UploadEvent> = {}): UploadEvent {
  return {
    v: 1,
    id: crypto.randomUUID(),
    relatesTo: null,
    time: new Date().toISOString(),
    user: 'taro.yamada@example.co.jp',
    deviceId: 'device-0001',
    browser: 'Chromium 156',
    extensionVersion: '0.1.0',
    service: 'gmail',
    serviceName: 'Gmail',
    category: 'webmail',
    origin: 'https://mail.google.com',
    channel: 'file-input',
    fileName: '秘—設計書.docx',
    size: 48213,
    sha256: 'a'.repeat(64),
    verdict: 'marked',
    rule: 2,
    reason: 'name',
    location: null,
    action: 'block',
    outcome: 'blocked',
    justification: null,
    policyVersion: '2026-11-01',
    ...overrides,
  };
}

export function sampleHeartbeat(overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    v: 1,
    time: new Date().toISOString(),
    deviceId: 'device-0001',
    user: 'taro.yamada@example.co.jp',
    browser: 'Chromium 156',
    extensionVersion: '0.1.0',
    policyVersion: '2026-11-01',
    queueLength: 0,
    dropped: 0,
    ...overrides,
  };
}
