/**
 * Red team coll7 F15: budgets and refusal counts were kept per full address, and an IPv6 client holds a
 * whole /64: each new address of it got a fresh bucket of refused requests (token guessing, sign-in
 * floods) and wrote a new first `access.denied` entry, so one machine filled the audit log as fast as it
 * could send. They are kept per /64 now (an IPv4-mapped address as IPv4); the log still writes each
 * request's full address.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { clientKey } from '../../src/collector/client-key.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

describe('clientKey', () => {
  it('is the /64 of an IPv6 address, however written; IPv4 (and IPv4-mapped) as it is', () => {
    expect(clientKey('2001:db8:0:1::7')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey(undefined)).toBe('');
  });
});

const ADMIN = 'ipv6-prefix-admin-token-0123456789abcd';

for (const backend of testBackends('ipv6key')) {
  describe(`refused requests from one IPv6 /64 (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    afterAll(async () => {
      await c?.close();
      if (storage) await backend.cleanup(storage);
    });

    it('share one bucket and one first audit entry, whichever address of it they come from', async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['ipv6-prefix-ingest-token-0123456789'], adminTokens: [ADMIN], adminRateLimit: { perSecond: 1, burst: 3 } });
      const codes: number[] = [];
      for (let i = 1; i <= 10; i++) {
        const r = await c.app.inject({ url: '/v1/admin/summary', remoteAddress: `2001:db8:0:1::${i.toString(16)}`, headers: { authorization: 'Bearer ugt_000000000000_guessed-token-guessed-token' } });
        codes.push(r.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
      // Another /64 has a bucket of its own.
      expect((await c.app.inject({ url: '/v1/admin/summary', remoteAddress: '2001:db8:0:2::1', headers: { authorization: 'Bearer ugt_000000000000_guessed-token-guessed-token' } })).statusCode).toBe(401);
      const first = (await c.app.inject({ url: '/v1/admin/audit?action=access.denied', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { entries: { address: string }[] };
      expect(first.entries.map((e) => e.address).sort()).toEqual(['2001:db8:0:1::1', '2001:db8:0:2::1']);
    });
  });
}
