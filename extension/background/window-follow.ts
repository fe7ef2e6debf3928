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
 * The link is transitive: a window that a linked window opens in turn is linked to the same guarded page
 * (its guard is paired with the window it came from, and answers walk the pairs), and every frame that
 * commits inside a linked window gets the guard as frame-follow.ts does for a guarded page's frames.
 * A window opened empty (`open('')`) and sent to an allowed host afterwards, and any later navigation of
 * a linked window, gets the early registration when that navigation starts (`onBeforeNavigate` gives
 * the target URL before commit), not only for the URL the window was opened with.
 *
 * A registration made when the navigation starts can still come after the window's first scripts (the
 * worker is busy, the page is quick): until the guard is in, such a window's documents are held at the
 * network (window-hold.ts), so that race ends in a refused upload, never an unjudged one. A window's
 * registration covers its frames too (until the window has loaded), so its uploader frame needs no
 * registration of its own in time.
 *
 * The cost, accepted as for frames: while the pair lives, the unguarded window's own uploads (the
 * employee's, to the sanctioned intranet) are judged by the guarded page's rules.
 */
import browser, { type WebNavigation } from 'webextension-polyfill';
import { findDestination } from '../../src/policy/destination.js';
import { pushSnapshot } from './broadcast.js';
import { injectGuard } from './frame-follow.js';
import { policy } from './policy-store.js';
import { guardTab, SCRIPT_FILES } from './registration.js';
import { forgetHolds, hold, lastStarted, lastStartedUrl, navigationStarts, release, sweepHolds } from './window-hold.js';

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
  browser.webNavigation.onBeforeNavigate.addListener((d) => void (navigationStarts(d.tabId, d.frameId, d.url), d.frameId === 0 ? navigating(d.tabId, d.url) : frameNavigating(d.tabId, d.frameId, d.url)).catch(() => undefined));
  browser.webNavigation.onCommitted.addListener((d) => void settle(d, d.frameId === 0 ? committed(d) : frameCommitted(d)).catch(() => undefined));
  // A frame's registration goes once its document is parsed; a window's covers its frames too (those the
  // page holds when it loads), so it goes once the window has loaded, frames included.
  browser.webNavigation.onDOMContentLoaded.addListener((d) => void (d.frameId !== 0 && loaded(d.tabId, d.frameId)));
  browser.webNavigation.onCompleted.addListener((d) => void (d.frameId === 0 && loaded(d.tabId, 0)));
  // A failed navigation (a download, a 204, an error) ends its hold; an error of an earlier navigation that
  // a newer one replaced (another URL) does not end the newer one's.
  browser.webNavigation.onErrorOccurred.addListener((d) => void (lastStartedUrl(d.tabId, d.frameId) === d.url && release(d.tabId, d.frameId, lastStarted(d.tabId, d.frameId))));
  browser.tabs.onRemoved.addListener((tabId) => void forget(tabId).catch(() => undefined));
  void sweepEarly().catch(() => undefined);
  void sweepHolds();
}

/**
 * A document committed: once it is guarded (or found to need no guard) its hold goes (window-hold.ts).
 * An injection that failed into a document still shown keeps the hold: fail closed.
 */
async function settle(d: WebNavigation.OnCommittedDetailsType, guarding: Promise<void>): Promise<void> {
  const nav = lastStarted(d.tabId, d.frameId);
  const ok = await guarding.then(() => true, () => false);
  const documentId = (d as { documentId?: string }).documentId;
  if (!ok && documentId) {
    const now = (await browser.webNavigation.getFrame({ tabId: d.tabId, frameId: d.frameId }).catch(() => null)) as { documentId?: string } | null;
    if (now?.documentId === documentId) return void console.warn('[upload-guard] a linked window\'s document could not be guarded: its uploads stay blocked');
  }
  await release(d.tabId, d.frameId, nav);
}

const sourceOf = async (tabId: number): Promise<number | undefined> => (await load()).openedFrom[tabId];

/** How far the link is followed: more windows than a real flow chains, few enough to walk per question. */
const MAX_LINKED = 16;

/**
 * The tabs linked with this one, nearest first (itself excluded): along the pairs only (`pairedOnly`,
 * for answers: a window that does not hold its opener is not linked), or also along the tab each window
 * was opened from (for injection, before the window's guard could say whether it holds its opener).
 */
async function linkedTabs(tabId: number, pairedOnly: boolean): Promise<number[]> {
  const { openedFrom, paired } = await load();
  const seen = new Set([tabId]);
  const order: number[] = [];
  for (let i = -1; i < order.length && order.length < MAX_LINKED; i++) {
    const at = i < 0 ? tabId : order[i];
    const next = [...(paired[at] ?? []), ...(pairedOnly || openedFrom[at] === undefined ? [] : [openedFrom[at]])];
    for (const t of next) {
      if (seen.has(t)) continue;
      seen.add(t);
      order.push(t);
    }
  }
  return order;
}

/** Whether a window opened from `tabId` is guarded by the link: that tab shows a guarded page, or is linked to one. */
async function guardedByLink(tabId: number): Promise<boolean> {
  const { snapshot } = await policy();
  for (const t of [tabId, ...(await linkedTabs(tabId, false))]) {
    const url = await topUrl(t);
    if (url && findDestination(snapshot, url)) return true;
  }
  return false;
}

async function opened(d: WebNavigation.OnCreatedNavigationTargetDetailsType): Promise<void> {
  // The registration races the window's first document: it does not wait for the storage write.
  const noted = change((p) => void (p.openedFrom[d.tabId] = d.sourceTabId));
  await Promise.all([noted, registerEarly(d.tabId, d.url, d.sourceTabId)]);
}

/** A window that was opened from another starts a navigation of its top document (also the first one after `open('')`). */
async function navigating(tabId: number, url: string): Promise<void> {
  const source = await sourceOf(tabId);
  if (source !== undefined) await registerEarly(tabId, url, source);
}

/**
 * A frame starts a navigation in a window whose top page is not guarded (a guarded one's frames are
 * frame-follow.ts's): when that window is linked to a guarded page, the frame's document gets the early
 * registration too. Injected at its commit only, an uploader frame that says it is ready at once and is
 * handed the File (`w.frames[0].postMessage`) was faster than the guard.
 */
async function frameNavigating(tabId: number, frameId: number, url: string): Promise<void> {
  // The frame's request is quick: a window already found linked is registered for at once.
  if (linkedWindows.has(tabId)) return registerEarly(tabId, url, tabId, frameId, true);
  if (tabId < 0 || (await sourceOf(tabId)) === undefined) return;
  const { snapshot } = await policy();
  const top = await topUrl(tabId);
  if (top && findDestination(snapshot, top)) return;
  await registerEarly(tabId, url, tabId, frameId);
}

/**
 * Injection at commit comes after the window's first scripts have run: a page that opens an uploader and
 * posts it the File as soon as it says it is ready (red team web7 F1) is faster than that. So the scripts
 * are also registered for the host the window is going to, from the start of its navigation until its
 * document is loaded: there they run at document_start. Other tabs on that host loading meanwhile get
 * them too, ask, and stand down (not paired). Match patterns leave the port out, so any port matches.
 */
async function registerEarly(tabId: number, url: string, source: number, frameId = 0, known = false): Promise<void> {
  // Noted before anything is awaited: a load of this navigation from now on is one this registration missed.
  const nav = lastStarted(tabId, frameId);
  const { snapshot } = await policy();
  const target = /^https?:/.test(url) ? new URL(url) : null;
  if (!target || findDestination(snapshot, url) || !(known || (await guardedByLink(source)))) return;
  if (frameId === 0) linkedWindows.add(tabId);
  // The hold is what closes the race; the registration only makes the guard come early, so clean uploads pass.
  const holding = hold(tabId, frameId, target.hostname);
  const match = `${target.protocol}//${target.hostname}/*`;
  const key = keyOf(tabId, frameId);
  if (registered.get(key) === match) return holding;
  if (registered.has(key)) await unregisterEarly(key);
  registered.set(key, match);
  const common = { matches: [match], runAt: 'document_start' as const, allFrames: true, persistAcrossSessions: false };
  const ids = early(key);
  const registering = serially(key, () =>
    browser.scripting.registerContentScripts([
      { id: ids[0], js: [SCRIPT_FILES.pageHooks], world: 'MAIN', ...common },
      { id: ids[1], js: [SCRIPT_FILES.guard], world: 'ISOLATED', ...common },
    ] as Parameters<typeof browser.scripting.registerContentScripts>[0]),
  );
  await Promise.all([holding, registering]);
  // The document loaded, or its tab closed, while this was decided or registered: no later event removes
  // the registration, and it would put the guard into every page of that host that loads, in every tab.
  if (registered.get(key) === match && ((loadedNav.get(key) ?? -1) >= nav || closedTabs.has(tabId))) await unregisterEarly(key);
}

/** A window's top document (its tab id), or one of its frames (tab id and frame id). */
const keyOf = (tabId: number, frameId: number) => (frameId === 0 ? `${tabId}` : `${tabId}-${frameId}`);

const PREFIX = 'upload-guard-window-';

/** Windows found linked to a guarded page on their way to an unguarded host, in this run of the worker. */
const linkedWindows = new Set<number>();

/** The ids of the scripts registered for a window's (or a frame's) document until it is loaded. */
const early = (key: string) => [`${PREFIX}${key}-hooks`, `${PREFIX}${key}-guard`];

/** Documents with such scripts registered (and their match pattern), known to this run of the worker. */
const registered = new Map<string, string>();

/**
 * A document's registration calls, one after another. An unregistration sent while the registration was
 * still on its way found nothing to remove (a frame can load within the ~20 ms a registration takes, more
 * on a busy machine), and the registration then stayed for as long as the worker ran: every later page of
 * that host, in any tab, got a guard that asked, was told its host is not guarded and stood down.
 */
const calls = new Map<string, Promise<void>>();
function serially(key: string, fn: () => Promise<unknown>): Promise<void> {
  const run = (calls.get(key) ?? Promise.resolve()).then(fn).then(
    () => undefined,
    () => undefined,
  );
  calls.set(key, run);
  void run.then(() => calls.get(key) === run && calls.delete(key));
  return run;
}

/** The last navigation of each document (by key) whose load was seen: a registration made for it after that is removed at once. */
const loadedNav = new Map<string, number>();
/** Tabs closed in this run of the worker: a registration for one, made after it closed, is removed at once. */
const closedTabs = new Set<number>();

/** A window's document loaded (a frame's: was parsed): its registration has done its work. */
function loaded(tabId: number, frameId: number): void {
  const key = keyOf(tabId, frameId);
  loadedNav.set(key, lastStarted(tabId, frameId));
  if (registered.has(key)) void unregisterEarly(key);
}

function unregisterEarly(key: string): Promise<void> {
  registered.delete(key);
  return serially(key, () => browser.scripting.unregisterContentScripts({ ids: early(key) }));
}

/**
 * At worker start: registrations a previous run of the worker made (it was stopped before the document
 * loaded, so nothing here knows them). Those of a tab or frame that is gone, or of a tab that has loaded,
 * are removed (otherwise
 * every page of that host got the scripts until the tab closed); the others are known again, so their
 * document's load removes them.
 */
async function sweepEarly(): Promise<void> {
  const scripts = (await browser.scripting.getRegisteredContentScripts()) as { id: string }[];
  const found = new Map<string, string[]>();
  for (const { id } of scripts) {
    const key = new RegExp(`^${PREFIX}(\\d+(?:-\\d+)?)-(?:hooks|guard)$`).exec(id)?.[1];
    if (key) found.set(key, [...(found.get(key) ?? []), id]);
  }
  await Promise.all(
    [...found].map(async ([key, ids]) => {
      const [tabId, frameId = 0] = key.split('-').map(Number);
      const tab = await browser.tabs.get(tabId).catch(() => null);
      const frame = tab && frameId !== 0 ? await browser.webNavigation.getFrame({ tabId, frameId }).catch(() => null) : tab;
      if (tab && frame && tab.status !== 'complete') return void registered.set(key, registered.get(key) ?? '');
      // Only the ids that are there: an id that is not fails the whole call.
      await browser.scripting.unregisterContentScripts({ ids }).catch(() => undefined);
    }),
  );
}

async function committed(d: WebNavigation.OnCommittedDetailsType): Promise<void> {
  const source = await sourceOf(d.tabId);
  if (source === undefined) return;
  const { snapshot } = await policy();
  if (findDestination(snapshot, d.url)) return; // guarded by its own URL (registered scripts)
  if (!(await guardedByLink(source))) return;
  const documentId = (d as { documentId?: string }).documentId;
  await injectGuard(d.tabId, [0], documentId ? [documentId] : undefined);
}

/**
 * A frame commits in a window whose top page is not guarded (frame-follow.ts handles guarded ones):
 * when that window is linked to a guarded page, the frame is guarded as its top window is. Its guard is
 * answered with its tab's links (main.ts withPaired), so the guarded page's service decides there.
 */
async function frameCommitted(d: WebNavigation.OnCommittedDetailsType): Promise<void> {
  if (d.tabId < 0) return;
  const source = await sourceOf(d.tabId);
  if (source === undefined) return;
  const { snapshot } = await policy();
  if (findDestination(snapshot, d.url)) return; // guarded by its own URL (registered scripts)
  const top = await topUrl(d.tabId);
  if (top && findDestination(snapshot, top)) return; // frame-follow.ts
  if (!(await guardedByLink(d.tabId))) return;
  const documentId = (d as { documentId?: string }).documentId;
  await injectGuard(d.tabId, [d.frameId], documentId ? [documentId] : undefined);
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
  // A guard may already run in the opener, put there before this pairing (the injection into a window a
  // guarded page opened without an opener, or another linked window's early registration for that host):
  // it asked then, was told its host is not guarded and stands aside, and guardTab finds it running and
  // leaves it. The policy pushed again makes it ask for its service again, now answered along this pair.
  if (mine && findDestination(snapshot, mine) && !(theirs && findDestination(snapshot, theirs))) void guardTab(source).then(() => pushSnapshot(source, snapshot));
}


/**
 * The top-page URLs of the windows linked with this tab, nearest first: those paired with it (its
 * opener, the windows it opened), then those paired with them in turn (a popup of a linked popup).
 */
export async function pairedUrls(tabId: number | undefined): Promise<string[]> {
  if (tabId === undefined) return [];
  const tabs = await linkedTabs(tabId, true);
  if (tabs.length === 0) return [];
  return (await Promise.all(tabs.map(topUrl))).filter((u): u is string => !!u);
}

function forget(tabId: number): Promise<void> {
  linkedWindows.delete(tabId);
  forgetHolds(tabId);
  closedTabs.add(tabId);
  void unregisterEarly(`${tabId}`);
  for (const key of registered.keys()) if (key.startsWith(`${tabId}-`)) void unregisterEarly(key);
  for (const key of loadedNav.keys()) if (key === `${tabId}` || key.startsWith(`${tabId}-`)) loadedNav.delete(key);
  return change(({ openedFrom, paired }) => {
    delete openedFrom[tabId];
    for (const other of paired[tabId] ?? []) paired[other] = (paired[other] ?? []).filter((t) => t !== tabId);
    delete paired[tabId];
  });
}
