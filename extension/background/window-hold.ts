/**
 * A document in a window linked to a guarded page (window-follow.ts) fails closed at the network until
 * its guard and page hooks are in it.
 *
 * Its scripts come from a registration made when its navigation starts, or from an injection at its
 * commit: both can come after the page's first scripts, and a page that posts the File the moment the
 * window (or a frame in it) says it is ready got it uploaded before the hooks were there (issue 15,
 * WINDOW_RACE). So from the start of such a navigation until the injection at its commit has run (the
 * guard and the hooks are then in that document, put there now or found running), a declarativeNetRequest
 * session rule blocks, in that tab, every request that can carry a body (any method but GET, HEAD and
 * OPTIONS, of any type, a form's navigation included) and every WebSocket and WebTransport, made by a
 * document on the host being navigated to. Chromium matches it in the browser process, so nothing waits
 * for this worker, and the guarded page's own requests (another initiator) are not touched.
 *
 * What the page sends in that moment fails (a clean upload too): fail closed. What it sends later the
 * hooks judge; the guard's first question is answered only once the hold is gone (main.ts), so an upload
 * the guard lets go does not meet the rule. A document whose injection failed while it still shows keeps
 * the hold until its frame navigates again or the tab closes.
 *
 * Only the package with the network layer holds the permission (vite.config.ts NETWORK_LAYER=off): the
 * other one keeps the race.
 */

type Rule = chrome.declarativeNetRequest.Rule;

/** The host each held frame's document is loading from, and the navigation it was held for, by frame id. */
const held = new Map<number, Map<number, { host: string; nav: number }>>();
/**
 * Navigations in order, by `tab-frame`: the last one started (noted as its event comes, before anything is
 * awaited) and the last one ended (committed and guarded, or failed). A commit or failure releases only a
 * hold made for that navigation or an earlier one: the commit of `open('')`'s empty document, settled
 * after the window's next navigation was held, must not release it.
 */
const startedNav = new Map<string, { nav: number; url: string }>();
const endedNav = new Map<string, number>();
let navs = 0;
const keyOf = (tabId: number, frameId: number) => `${tabId}-${frameId}`;

/** A navigation starts in this frame (webNavigation.onBeforeNavigate, noted synchronously). */
export function navigationStarts(tabId: number, frameId: number, url: string): void {
  startedNav.set(keyOf(tabId, frameId), { nav: ++navs, url });
}

/** The navigation a commit or a failure in this frame ends, read when its event comes. */
export const lastStarted = (tabId: number, frameId: number): number => startedNav.get(keyOf(tabId, frameId))?.nav ?? 0;

/** The URL the frame's last navigation started for. */
export const lastStartedUrl = (tabId: number, frameId: number): string | undefined => startedNav.get(keyOf(tabId, frameId))?.url;

/** Who waits for a frame's hold to go (the guard's first question), by `tab-frame`. */
const waiting = new Map<string, (() => void)[]>();

const dnr = () => globalThis.chrome?.declarativeNetRequest;

/**
 * Two rules per tab, their ids kept for the tab while it lives, so that one update replaces a tab's rules
 * whole (tab ids can be larger than a rule id may be).
 */
const tabRules = new Map<number, [number, number]>();
let lastId = 0;
function ids(tabId: number): [number, number] {
  let r = tabRules.get(tabId);
  if (!r) tabRules.set(tabId, (r = [++lastId, ++lastId]));
  return r;
}

const ALL_TYPES = [
  'main_frame', 'sub_frame', 'stylesheet', 'script', 'image', 'font', 'object', 'xmlhttprequest', 'ping', 'csp_report',
  'media', 'websocket', 'webtransport', 'webbundle', 'other',
] as const;

function rules(tabId: number, hosts: string[]): Rule[] {
  const [a, b] = ids(tabId);
  const block = { type: 'block' as chrome.declarativeNetRequest.RuleActionType };
  const common = { tabIds: [tabId], initiatorDomains: hosts };
  return [
    {
      id: a,
      priority: 1,
      action: block,
      condition: {
        ...common,
        excludedRequestMethods: ['get', 'head', 'options'] as chrome.declarativeNetRequest.RequestMethod[],
        resourceTypes: [...ALL_TYPES] as chrome.declarativeNetRequest.ResourceType[],
      },
    },
    { id: b, priority: 1, action: block, condition: { ...common, resourceTypes: ['websocket', 'webtransport'] as chrome.declarativeNetRequest.ResourceType[] } },
  ];
}

/**
 * Updates one after another, the first being the sweep: a previous run of the worker may have left rules
 * whose release it can no longer make (it was stopped before the document's commit), and a rule left in
 * place would block that tab's uploads to that host until the browser closes.
 */
let queue: Promise<void> | null = null;

function queued(fn: (d: NonNullable<ReturnType<typeof dnr>>) => Promise<void>): Promise<void> {
  const d = dnr();
  if (!d?.updateSessionRules) return Promise.resolve();
  queue = (queue ?? sweep(d))
    .then(() => fn(d))
    .catch((e: unknown) => console.warn('[upload-guard] the hold of a linked window was not updated:', String(e)));
  return queue;
}

async function sweep(d: NonNullable<ReturnType<typeof dnr>>): Promise<void> {
  const stale = (await d.getSessionRules()).map((r) => r.id);
  if (stale.length > 0) await d.updateSessionRules({ removeRuleIds: stale });
}

/** Puts the tab's rules as its held documents say (none when it holds none). */
const update = (tabId: number): Promise<void> =>
  queued(async (d) => {
    const hosts = [...new Set([...(held.get(tabId)?.values() ?? [])].map((h) => h.host))];
    await d.updateSessionRules({ removeRuleIds: ids(tabId), addRules: hosts.length > 0 ? rules(tabId, hosts) : [] });
  });

/** At worker start: rules of an earlier run go (see queued). */
export const sweepHolds = (): Promise<void> => queued(async () => undefined);

/**
 * A linked document starts loading from `host` in this frame: held until its navigation ends. Resolves
 * once the rule is in place. Nothing is held for a navigation that has ended already (the worker was slow).
 */
export function hold(tabId: number, frameId: number, host: string): Promise<void> {
  if (tabId < 0 || !dnr()?.updateSessionRules) return Promise.resolve();
  const nav = lastStarted(tabId, frameId);
  if ((endedNav.get(keyOf(tabId, frameId)) ?? -1) >= nav) return Promise.resolve();
  const frames = held.get(tabId) ?? new Map<number, { host: string; nav: number }>();
  held.set(tabId, frames);
  const same = frames.get(frameId)?.host === host;
  frames.set(frameId, { host, nav });
  return same ? (queue ?? Promise.resolve()) : update(tabId);
}

/** Whether this frame of this tab is held. */
export const isHeld = (tabId: number, frameId: number): boolean => held.get(tabId)?.has(frameId) === true;

/**
 * Navigation `nav` of this frame ended: committed and its document guarded (or found to need no guard),
 * or failed. Its hold, or an earlier one's, goes.
 */
export function release(tabId: number, frameId: number, nav: number): Promise<void> {
  const key = keyOf(tabId, frameId);
  endedNav.set(key, Math.max(endedNav.get(key) ?? 0, nav));
  const frames = held.get(tabId);
  const h = frames?.get(frameId);
  if (!frames || !h || h.nav > nav) return Promise.resolve();
  frames.delete(frameId);
  if (frames.size === 0) held.delete(tabId);
  return update(tabId).then(() => {
    for (const fn of waiting.get(key) ?? []) fn();
    waiting.delete(key);
  });
}

/**
 * Resolves when the frame is not held (at once, nearly always), or after `ms`: the guard's question is
 * answered then anyway, and whatever its page sends while the hold lasts is still blocked.
 */
export function unheld(tabId: number | undefined, frameId: number | undefined, ms = 3000): Promise<void> {
  if (tabId === undefined || frameId === undefined || !isHeld(tabId, frameId)) return Promise.resolve();
  const key = keyOf(tabId, frameId);
  return new Promise((resolve) => {
    waiting.set(key, [...(waiting.get(key) ?? []), resolve]);
    setTimeout(resolve, ms);
  });
}

/** The tab closed: its holds go with it. */
export function forgetHolds(tabId: number): void {
  for (const key of [...startedNav.keys(), ...endedNav.keys()]) {
    if (!key.startsWith(`${tabId}-`)) continue;
    startedNav.delete(key);
    endedNav.delete(key);
  }
  if (!held.delete(tabId)) return;
  void update(tabId).then(() => tabRules.delete(tabId));
  for (const [key, fns] of waiting) {
    if (!key.startsWith(`${tabId}-`)) continue;
    waiting.delete(key);
    fns.forEach((fn) => fn());
  }
}
