/**
 * The service worker. Listeners are registered synchronously at the top level: Chrome only wakes a
 * stopped worker for events whose listeners were added during its first turn.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { EXTENSION_ID } from '../../src/policy/extension-id.js';
import { managedKeys } from '../../src/policy/merge.js';
import type { LoadUiRequest } from '../shared/lazy-ui.js';
import type { Request } from '../shared/messages.js';
import { publish } from './broadcast.js';
import { db, deviceId, EMPTY_DELIVERY, getMeta, type Db } from './db.js';
import { onDecide, onDispute, onResolve, onService, prunePending, type SenderInfo } from './decisions.js';
import { followFrames, sweepOnce } from './frame-follow.js';
import { followWindows, notePairing, pairedUrls } from './window-follow.js';
import { unheld } from './window-hold.js';
import { heartbeat, HEARTBEAT_ALARM, scheduleHeartbeat } from './heartbeat.js';
import { onPolicyChange, policy, watchPolicy, type Policy } from './policy-store.js';
import { injectUi } from './lazy-ui.js';
import { noteApproval, watchNetwork } from './network-guard.js';
import { length } from './queue.js';
import { registerGuard } from './registration.js';
import { applyUrlRules } from './url-rule.js';
import { guardKey } from './succession.js';
import { collectorOf, flush, inBackoff, RETRY_ALARM } from './sender.js';
import { applyUpdates, busyWith } from './update.js';
import type { UiPolicy, UiRequest, UiStatus } from './ui-protocol.js';

/** Safety net: if the worker dies mid-send, this alarm sends again. A success clears it. */
const SAFETY_DELAY_MS = 60_000;

async function deliver(d: Db, p: Policy): Promise<void> {
  await flush(d, collectorOf(p.effective));
}

/** After new events: send now, unless the collector is in backoff (then the retry alarm will). */
async function kick(): Promise<void> {
  const [d, p] = await Promise.all([db(), policy()]);
  if (!collectorOf(p.effective) || (await inBackoff(d))) return;
  await browser.alarms.create(RETRY_ALARM, { when: Date.now() + SAFETY_DELAY_MS });
  await deliver(d, p);
}

/** Bring registrations, alarms and delivery in line with the policy in force. Idempotent. */
async function applyPolicy(p: Policy): Promise<void> {
  await registerGuard(p.effective);
  await applyUrlRules(p.effective);
  await scheduleHeartbeat(p.effective);
}

async function start(sendHeartbeat: boolean): Promise<void> {
  const [d, p] = await Promise.all([db(), policy()]);
  await applyPolicy(p);
  await prunePending(d);
  if (sendHeartbeat) await heartbeat(d, p);
  // Install and browser start are worth a delivery attempt even during backoff: the network or the
  // collector may well have come back while the browser was closed.
  await deliver(d, p);
}

function isExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && !!sender.url?.startsWith(browser.runtime.getURL(''));
}

async function uiStatus(): Promise<UiStatus> {
  const [d, p] = await Promise.all([db(), policy()]);
  return {
    managed: p.isManaged,
    deviceId: await deviceId(d),
    policyVersion: p.effective.policyVersion,
    collectorConfigured: !!collectorOf(p.effective),
    delivery: await getMeta(d, 'delivery', EMPTY_DELIVERY),
    queued: await length(d),
    dropped: await getMeta(d, 'dropped', 0),
    rejected: await getMeta(d, 'rejected', 0),
    recent: await getMeta(d, 'recent', []),
  };
}

async function uiPolicy(): Promise<UiPolicy> {
  const p = await policy();
  const { ingestToken, ...rest } = p.effective;
  return {
    extensionId: browser.runtime.id ?? EXTENSION_ID,
    effective: { ...rest, ingestToken: !!ingestToken },
    managedKeys: managedKeys(p.managed),
    problems: p.problems,
  };
}

/** The sender, with the top pages of the windows paired with its tab (window-follow.ts). */
const withPaired = (from: SenderInfo, sender: Runtime.MessageSender): Promise<SenderInfo> =>
  pairedUrls(sender.tab?.id).then((paired) => ({ ...from, paired }), () => from);

/** The in-page guard's questions (undefined: not one). */
function guardAnswer(m: Request | UiRequest | LoadUiRequest, from: SenderInfo, sender: Runtime.MessageSender): Promise<unknown> | undefined {
  switch (m.type) {
    case 'service':
      // With the page's view, the key this guard will stand aside on once a new generation relieves it.
      return Promise.all([
        // A linked window's document is answered once its hold is gone (window-hold.ts): what its guard lets go then passes.
        Promise.all([notePairing(sender.tab?.id, m.opened === true), unheld(sender.tab?.id, sender.frameId)]).then(() => withPaired(from, sender), () => from).then((f) => onService(m, f)),
        guardKey((sender as { documentId?: string }).documentId).catch(() => undefined),
      ]).then(([view, key]) => ({ ...view, key }));
    case 'decide':
      return withPaired(from, sender).then((f) => onDecide(m, f)).then((r) => {
        void kick().catch((e) => console.warn('[upload-guard] send failed', e));
        return r;
      });
    case 'resolve':
      if (m.proceed) noteApproval(sender.tab?.id);
      return onResolve(m).then((r) => {
        void kick().catch((e) => console.warn('[upload-guard] send failed', e));
        return r;
      });
    case 'dispute':
      return onDispute(m).then((r) => {
        void kick().catch((e) => console.warn('[upload-guard] send failed', e));
        return r;
      });
    case 'load-ui':
      return injectUi(sender);
    default:
      return undefined;
  }
}

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || typeof message !== 'object' || message === null) return undefined;
  const m = message as Request | UiRequest | LoadUiRequest;
  const from = { url: sender.url, origin: (sender as { origin?: string }).origin, tab: sender.tab ? { url: sender.tab.url } : undefined };
  // A guard's question is never cut off by an update (update.ts waits for none to be in flight).
  const answer = guardAnswer(m, from, sender);
  if (answer) return busyWith(answer);
  switch (m.type) {
    case 'ui-status':
      return isExtensionPage(sender) ? uiStatus() : undefined;
    case 'ui-policy':
      return isExtensionPage(sender) ? uiPolicy() : undefined;
    case 'ui-flush':
      return isExtensionPage(sender) ? Promise.all([db(), policy()]).then(([d, p]) => deliver(d, p)).then(uiStatus) : undefined;
    default:
      return undefined;
  }
});

browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RETRY_ALARM) {
    void Promise.all([db(), policy()]).then(([d, p]) => deliver(d, p));
  } else if (alarm.name === HEARTBEAT_ALARM) {
    void Promise.all([db(), policy()]).then(async ([d, p]) => {
      await heartbeat(d, p);
      if (!(await inBackoff(d))) await deliver(d, p);
    });
  }
});

browser.runtime.onInstalled.addListener(() => {
  // Tabs open before the install (or the update) get the guard now, not at their next reload.
  void start(true).then(async () => publish((await policy()).snapshot));
});
browser.runtime.onStartup.addListener(() => void start(true));

watchPolicy();
followFrames();
followWindows();
applyUpdates();
watchNetwork(() => void kick().catch((e) => console.warn('[upload-guard] send failed', e)));
onPolicyChange((p) => {
  // Open tabs first: they follow the new policy within moments, not at their next reload.
  void publish(p.snapshot).catch((e) => console.error('[upload-guard] publishing the policy failed', e));
  // A heartbeat at once: right after a force-install the managed policy (and so the collector) arrives
  // seconds after onInstalled, and the device should not stay invisible until the first period ends.
  void applyPolicy(p)
    .then(async () => heartbeat(await db(), p))
    .then(() => kick());
});

// Every wake-up (not only install/startup): make sure the registrations match the policy. Cheap when
// nothing changed, and it heals a registration lost to an update or a crash.
void policy()
  .then(applyPolicy)
  // Tabs that loaded before the guard was ready (browser start, install, update, re-enable) get it now.
  .then(sweepOnce)
  .catch((e) => console.error('[upload-guard] start failed', e));
