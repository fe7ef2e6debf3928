/**
 * From a thing a page sends to a gate: ready (nothing to wait for), or a Decision that comes later,
 * with `refusedNow` when the answer is already known to be no (a synchronous API can say so at once).
 *
 * Text is judged here, synchronously, by the shared scanner while the realm's built-ins are intact
 * (intact.ts); Blobs, and text the scanner here cannot be trusted with, go to the guard.
 */
import { checkName, scanText } from '../../../src/detect/rules/verdicts.js';
import { ask, config } from './bridge-client.js';
import { blobsIn } from './carried.js';
import { allOf, NO, type Decision } from './decision.js';
import { intact } from './intact.js';
import { cannotBeMarked } from './quick.js';
import { append, arrayJoin, fileName, isFile, SafeWeakMap, stringSlice, weakMapGet, weakMapSet } from './safe-self.js';
import { TEXT_CAP, textsOf } from './text.js';
import type { Channel } from '../../shared/messages.js';

export type Gate = { ready: true } | { ready: false; refusedNow: boolean; decision: Decision };
export const READY: Gate = { ready: true };

/** One decision per Blob object: a chunked upload sends the same File (or its slices) many times. */
const decided: WeakMap<Blob, Decision> = new SafeWeakMap();
/** slice → the Blob it was cut from, so every chunk of a resumable upload shares the file's decision. */
export const parentOf: WeakMap<Blob, Blob> = new SafeWeakMap();

function rootOf(b: Blob): Blob {
  let cur = b;
  for (let p = weakMapGet(parentOf, cur); p; p = weakMapGet(parentOf, cur)) cur = p;
  return cur;
}

/** Rule 2 (and designated name patterns) need no bytes; judged here only while the scanner can be trusted. */
function nameMarked(name: string): boolean {
  try {
    return intact() && checkName(name, config.designated) !== null;
  } catch {
    return false; // the guard judges the name again
  }
}

/** Gate for one Blob (a File, a slice of one, or bytes the page made). */
export function gateBlob(ch: Channel, b: Blob): Gate {
  const root = rootOf(b);
  const name = isFile(root) ? fileName(root) : null;
  const refusedNow = name !== null && nameMarked(name);
  // Already asked (e.g. when it was appended to a FormData): share that answer.
  let decision = weakMapGet(decided, root);
  if (!decision) {
    decision = ask(ch, [name !== null ? { kind: 'file', blob: root, name } : { kind: 'bytes', blob: root }]);
    weakMapSet(decided, root, decision);
  }
  return { ready: false, refusedNow, decision };
}

/** The decoded text that carries a marking; '' for none; null when the scanner here cannot be trusted. */
function markedText(texts: string[]): string | null {
  try {
    if (!intact()) return null;
    for (let i = 0; i < texts.length; i++) if (scanText(texts[i], config.designated).verdict === 'marked') return texts[i];
    return '';
  } catch {
    return null;
  }
}

export function gateText(ch: Channel, text: string): Gate {
  if (cannotBeMarked(text, config.designated)) return READY; // most bodies: no scan, no realm check
  const texts = textsOf(text);
  const marked = markedText(texts);
  if (marked === '') return READY;
  // The guard gets the decoded text (the prompt itself, not its JSON), so an approval given for the
  // prompt in the Enter-key dialog covers the request that carries it. When the realm was tampered
  // with, it gets every decoded form and judges them itself.
  const subject = marked ?? arrayJoin(texts, '\n');
  return { ready: false, refusedNow: marked !== null, decision: ask(ch, [{ kind: 'text', text: stringSlice(subject, 0, TEXT_CAP) }]) };
}

export function combine(gates: Gate[]): Gate {
  const waiting: Decision[] = [];
  let refusedNow = false;
  for (let i = 0; i < gates.length; i++) {
    const g = gates[i];
    if (g.ready) continue;
    append(waiting, g.decision);
    refusedNow = refusedNow || g.refusedNow;
  }
  return waiting.length === 0 ? READY : { ready: false, refusedNow, decision: allOf(waiting) };
}

/**
 * The decision for handing `v` to another context (a worker, a frame, storage) that can upload it where
 * no hook runs: each File's and Blob's, like a network upload; with `filesOnly`, Files (and pieces of
 * them) only, for storage, where pages cache what they downloaded. (Strings are not judged here: pages hand
 * received mail and documents to workers and caches all the time; text the employee enters is judged
 * where it enters, text-watch.ts and typing.ts.)
 */
export function carriedGate(ch: Channel, v: unknown, filesOnly = false): Gate {
  const blobs = blobsIn(v);
  if (blobs === null) return { ready: false, refusedNow: true, decision: NO }; // cannot tell what it carries
  const gates: Gate[] = [];
  for (let i = 0; i < blobs.length; i++) if (!filesOnly || isFile(rootOf(blobs[i]))) append(gates, gateBlob(ch, blobs[i]));
  return combine(gates);
}
