/**
 * The old guard in an open tab stands aside for the new generation's guard only on proof: its key,
 * which lives in its isolated world and nowhere a page can read.
 *
 * Chromium gives an extension that was updated, reloaded (runtime.reload, a restart after a crash) or
 * disabled and enabled again new isolated worlds, so the old guard cannot see the new one. None of
 * these leaves the old background a reliable moment to prepare, so the key is one the next generation
 * can work out again: a keyed hash of the frame's document ID (which the browser gives the background
 * with every message and every frame, and keeps across the restart) under the random ID of the run of
 * the extension that told it (a generation, kept in extension storage). Each guard is told its key with
 * its first answer (the service question, main.ts); the new background, having injected its guard into
 * a frame (registration.ts guardTab), posts that frame's keys of the last generations into the page; the
 * old guard, seeing its key, hands its page hooks' line over and stands aside.
 *
 * The page sees a key only then, once the guard it opens has stood aside; it opens no other document and
 * no later guard (the next guard in the same document has the next generation's key). Without a key (a
 * guard that never got its answer, or Firefox, which gives no document IDs) the old guard keeps
 * refusing, with its notice to reload the page: closed, never open.
 */
import browser from 'webextension-polyfill';
import { GUARD_STARTED } from '../content/bridge.js';

/** This run's generation (session storage is emptied exactly when guards are orphaned). */
const GENERATION = 'guardGeneration';
/** The latest generations, newest first: a tab may hold a guard some restarts old (Chromium only). */
const GENERATIONS = 'guardGenerations';
const KEPT_GENERATIONS = 4;
/** Keys the version before this scheme kept right before it applied an update (its guards' own random keys). */
const LEGACY = 'predecessorKeys';

interface Generations {
  current: string;
  earlier: string[];
}

let known: Promise<Generations> | null = null;

/** This run's generation (made on first need) and the ones before it. */
function generations(): Promise<Generations> {
  known ??= (async () => {
    const now = (await browser.storage.session.get(GENERATION))[GENERATION] as string | undefined;
    const all = ((await browser.storage.local.get(GENERATIONS))[GENERATIONS] as string[] | undefined) ?? [];
    // The service worker stopped and started again within one run: same generation, same keys.
    if (typeof now === 'string') return { current: now, earlier: all.filter((g) => g !== now) };
    const current = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
    await browser.storage.local.set({ [GENERATIONS]: [current, ...all].slice(0, KEPT_GENERATIONS) });
    await browser.storage.session.set({ [GENERATION]: current });
    return { current, earlier: all };
  })().catch((e: unknown) => {
    known = null;
    throw e;
  });
  return known;
}

/** Each generation's HMAC key, imported once (every frame's service answer and every hand-over signs with one). */
const hmacKeys = new Map<string, Promise<CryptoKey>>();

async function keyOf(generation: string, documentId: string): Promise<string> {
  let hmac = hmacKeys.get(generation);
  if (!hmac) hmacKeys.set(generation, (hmac = crypto.subtle.importKey('raw', new TextEncoder().encode(generation), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])));
  const mac = await crypto.subtle.sign('HMAC', await hmac, new TextEncoder().encode(documentId));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

/** The key of this run's guard in this document (undefined without a document ID). */
export async function guardKey(documentId: string | undefined): Promise<string | undefined> {
  return documentId ? keyOf((await generations()).current, documentId) : undefined;
}

/** Read once per run, and removed: a legacy key serves one hand-over only. */
let legacy: Promise<Map<string, string>> | null = null;
function legacyKeys(): Promise<Map<string, string>> {
  legacy ??= browser.storage.local.get(LEGACY).then(async (r) => {
    await browser.storage.local.remove(LEGACY);
    return new Map(((r[LEGACY] as { documentId: string; key: string }[] | undefined) ?? []).map((k) => [k.documentId, k.key]));
  });
  return legacy;
}

/** The new guard is in these documents: the old guard there (if any) is shown its key, and stands aside. */
export async function handOver(tabId: number, documentIds: string[]): Promise<void> {
  const old = await legacyKeys().catch(() => new Map<string, string>());
  const { earlier } = await generations();
  await Promise.all(
    documentIds.map(async (documentId) => {
      const keys = [...(await Promise.all(earlier.map((g) => keyOf(g, documentId)))), old.get(documentId)].filter((k): k is string => !!k);
      await browser.scripting
        .executeScript({
          target: { tabId, documentIds: [documentId] } as { tabId: number },
          func: (tag: string, ks: string[]) => ks.forEach((k) => window.postMessage({ [tag]: k }, '*')),
          args: [GUARD_STARTED, keys],
        })
        .catch(() => undefined);
    }),
  );
}
