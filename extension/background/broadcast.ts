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

export async function publish(snapshot: PolicySnapshot): Promise<void> {
  const tabs = await browser.tabs.query({});
  const push: Push = { type: 'policy-snapshot', snapshot };
  await Promise.all(
    tabs.map(async (tab) => {
      if (tab.id === undefined) return;
      // A tab on a host guarded now (a new service, or scope switched to everywhere) gets the guard at once.
      if (tab.url && findDestination(snapshot, tab.url)) await guardTab(tab.id);
      // Every frame of the tab; tabs without a guard have no listener, which is fine.
      await browser.tabs.sendMessage(tab.id, push).catch(() => undefined);
    }),
  );
}
