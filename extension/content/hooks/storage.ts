/**
 * Storage a Service Worker or another tab reads, then uploads from where no hook runs: IndexedDB and
 * Cache Storage. A File (or a piece of one) put there carries the same decision as a network upload;
 * Blobs the page downloaded (mail and attachments cached for offline use) are not judged here.
 * - IndexedDB put/add cannot wait (its transaction commits when idle): a refusal known now throws
 *   DataCloneError; an answer still coming keeps the transaction busy with small reads until it comes,
 *   then lets it commit, or aborts it (nothing written) on a refusal. An explicit commit() waits too.
 * - Cache.put returns a Promise: it waits for the decisions on the Files the Response was made from.
 */
import { replaceMethod } from './accessors.js';
import { guardMethod, unguarded } from './bridge-client.js';
import { whenDecided, type Decision } from './decision.js';
import { afterGate, carriedGate, gateLineage, READY, refusedNow, type Gate, BLOCKED } from './gates.js';
import { lineageOf, tracking } from './lineage.js';
import {
  addListener,
  apply,
  idbRequestTransaction,
  idbStoreCount,
  idbTransactionAbort,
  SafeDOMException,
  SafeWeakMap,
  weakMapGet,
  weakMapSet,
  protoOf,
  IDB_STORE,
  IDB_TX,
} from './safe-self.js';

type Win = Window & typeof globalThis;

export function hookStorage(w: Win): void {
  hookIndexedDb(w);
  hookCache(w);
  hookHistory(w);
}

/**
 * `history.pushState(state)` / `replaceState(state)`: the browser stores a structured clone of the
 * state, and `history.state` (or a `popstate` event) hands out that copy, a new Blob with no link to
 * the File it was derived from. Which entry's copy is read back (back and forward) cannot be told, so
 * the state is judged as it is stored, like an IndexedDB write: one carrying a File refused now
 * (marked by its name, or already refused) throws DataCloneError. A file still being judged is stored:
 * its copy is read by its bytes where it is sent (what a name-marked file's copy would escape is
 * known at once).
 */
const cloneError = () => new SafeDOMException(BLOCKED, 'DataCloneError');

function hookHistory(w: Win): void {
  const H = protoOf('History', w) as Record<string, (...a: unknown[]) => void>;
  for (const m of ['pushState', 'replaceState']) {
    replaceMethod(H, m, (f) => function (this: History, ...a: unknown[]) {
      // Nothing derived from a File yet: a copy of the state's Files is judged as they are.
      if (!unguarded() && tracking.on && refusedNow(carriedGate('storage', a[0], true))) throw cloneError();
      return apply(f, this, a);
    });
  }
}

function hookIndexedDb(w: Win): void {
  const Store = protoOf(IDB_STORE, w) as Record<string, (...a: unknown[]) => IDBRequest> | undefined;
  /** Transactions waiting for a decision: their commit() is deferred. */
  const waiting: WeakMap<IDBTransaction, Decision> = new SafeWeakMap();
  for (const m of ['put', 'add']) {
    guardMethod(Store, m, function (this: IDBObjectStore, original, a) {
      const gate = carriedGate('storage', a[0], true);
      if (gate.ready || (gate.decision.settled && gate.decision.ok)) return apply(original, this, a);
      if (refusedNow(gate)) throw cloneError();
      const req = apply(original, this, a) as IDBRequest;
      const tx = idbRequestTransaction(req);
      if (tx) holdTransaction(this, tx, gate.decision, waiting);
      return req;
    });
  }
  replaceMethod(protoOf(IDB_TX, w), 'commit', (commit) => function (this: IDBTransaction) {
    const d = weakMapGet(waiting, this);
    if (d && !d.settled) return; // it commits by itself once the decision lets it go idle
    return apply(commit, this, []);
  });
}

/** Keeps `tx` active with one small read after another until `d` is decided; aborts it on a no. */
function holdTransaction(store: IDBObjectStore, tx: IDBTransaction, d: Decision, waiting: WeakMap<IDBTransaction, Decision>): void {
  weakMapSet(waiting, tx, d);
  let refused = false;
  whenDecided(d, (ok) => (refused = !ok));
  const tick = (): void => {
    if (refused) {
      try {
        idbTransactionAbort(tx);
      } catch {
        /* already finished or aborted */
      }
      return;
    }
    if (d.settled) return; // allowed: the transaction goes idle and commits
    try {
      addListener(idbStoreCount(store), 'success', tick);
    } catch {
      /* the transaction ended (the page aborted it) */
    }
  };
  tick();
}

function hookCache(w: Win): void {
  replaceMethod(protoOf('Cache', w), 'put', (put) => function (this: Cache, ...a: unknown[]) {
    // A Response carries the lineage of the body it was made with (derived.ts): the Files it stores.
    const l = lineageOf(a[1]);
    const gate: Gate = unguarded() || !l ? READY : gateLineage('storage', { files: l.files, rest: null });
    return afterGate(gate, () => apply(put, this, a));
  });
}
