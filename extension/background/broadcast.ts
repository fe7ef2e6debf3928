/**
 * The policy reaches every open tab: the background pushes each new snapshot to every frame of every
 * tab (a guard there applies it at once: new keywords, new actions, or standing down on a host no longer
 * guarded), and injects the guard into tabs on hosts that became guarded, without a reload.
 */
import browser from 'webextension-polyfill';
import { findDestination } from '../../src/policy/destination.js';
import type { PolicySnapshot } from '../../src/policy/snapshot.js';
import type { Push } from '../shared/messages.js';
import { guardTab } from './registration.js';

/** The snapshot to every frame of one tab (a guard there applies it and asks for its service again); tabs without a guard have no listener, which is fine. */
export function pushSnapshot(tabId: number, snapshot: PolicySnapshot): Promise<void> {
  return browser.tabs.sendMessage(tabId, { type: 'policy-snapshot', snapshot } satisfies Push).then(
    () => undefined,
    () => undefined,
  );
}

export async function publish(snapshot: PolicySnapshot): Promise<void> {
  const tabs = await browser.tabs.query({});
  await Promise.all(
    tabs.map(async (tab) => {
      if (tab.id === undefined) return;
      // A tab on a host guarded now (a new service, or scope switched to everywhere) gets the guard at once.
      if (tab.url && findDestination(snapshot, tab.url)) await guardTab(tab.id);
      await pushSnapshot(tab.id, snapshot);
    }),
  );
}
