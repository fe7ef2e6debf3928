/**
 * The old guard in an open tab stands aside for the new generation's guard only on proof: its key,
 * which lives in its isolated world and nowhere a page can read.
 *
 * Chromium gives an extension that was updated, reloaded (runtime.reload, a restart after a crash) or
 * disabled and enabled again new isolated worlds, so the old guard cannot see the new one. None of
 * these leaves the old background a reliable moment to prepare, so the key is one every generation can
 * work out again: a keyed hash of the frame's document ID (which the browser gives the background with
 * every message and every frame, and keeps across the restart) under a secret kept in extension storage.
 * Each guard is told its key with its first answer (the service question, main.ts); the new background,
 * having injected its guard into a frame (registration.ts guardTab), posts that frame's key into the
 * page; the old guard, seeing its key, hands its page hooks' line over and stands aside. The key is
 * seen by the page only then, once the guard it opens has stood aside, and it opens no other document.
 * Without a key (a guard that never got its answer, or Firefox, which gives no document IDs) the old
 * guard keeps refusing, with its notice to reload the page: closed, never open.
 */
import browser from 'webextension-polyfill';
import { GUARD_STARTED } from '../content/bridge.js';

const SECRET = 'guardKeySecret';
/** Keys the version before this scheme kept right before it applied an update (its guards' own random keys). */
const LEGACY = 'predecessorKeys';

let hmac: Promise<CryptoKey> | null = null;

/** The secret, made once per install; storage.local outlives updates, reloads and restarts. */
function secret(): Promise<CryptoKey> {
  hmac ??= (async () => {
    let raw = (await browser.storage.local.get(SECRET))[SECRET] as string | undefined;
    if (typeof raw !== 'string') {
      raw = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
      await browser.storage.local.set({ [SECRET]: raw });
    }
    return crypto.subtle.importKey('raw', new TextEncoder().encode(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  })().catch((e: unknown) => {
    hmac = null;
    throw e;
  });
  return hmac;
}

/** The key of the guard in this document (undefined without a document ID). */
export async function guardKey(documentId: string | undefined): Promise<string | undefined> {
  if (!documentId) return undefined;
  const mac = await crypto.subtle.sign('HMAC', await secret(), new TextEncoder().encode(documentId));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
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
  await Promise.all(
    documentIds.map(async (documentId) => {
      const keys = [await guardKey(documentId), old.get(documentId)].filter((k): k is string => !!k);
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
