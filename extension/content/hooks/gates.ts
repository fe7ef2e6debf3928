/**
 * From a thing a page sends to a gate: ready (nothing to wait for), or a Decision that comes later,
 * with `refusedNow` when the answer is already known to be no (a synchronous API can say so at once).
 *
 * Text is judged here, synchronously, by the shared scanner while the realm's built-ins are intact
 * (intact.ts); Blobs, and text the scanner here cannot be trusted with, go to the guard.
 */
import { keptIn } from './read-text.js';
import { nameMarks, textMarks } from '../../../src/detect/rules/verdicts.js';
import { ask, config } from './bridge-client.js';
import { blobsIn } from './carried.js';
import { allOf, NO, settle, whenDecided, YES, type Decision } from './decision.js';
import { intact } from './intact.js';
import { lineageOf, type Lineage } from './lineage.js';
import { cannotBeMarked, designatedText } from './quick.js';
import { formDataStart } from '../../../src/detect/form-data-line.js';
import { TRANSCODED } from '../../../src/guard/text-prefilter.js';
import { decodeRuns } from '../../../src/guard/url-text.js';
import {
  append,
  arrayJoin,
  BLOCKED,
  fileName,
  isFile,
  regExpExec,
  SafeBlob,
  SafePromise,
  SafeTypeError,
  SafeWeakMap,
  sequence,
  stringSlice,
  weakMapGet,
  weakMapSet,
} from './safe-self.js';
import { encodedIn, TEXT_CAP, textsOf } from './text.js';
import type { Channel } from '../../shared/messages.js';
import type { Designated } from '../../../src/detect/types.js';
import type { Subject } from '../bridge.js';

export type Gate = { ready: true } | { ready: false; refusedNow: boolean; decision: Decision };
export const READY: Gate = { ready: true };
export { BLOCKED };
/** A gate that waits for `decision`; `refusedNow`: already known to be refused (sent nothing meanwhile). */
export const waitFor = (decision: Decision, refusedNow = false): Gate => ({ ready: false, refusedNow, decision });
/** Known to be refused now (a marked name, or an answer already given): what a call that cannot wait throws for. */
export const refusedNow = (g: Gate): boolean => !g.ready && (g.refusedNow || (g.decision.settled && !g.decision.ok));
/** Waiting for `decision`, not known to be a no yet. */
export const later = (decision: Decision): Gate => waitFor(decision);

/** The decision a gate waits for (yes at once when it waits for none). */
export const decisionOf = (g: Gate): Decision => (g.ready ? YES : g.decision);
/** Settles `d` as `g` is decided. */
export const follow = (d: Decision, g: Gate): void => whenDecided(decisionOf(g), (ok) => settle(d, ok));

/**
 * What a Promise-returning API gives back for a call judged by `gate`: `run()`'s Promise at once when
 * nothing is awaited, else one that follows it once allowed (a throw rejects it), rejected on a no with
 * a TypeError saying `refused` (what the API itself rejects with on a failure).
 */
export function afterGate<T>(gate: Gate, run: () => Promise<T>, refused = BLOCKED): Promise<T> {
  if (gate.ready) return run();
  return new SafePromise<T>((resolve, reject) =>
    whenDecided(gate.decision, (ok) => {
      if (!ok) return reject(new SafeTypeError(refused));
      try {
        resolve(run());
      } catch (e) {
        reject(e);
      }
    }),
  );
}

/** One decision per Blob object: a chunked upload sends the same File (or its slices) many times. */
const decided: WeakMap<Blob, Decision> = new SafeWeakMap();
/** A File the guard let through already (a file input's, given back: pickers.ts), answered yes at once. */
export const passedFile = (f: File) => weakMapSet(decided, f, YES);

/** Rule 2 (and designated name patterns) need no bytes; judged here only while the scanner can be trusted. */
export function nameMarked(name: string): boolean {
  try {
    return intact() && nameMarks(name, config.policyDesignated);
  } catch {
    return false; // the guard judges the name again
  }
}

/** Gate for one Blob (a File, a piece or a copy of one, or bytes the page made). */
export function gateBlob(ch: Channel, b: Blob): Gate {
  const l = lineageOf(b);
  return l ? gateLineage(ch, l, b) : gateSource(ch, b);
}

/** A File, or a Blob judged by its own bytes: asked about once, whatever carries it later. */
function gateSource(ch: Channel, b: Blob): Gate {
  const name = isFile(b) ? fileName(b) : null;
  const refusedNow = name !== null && nameMarked(name);
  // Already asked (e.g. when it was appended to a FormData): share that answer.
  let decision = weakMapGet(decided, b);
  if (!decision) {
    decision = ask(ch, [name !== null ? { kind: 'file', blob: b, name } : { kind: 'bytes', blob: b }]);
    weakMapSet(decided, b, decision);
  }
  return waitFor(decision, refusedNow);
}

/**
 * What a derived Blob (or bytes, or a stream) carries: each source File's own decision (not read
 * again), the rest by its bytes, and, for a File made from them, its own name (a clean file re-wrapped
 * as 「秘—…」 is marked by that name; the name alone is asked about, its bytes are the sources').
 */
export function gateLineage(ch: Channel, l: Lineage, own?: Blob): Gate {
  const gates: Gate[] = [];
  for (let i = 0; i < l.files.length; i++) append(gates, gateSource(ch, l.files[i]));
  if (l.rest) append(gates, gateSource(ch, l.rest));
  if (own && isFile(own) && !namedAfterSource(own, l)) {
    const name = fileName(own);
    // Tampered realm: the guard judges the name (reading the bytes too, when the name passes).
    if (nameMarked(name) || !intact()) append(gates, gateSource(ch, own));
  }
  return combine(gates);
}

/** The same name as a source File: judged with that File already. */
function namedAfterSource(f: Blob, l: Lineage): boolean {
  const name = fileName(f as File);
  for (let i = 0; i < l.files.length; i++) if (isFile(l.files[i]) && fileName(l.files[i] as File) === name) return true;
  return false;
}

/**
 * The decoded text that carries a marking, also as its percent-escapes decode (`encodeURIComponent` in
 * a JSON value, a FormData field, a text/plain body: what the receiving end reads); '' for none; null
 * when the scanner here cannot be trusted, or the text is in an encoding only the guard decodes.
 */
function markedText(texts: string[], d: Partial<Designated> | undefined): string | null {
  try {
    if (!intact()) return null;
    for (let i = 0, t; i < texts.length; i++) {
      if (textMarks((t = texts[i]), d) || textMarks((t = decodeRuns(t)), d)) return t;
      // Mail's or a legacy page's encoding (`=E7=A7=98`, ISO-2022-JP, `%94%E9`): the guard decodes it.
      if (regExpExec(TRANSCODED, t)) return null;
    }
    return '';
  } catch {
    return null;
  }
}

/** `plain`: judged as the text it is, without the documents encoded in it (a URL a constructor decoded). */
export function gateText(ch: Channel, text: string, plain?: boolean): Gate {
  // A stretch of text read out of a File carries that File's decision, besides its own (read-text.ts).
  // The File is asked about first: the guard has it in hand when the text's decoded copy of it comes,
  // which waits for it (one dialog, naming the file).
  const l = keptIn(text);
  const file = l && gateLineage(ch, l);
  const own = textGate(ch, text, plain);
  return file ? combine([file, own]) : own;
}

function textGate(ch: Channel, text: string, plain?: boolean): Gate {
  // A multipart form, or a document encoded in the text (a data: URL…): the guard reads it.
  const d = config.policyDesignated;
  const form = formDataIn(text) ?? (plain ? null : encodedIn(text, !d || designatedText(d, true)));
  if (cannotBeMarked(text, d)) return form ? later(ask(ch, [form])) : READY; // most bodies: no scan, no realm check
  const texts = textsOf(text);
  // Longer than one scan reads (a 4 MB log with the stamp on its last line): the guard reads it whole.
  const marked = text.length > TEXT_CAP ? null : markedText(texts, d);
  if (marked === '') return form ? later(ask(ch, [form])) : READY;
  // The guard gets the decoded text (the prompt itself, not its JSON), so an approval given for the
  // prompt in the Enter-key dialog covers the request that carries it. When the realm was tampered
  // with, or the text is too long, it gets every decoded form and reads them itself (hook-items.ts).
  // (One question with the form's parts: one dialog.)
  const subjects: Subject[] = [{ kind: 'text', text: marked ?? arrayJoin(texts, '\n') }];
  if (form) append(subjects, form);
  return waitFor(ask(ch, subjects), marked !== null);
}

/**
 * A multipart form upload sent as text, whatever its Content-Type says: its file parts carry names
 * (rule 2) that no text scan looks at. From its first delimiter line on, it goes to the guard as bytes,
 * whose scan reads it part by part (src/detect/extract/form-data.ts).
 */
function formDataIn(text: string): Subject | null {
  const start = formDataStart(text, regExpExec);
  return start && { kind: 'bytes', blob: new SafeBlob(sequence([stringSlice(text, start.at)])) };
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
  return !waiting.length ? READY : waitFor(allOf(waiting), refusedNow);
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
  if (!blobs) return waitFor(NO, true); // cannot tell what it carries
  const gates: Gate[] = [];
  for (let i = 0; i < blobs.length; i++) {
    const l = lineageOf(blobs[i]);
    if (!filesOnly) append(gates, gateBlob(ch, blobs[i]));
    else if (l) append(gates, gateLineage(ch, { files: l.files, rest: null }, blobs[i]));
    else if (isFile(blobs[i])) append(gates, gateSource(ch, blobs[i]));
  }
  return combine(gates);
}
