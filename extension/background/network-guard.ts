/**
 * Defence in depth: a request-level check behind the page hooks. Whatever leaves a guarded tab (any
 * frame, the page's Service Worker, a hook the page got around) passes Chromium's webRequest, and a
 * body carrying a marked file name or stamped text, or a URL carrying stamped text (a suggest request,
 * a navigation, a pixel a page built from an HTML string), is stopped there (src/guard/request.ts) and
 * recorded with channel `network`, so the record says which layer stopped it.
 *
 * Blocking needs `webRequestBlocking`, which Chromium grants a Manifest V3 extension only when it is
 * installed by enterprise policy (docs/design.md, "The network layer"). Anywhere else the blocking
 * listener is silently never called; the observing listener beside it then records what it saw with
 * outcome `allowed`, so an admin learns of the escape even where it could not be stopped.
 *
 * The listener must answer synchronously, so it works from state kept in memory: the policy snapshot,
 * each tab's top-level page, and the tabs where the employee just chose to proceed after a warning.
 * Until the snapshot is loaded (the worker just woke) every request counts as guarded: fail closed.
 */
import browser from 'webextension-polyfill';
import { actionAt, findDestination } from '../../src/policy/destination.js';
import type { PolicySnapshot } from '../../src/policy/snapshot.js';
import type { PageDestination } from '../../src/guard/page.js';
import { markedInBody, markedInUrl, urlMayBeMarked, type BodyHit, type RequestBody } from '../../src/guard/request.js';
import type { Action } from '../../src/events/schema.js';
import { recordNetwork } from './decisions.js';
import { onPolicyChange, policy } from './policy-store.js';
import { bodyTypes } from './request-types.js';

/** After "send anyway" in a tab, the request that carries it passes the network layer for this long. */
const APPROVAL_MS = 10 * 60_000;
/** How long the observer waits for the blocking listener's turn on the same request. */
const OBSERVE_DELAY_MS = 50;
/** After the observer is removed, how long requests may still reach it (they were dispatched before). */
const OBSERVER_DRAIN_MS = 2_000;

let snapshot: PolicySnapshot | null = null;
const tops = new Map<number, string>();
const approvals = new Map<number, number>();
/** Requests the blocking listener has seen (the observer skips those). */
const seen = new Set<string>();

type Details = chrome.webRequest.OnBeforeRequestDetails;

/** Must be called synchronously at service-worker start. `recorded` runs after an event is queued. */
export function watchNetwork(recorded: () => void): void {
  // A package built without the layer (NETWORK_LAYER=off, docs/scope.md "What the guard costs") holds
  // no webRequest permission, so that Chromium routes no request through the browser process for it.
  if (!chrome.webRequest) return void console.info('[upload-guard] this package has no network layer (no webRequest permission)');
  void policy().then((p) => (snapshot = p.snapshot));
  onPolicyChange((p) => (snapshot = p.snapshot));
  browser.webNavigation.onCommitted.addListener((d) => d.frameId === 0 && void tops.set(d.tabId, d.url));
  browser.tabs.onRemoved.addListener((tabId) => void (tops.delete(tabId), approvals.delete(tabId)));
  void browser.tabs.query({}).then((tabs) => tabs.forEach((t) => t.id !== undefined && t.url && !tops.has(t.id) && tops.set(t.id, t.url)));

  const wr = chrome.webRequest;
  const filter: chrome.webRequest.RequestFilter = { urls: ['http://*/*', 'https://*/*'], types: bodyTypes(wr.ResourceType) };
  // Once the blocking listener is seen to be called (blocking granted: installed by policy), the
  // observer is only a second delivery of every request to this worker: it goes. Requests already on
  // their way to it are still marked seen for a while, then the set is dropped.
  let observerGone = 0;
  try {
    wr.onBeforeRequest.addListener(
      (d) => {
        if (!observerGone) {
          observerGone = Date.now();
          wr.onBeforeRequest.removeListener(observe);
          setTimeout(() => seen.clear(), OBSERVER_DRAIN_MS + 10);
        }
        if (Date.now() - observerGone < OBSERVER_DRAIN_MS) seen.add(d.requestId);
        const found = check(d);
        if (!found || passes(found.action, d.tabId)) return undefined;
        void recordNetwork(found.hit, found.page, found.destination, 'block', 'blocked').then(recorded);
        return { cancel: true };
      },
      filter,
      ['blocking', 'requestBody'],
    );
  } catch (e) {
    console.info('[upload-guard] blocking webRequest is not available:', String(e));
  }
  const observe = (d: Details): undefined => {
    setTimeout(() => {
      if (seen.delete(d.requestId)) return;
      const found = check(d);
      if (!found || passes(found.action, d.tabId)) return;
      void recordNetwork(found.hit, found.page, found.destination, found.action, 'allowed').then(recorded);
    }, OBSERVE_DELAY_MS);
    return undefined;
  };
  wr.onBeforeRequest.addListener(observe, filter, ['requestBody']);
}

/** The employee chose "send anyway" in this tab: what the page hooks let go, the network layer does too. */
export function noteApproval(tabId: number | undefined): void {
  if (tabId !== undefined) approvals.set(tabId, Date.now());
}

function passes(action: Action, tabId: number): boolean {
  if (action === 'allow' || action === 'audit') return true;
  return action === 'warn' && Date.now() - (approvals.get(tabId) ?? -Infinity) < APPROVAL_MS;
}

interface Found {
  hit: BodyHit;
  page: string;
  destination: PageDestination | null;
  action: Action;
}

function check(d: Details): Found | null {
  const s = snapshot;
  const designated = s?.designated ?? {};
  const body = d.method !== 'GET' && d.requestBody ? (d.requestBody as RequestBody) : null;
  // Nearly every request ends here: no body, and a URL that cannot hold a marking.
  if ((!body && !urlMayBeMarked(d.url, designated)) || isOurs(d)) return null;
  const page = pageOf(d, s);
  const destination = s ? findDestination(s, page) : null;
  // Not guarded only when that is known: the policy is loaded and so is the tab's page (if it has one).
  if (s && !destination && (navigation(d) || d.tabId < 0 || tops.has(d.tabId))) return null;
  // A sanctioned destination's condition (encryption) needs the content, which only the page layer reads.
  if (destination?.kind === 'sanctioned') return null;
  const hit = markedInUrl(d.url, designated) ?? (body ? markedInBody(body, designated) : null);
  if (!hit) return null;
  return { hit, page, destination, action: s && destination ? actionAt(s, destination, { verdict: 'marked', fileName: hit.fileName }) : 'block' };
}

/**
 * A top-level navigation, the employee going somewhere. A speculation-rules prefetch is a `main_frame`
 * request too, but the page's own (it asked for it, nobody navigated): Chromium 156 gives it the
 * `documentId` of the page that asked, which a navigation (its document not made yet) lacks; a
 * prerender's is in the `prerender` lifecycle.
 */
function navigation(d: Details): boolean {
  const x = d as Details & { documentId?: string; documentLifecycle?: string };
  return d.type === 'main_frame' && !x.documentId && x.documentLifecycle !== 'prerender';
}

/**
 * Whose rules a request answers to. A top-level navigation is the employee going to that page (typed
 * in the address bar, a link): judged by where it goes, not by the page it leaves. Anything else
 * leaves the tab's page (a widget frame on another host, a worker, a pixel, a prefetch) and is guarded
 * when that page, its initiator or its target is.
 */
function pageOf(d: Details, s: PolicySnapshot | null): string {
  if (navigation(d)) return d.url;
  const top = d.tabId >= 0 ? tops.get(d.tabId) : undefined;
  return [top, d.initiator, d.url].find((u) => u && s && findDestination(s, u)) ?? top ?? d.initiator ?? d.url;
}

/** The extension's own requests (the collector) carry file names of events, never content. */
function isOurs(d: Details): boolean {
  return !!d.initiator?.startsWith(`chrome-extension://${browser.runtime.id}`) || (d.tabId < 0 && !d.initiator);
}
