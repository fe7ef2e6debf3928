/**
 * The guard follows the frame tree, and reaches tabs that loaded before it was ready.
 *
 * Registered content scripts match a frame by its own URL. An upload widget in a cross-origin iframe
 * served from a storage or widget host that is not itself a listed service would run unguarded inside
 * a guarded page, so every frame that commits in a tab whose top-level page is guarded gets the guard
 * and the page hooks injected at commit (webNavigation.onCommitted → scripting.executeScript into that
 * document). The background answers such a frame with its top page's service (decisions.ts: the frame's
 * own URL first, then the tab's), so the top page's policy decides there.
 *
 * A guarded page framed by an unguarded one is guarded by its own host (registration matches it
 * wherever it is loaded); the unguarded embedder stays unguarded.
 *
 * Tabs that were open before the guard could run (browser start with session restore, install,
 * update, re-enable) are swept when the service worker starts: every frame of every tab whose top page
 * is guarded and that does not run a live guard gets one (registration.ts guardTab).
 */
import browser, { type WebNavigation } from 'webextension-polyfill';
import { findDestination } from '../../src/policy/destination.js';
import { policy } from './policy-store.js';
import { guardTab, SCRIPT_FILES } from './registration.js';

/** Must be called synchronously at service-worker start, so frame commits wake the worker. */
export function followFrames(): void {
  browser.webNavigation.onCommitted.addListener((d) => void onCommitted(d).catch(() => undefined));
}

async function onCommitted(d: WebNavigation.OnCommittedDetailsType): Promise<void> {
  if (d.frameId === 0 || d.tabId < 0) return;
  const { snapshot } = await policy();
  // A frame on a guarded host has the registered scripts already (matchOriginAsFallback included).
  if (findDestination(snapshot, d.url)) return;
  // Any guarded top page: a listed service, and an unlisted host under scope `everywhere`. A frame on
  // an `allow`ed host inside it is guarded too (red team web5 #5: the page handed such a frame a File by
  // postMessage, which it uploaded unjudged): a hand-over from a guarded page carries the same decision
  // as an upload from it; the allowed host is sanctioned as a page of its own, not as the page's uploader.
  const top = await browser.webNavigation.getFrame({ tabId: d.tabId, frameId: 0 }).catch(() => null);
  if (!top?.url || !findDestination(snapshot, top.url)) return;
  const documentId = (d as { documentId?: string }).documentId;
  await injectGuard(d.tabId, [d.frameId], documentId ? [documentId] : undefined);
}

const SWEPT = 'openTabsSwept';

/**
 * Once per run of the extension: session storage is emptied when the browser closes and when the
 * extension is updated, reloaded or re-enabled, which are exactly the times tabs can predate the guard.
 */
export async function sweepOnce(): Promise<void> {
  const session = browser.storage.session;
  if ((await session.get(SWEPT))[SWEPT] === true) return;
  await sweepOpenTabs();
  await session.set({ [SWEPT]: true });
}

/** Every open tab whose top page is guarded, brought under guard. Cheap for tabs already guarded. */
export async function sweepOpenTabs(): Promise<void> {
  const { snapshot } = await policy();
  const tabs = await browser.tabs.query({});
  await Promise.all(tabs.map((t) => (t.id !== undefined && t.url && findDestination(snapshot, t.url) ? guardTab(t.id) : undefined)));
}

/**
 * The guard, then the page hooks, into chosen frames of a tab (the guard first, so its listener is
 * there when the hooks post their handshake). Both refuse to run twice in one frame. `documentIds`
 * pins the injection to the document that committed, never to whatever the frame shows next.
 */
export async function injectGuard(tabId: number, frameIds: number[], documentIds?: string[]): Promise<void> {
  const target = documentIds ? { tabId, documentIds } : { tabId, frameIds };
  for (const [file, world] of [[SCRIPT_FILES.guard, 'ISOLATED'], [SCRIPT_FILES.pageHooks, 'MAIN']] as const) {
    await browser.scripting.executeScript({ target, files: [file], world, injectImmediately: true } as Parameters<typeof browser.scripting.executeScript>[0]);
  }
}
