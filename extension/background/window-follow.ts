/**
 * The guard follows the opener relation between windows, as frame-follow.ts follows the frame tree.
 *
 * A top-level window on an `allow`ed (or, under scope `listed`, an unlisted) host that a guarded page
 * opened (`open(url)`), or that opened the guarded page, is a page of its own: registration does not
 * reach it. But a File reaches it from the guarded page by `postMessage` (a cross-origin window's own
 * method, which no hook of the sender can wrap), and it uploads the File from there (red team web7 F1).
 * So, as for a frame inside a guarded page, such a window is guarded while the relation lives, and the
 * guarded page's service decides there: a hand-over from a guarded page carries the same decision as an
 * upload from it; an allowed host is sanctioned as a page of its own, not as the guarded page's uploader.
 *
 * - `webNavigation.onCreatedNavigationTarget` names the window a page opened (`tabId`) and the tab it
 *   came from (`sourceTabId`); it is kept in session storage (the service worker sleeps).
 * - Each commit of the opened window's top document, when the tab it came from shows a guarded page and
 *   the window's own URL is not guarded, gets the guard and the page hooks injected at commit.
 * - The opened window's guard says, in its first question, whether it holds a reference to its opener
 *   (`window.opener`; a `noopener` window, a link's default target `_blank`, has none, and neither side
 *   can reach the other). Only then are the two tabs paired: each is answered, after its own URL, with
 *   the other's top page (decisions.ts candidates), and an opener on an unguarded host that opened a
 *   guarded page gets the guard at once. That direction is narrowed, not closed: what the opener
 *   captured before (its own saved `fetch`) stays unhooked.
 *
 * The cost, accepted as for frames: while the pair lives, the unguarded window's own uploads (the
 * employee's, to the sanctioned intranet) are judged by the guarded page's rules.
 */
import browser, { type WebNavigation } from 'webextension-polyfill';
import { findDestination } from '../../src/policy/destination.js';
import { injectGuard } from './frame-follow.js';
import { policy } from './policy-store.js';
import { guardTab, SCRIPT_FILES } from './registration.js';

const KEY = 'windowPairs';

/** Which tab each window was opened from, and the tabs paired with each tab (tab ids as keys). */
interface Pairs {
  openedFrom: Record<string, number>;
  paired: Record<string, number[]>;
}

/**
 * Kept in memory and written whole to session storage after each change (the service worker sleeps):
 * windows open in bursts, and a read-modify-write of storage per event would lose pairs.
 */
let pairs: Promise<Pairs> | null = null;
const load = (): Promise<Pairs> =>
  (pairs ??= browser.storage.session.get(KEY).then((r) => (r[KEY] as Pairs | undefined) ?? { openedFrom: {}, paired: {} }, () => ({ openedFrom: {}, paired: {} })));

async function change(fn: (p: Pairs) => void): Promise<void> {
  const p = await load();
  fn(p);
  await browser.storage.session.set({ [KEY]: p });
}

const topUrl = (tabId: number) => browser.webNavigation.getFrame({ tabId, frameId: 0 }).then((f) => f?.url, () => undefined);

/** Must be called synchronously at service-worker start, so window creation and commits wake the worker. */
export function followWindows(): void {
  browser.webNavigation.onCreatedNavigationTarget.addListener((d) => void opened(d).catch(() => undefined));
  browser.webNavigation.onCommitted.addListener((d) => void (d.frameId === 0 && committed(d).catch(() => undefined)));
  browser.webNavigation.onDOMContentLoaded.addListener((d) => void (d.frameId === 0 && registered.has(d.tabId) && unregisterEarly(d.tabId)));
  browser.tabs.onRemoved.addListener((tabId) => void forget(tabId).catch(() => undefined));
}

const sourceOf = async (tabId: number): Promise<number | undefined> => (await load()).openedFrom[tabId];

async function opened(d: WebNavigation.OnCreatedNavigationTargetDetailsType): Promise<void> {
  await change((p) => void (p.openedFrom[d.tabId] = d.sourceTabId));
  const { snapshot } = await policy();
  const origin = /^https?:/.test(d.url) ? new URL(d.url) : null;
  if (!origin || findDestination(snapshot, d.url)) return;
  const source = await topUrl(d.sourceTabId);
  if (!source || !findDestination(snapshot, source)) return;
  // Injection at commit comes after the window's first scripts have run: a page that opens an uploader
  // and posts it the File as soon as it says it is ready (red team web7 F1) is faster than that. So the
  // scripts are also registered for the window's origin until its first document is loaded: there they
  // run at document_start. Other tabs on that origin loading meanwhile get them too, ask, and stand down
  // (not paired). Match patterns leave the port out, so any port of the host matches.
  const matches = [`${origin.protocol}//${origin.hostname}/*`];
  const common = { matches, runAt: 'document_start' as const, allFrames: false, persistAcrossSessions: false };
  const ids = early(d.tabId);
  registered.add(d.tabId);
  await browser.scripting
    .registerContentScripts([
      { id: ids[0], js: [SCRIPT_FILES.pageHooks], world: 'MAIN', ...common },
      { id: ids[1], js: [SCRIPT_FILES.guard], world: 'ISOLATED', ...common },
    ] as Parameters<typeof browser.scripting.registerContentScripts>[0])
    .catch(() => undefined);
}

/** The ids of the scripts registered for a window until its first document is loaded. */
const early = (tabId: number) => [`upload-guard-window-${tabId}-hooks`, `upload-guard-window-${tabId}-guard`];

/** Windows with such scripts registered, in this run of the worker (a closed tab's are removed anyway). */
const registered = new Set<number>();

function unregisterEarly(tabId: number): Promise<void> {
  registered.delete(tabId);
  return browser.scripting.unregisterContentScripts({ ids: early(tabId) }).catch(() => undefined);
}

async function committed(d: WebNavigation.OnCommittedDetailsType): Promise<void> {
  const source = await sourceOf(d.tabId);
  if (source === undefined) return;
  const { snapshot } = await policy();
  if (findDestination(snapshot, d.url)) return; // guarded by its own URL (registered scripts)
  const url = await topUrl(source);
  if (!url || !findDestination(snapshot, url)) return;
  const documentId = (d as { documentId?: string }).documentId;
  await injectGuard(d.tabId, [0], documentId ? [documentId] : undefined);
}

/**
 * A window's guard asked for its service and said whether it holds its opener: pair it with the tab it
 * was opened from, and guard that tab when it is unguarded and this window is guarded.
 */
export async function notePairing(tabId: number | undefined, hasOpener: boolean): Promise<void> {
  if (tabId === undefined || !hasOpener) return;
  const source = await sourceOf(tabId);
  if (source === undefined) return;
  if ((await load()).paired[tabId]?.includes(source)) return;
  await change(({ paired }) => {
    if (paired[tabId]?.includes(source)) return;
    paired[tabId] = [...(paired[tabId] ?? []), source];
    paired[source] = [...(paired[source] ?? []), tabId];
  });
  const { snapshot } = await policy();
  const [mine, theirs] = await Promise.all([topUrl(tabId), topUrl(source)]);
  // Not awaited: this window's own answer does not wait for the other tab's frames to be probed.
  if (mine && findDestination(snapshot, mine) && !(theirs && findDestination(snapshot, theirs))) void guardTab(source);
}

/** The top-page URLs of the windows paired with this tab (its opener, the windows it opened). */
export async function pairedUrls(tabId: number | undefined): Promise<string[]> {
  if (tabId === undefined) return [];
  const tabs = (await load()).paired[tabId] ?? [];
  if (tabs.length === 0) return [];
  return (await Promise.all(tabs.map(topUrl))).filter((u): u is string => !!u);
}

function forget(tabId: number): Promise<void> {
  void unregisterEarly(tabId);
  return change(({ openedFrom, paired }) => {
    delete openedFrom[tabId];
    for (const other of paired[tabId] ?? []) paired[other] = (paired[other] ?? []).filter((t) => t !== tabId);
    delete paired[tabId];
  });
}
