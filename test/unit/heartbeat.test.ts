/**
 * The extension's heartbeat carries the tamper-evidence fields, validates against the shared schema,
 * and goes out even when a browser API throws, rejects or never answers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeartbeatSchema } from '../../src/events/schema.js';
import { effectivePolicyFrom } from '../../src/policy/load.js';

const api: Record<string, unknown> = {};
const sent: { path: string; body: unknown }[] = [];

vi.mock('webextension-polyfill', () => ({ default: api }));
vi.mock('../../extension/background/identity.js', () => ({
  eventContext: async () => ({ deviceId: 'dev-1', user: 'taro@example.co.jp', browser: 'Chromium 142', extensionVersion: '0.1.0', policyVersion: 'v1' }),
}));
vi.mock('../../extension/background/queue.js', () => ({ length: async () => 2 }));
vi.mock('../../extension/background/db.js', () => ({
  EMPTY_DELIVERY: {},
  getMeta: async (_d: unknown, key: string, fallback: unknown) => (key === 'dropped' ? 5 : fallback),
  setMeta: async () => {},
}));
vi.mock('../../extension/background/sender.js', () => ({
  collectorOf: (p: { collectorUrl?: string; ingestToken?: string }) => (p.collectorUrl ? { url: p.collectorUrl, token: p.ingestToken } : null),
  post: async (_c: unknown, path: string, body: unknown) => {
    sent.push({ path, body });
    return 204;
  },
}));

const { heartbeat, installFacts } = await import('../../extension/background/heartbeat.js');

const managed = effectivePolicyFrom({ collectorUrl: 'https://ug.example.co.jp', ingestToken: 'tok', heartbeatMinutes: 30 });
const db = {} as Parameters<typeof heartbeat>[0];

describe('heartbeat', () => {
  beforeEach(() => {
    sent.length = 0;
    for (const k of Object.keys(api)) delete api[k];
  });
  afterEach(() => vi.useRealTimers());

  it('sends the interval, install type, managed state and incognito access, valid for the collector', async () => {
    api.management = { getSelf: async () => ({ installType: 'admin', id: 'x' }) };
    api.extension = { isAllowedIncognitoAccess: async () => true };
    expect(await heartbeat(db, managed)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('/v1/heartbeat');
    const hb = HeartbeatSchema.parse(sent[0]!.body);
    expect(hb).toMatchObject({ deviceId: 'dev-1', queueLength: 2, dropped: 5, heartbeatMinutes: 30, installType: 'admin', managed: true, incognitoAllowed: true });
  });

  it('without a managed policy there is no collector, so no heartbeat at all', async () => {
    expect(await heartbeat(db, effectivePolicyFrom({}))).toBe(false);
    expect(sent).toHaveLength(0);
  });

  it('still sends when the APIs are missing, throw, reject or answer nonsense', async () => {
    expect(await installFacts({})).toEqual({ incognitoAllowed: null });
    expect(
      await installFacts({
        management: {
          getSelf: () => {
            throw new Error('no');
          },
        },
        extension: { isAllowedIncognitoAccess: () => Promise.reject(new Error('no')) },
      }),
    ).toEqual({ incognitoAllowed: null });
    expect(
      await installFacts({
        management: { getSelf: async () => ({ installType: '<script>' }) },
        extension: { isAllowedIncognitoAccess: async () => 'yes' as unknown as boolean },
      }),
    ).toEqual({ incognitoAllowed: null });
    api.management = {
      getSelf: () => {
        throw new Error('management is not available');
      },
    };
    expect(await heartbeat(db, managed)).toBe(true);
    expect(HeartbeatSchema.parse(sent[0]!.body)).toMatchObject({ managed: true, incognitoAllowed: null, heartbeatMinutes: 30 });
    expect(sent[0]!.body).not.toHaveProperty('installType');
  });

  it('does not wait for an API that never answers', async () => {
    vi.useFakeTimers();
    const facts = installFacts({ management: { getSelf: () => new Promise(() => {}) }, extension: { isAllowedIncognitoAccess: async () => false } });
    await vi.advanceTimersByTimeAsync(2_001);
    expect(await facts).toEqual({ incognitoAllowed: false });
  });
});
