/**
 * The old guard in an open tab stands aside for the new version's guard only on proof: its own key
 * (shared/messages.ts GUARD_KEY), which lives in its isolated world and nowhere a page can read.
 *
 * Chromium gives an updated extension new isolated worlds, so the old guard cannot see the new one.
 * Right before it applies an update (update.ts), the old background reads each running guard's key
 * from its world and keeps them in extension storage (session storage does not outlive the update).
 * The new background, having injected its guard into a frame (registration.ts guardTab), posts that
 * frame's old key into the page; the old guard, seeing its key, hands its page hooks' line over and
 * stands aside. Without a key (the extension reloaded another way) the old guard keeps refusing, with
 * its notice to reload the page: closed, never open.
 */
import browser from 'webextension-polyfill';
import { GUARD_STARTED } from '../content/bridge.js';
import { GUARD_KEY } from '../shared/messages.js';

const KEYS = 'predecessorKeys';

interface Kept {
  documentId: string;
  key: string;
}

/** Each frame of each tab that runs a guard of this version: its document and key. Before an update. */
export async function keepGuardKeys(): Promise<void> {
  const kept: Kept[] = [];
  for (const tab of await browser.tabs.query({})) {
    if (tab.id === undefined) continue;
    const tabId = tab.id;
    // Frame by frame: one frame no script may enter (the tab's scan frame) must not lose the others' keys.
    const frames = (await browser.webNavigation.getAllFrames({ tabId }).catch(() => null)) ?? [];
    const results = await Promise.all(
      frames.map((f) =>
        browser.scripting
          .executeScript({
            target: { tabId, frameIds: [f.frameId] },
            func: (name: string) => (globalThis as unknown as Record<string, unknown>)[name],
            args: [GUARD_KEY],
          })
          .then(
            (r) => r[0] as { documentId?: string; result?: unknown } | undefined,
            () => undefined,
          ),
      ),
    );
    for (const [i, r] of results.entries()) {
      const documentId = r?.documentId ?? (frames[i] as { documentId?: string }).documentId;
      if (typeof r?.result === 'string' && documentId) kept.push({ documentId, key: r.result });
    }
  }
  await browser.storage.local.set({ [KEYS]: kept });
}

/** Read once per run of the new version, and removed: a key serves one hand-over only. */
let kept: Promise<Map<string, string>> | null = null;
function predecessors(): Promise<Map<string, string>> {
  kept ??= browser.storage.local.get(KEYS).then(async (r) => {
    await browser.storage.local.remove(KEYS);
    return new Map(((r[KEYS] as Kept[] | undefined) ?? []).map((k) => [k.documentId, k.key]));
  });
  return kept;
}

/** The new guard is in these documents: the old guard there (if any) gets its key, and stands aside. */
export async function handOver(tabId: number, documentIds: string[]): Promise<void> {
  const keys = await predecessors();
  await Promise.all(
    documentIds.flatMap((documentId) => {
      const key = keys.get(documentId);
      if (!key) return [];
      return browser.scripting
        .executeScript({
          target: { tabId, documentIds: [documentId] } as { tabId: number },
          func: (tag: string, k: string) => window.postMessage({ [tag]: k }, '*'),
          args: [GUARD_STARTED, key],
        })
        .catch(() => undefined);
    }),
  );
}
