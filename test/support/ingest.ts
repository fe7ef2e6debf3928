/** Events sent to a collector over HTTP as a device sends them, the batch accepted (200) or the test fails with the answer. */
import { expect } from 'vitest';

export async function postEvents(url: string, token: string, events: unknown[]): Promise<void> {
  const r = await fetch(url + '/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(r.status, await r.clone().text()).toBe(200);
}
