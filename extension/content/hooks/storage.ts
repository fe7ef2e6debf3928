/**
 * Storage a Service Worker or another tab reads, then uploads from where no hook runs: IndexedDB and
 * Cache Storage. A File (or a piece of one) put there carries the same decision as a network upload;
 * Blobs the page downloaded (mail and attachments cached for offline use) are not judged here.
 * - IndexedDB put/add cannot wait (its transaction commits when idle): a refusal known now throws
 *   DataCloneError; an answer still coming keeps the transaction busy with small reads until it comes,
 *   then lets it commit, or aborts it (nothing written) on a refusal. An explicit commit() waits too.
 * - Cache.put returns a Promise: it waits for the decision on the Blob the Response was made from.
 */
import { replaceConstructor } from './accessors.js';
import { unguarded } from './bridge-client.js';
import { whenDecided, type Decision } from './decision.js';
import { afterGate, carriedGate, READY, type Gate, BLOCKED } from './gates.js';
import { inherited, lineageOf, link } from './lineage.js';
import {
  addListener,
  apply,
  construct,
  idbRequestTransaction,
  idbStoreCount,
  idbTransactionAbort,
  isBlob,
  SafeDOMException,
  SafeTypeError,
  SafeWeakMap,
  weakMapGet,
  weakMapSet,
  isFn,
  protoOf,
  IDB_STORE,
  IDB_TX,
} from './safe-self.js';

type Win = Window & typeof globalThis;

export function hookStorage(w: Win): void {
  hookIndexedDb(w);
  hookCache(w);
}

function hookIndexedDb(w: Win): void {
  const Store = protoOf(IDB_STORE, w) as Record<string, (...a: unknown[]) => IDBRequest> | undefined;
  if (!Store) return;
  /** Transactions waiting for a decision: their commit() is deferred. */
  const waiting: WeakMap<IDBTransaction, Decision> = new SafeWeakMap();
  for (const m of ['put', 'add']) {
    const original = Store[m];
    Store[m] = function (this: IDBObjectStore, ...a: unknown[]) {
      if (unguarded()) return apply(original, this, a);
      const gate = carriedGate('storage', a[0], true);
      if (gate.ready || (gate.decision.settled && gate.decision.ok)) return apply(original, this, a);
      if (gate.decision.settled || gate.refusedNow) throw new SafeDOMException(BLOCKED, 'DataCloneError');
      const req = apply(original, this, a);
      const tx = idbRequestTransaction(req);
      if (tx) holdTransaction(this, tx, gate.decision, waiting);
      return req;
    };
  }
  const Tx = protoOf(IDB_TX, w) as Record<string, (...a: unknown[]) => void> | undefined;
  const commit = Tx?.commit;
  if (Tx && isFn(commit)) {
    Tx.commit = function (this: IDBTransaction) {
      const d = weakMapGet(waiting, this);
      if (d && !d.settled) return; // it commits by itself once the decision lets it go idle
      return apply(commit, this, []);
    };
  }
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
  const Resp = w.Response;
  const CacheProto = protoOf('Cache', w) as Record<string, (...a: unknown[]) => Promise<void>> | undefined;
  if (!Resp || !CacheProto) return;
  /** Response → the Blob its body was made from, so Cache.put knows which file it stores. */
  const madeFrom: WeakMap<object, Blob> = new SafeWeakMap();
  replaceConstructor(w, 'Response', (Original, a, newTarget) => {
    const r = construct(Original, a, newTarget);
    if (isBlob(a[0])) weakMapSet(madeFrom, r, a[0]);
    // What is read back from it (blob(), arrayBuffer(), its stream) carries its body's sources.
    link(r, isBlob(a[0]) ? inherited(a[0]) : lineageOf(a[0]));
    return r;
  });

  const put = CacheProto.put;
  CacheProto.put = function (this: Cache, ...a: unknown[]) {
    const body = a[1] !== null && typeof a[1] === 'object' ? weakMapGet(madeFrom, a[1]) : undefined;
    const gate: Gate = unguarded() || !body ? READY : carriedGate('storage', body, true);
    return afterGate(gate, () => apply(put, this, a), () => new SafeTypeError(BLOCKED));
  };
}
