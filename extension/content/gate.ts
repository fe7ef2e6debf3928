/**
 * The browser's side of the guard: binds the platform-free decision (src/guard) to this frame — the
 * scan worker, runtime messaging with the background, the preact dialog, the "checking…" indicator and
 * the clock — and hands the channel modules its synchronous checks, `decide` and `select`. No rule and
 * no policy lives here.
 */
import { BYTES_NAME, createGuard, type Item } from '../../src/guard/index.js';
import type { DecideResponse, Request, ServiceResponse } from '../shared/messages.js';
import { watchScan } from './checking.js';
import { loadUi, preloadUi, showWarning } from './load-ui.js';
import type { Subject } from './bridge.js';
import { keepKey, refuses, tellOrphaned } from './orphan.js';
import { firstSight, isReplay } from './replay.js';
import { orphaned, runtime } from './runtime.js';
import { encrypted, scan } from './scan-line.js';

export type { Item };

/** The background's answer, or a rejection when there is none (undefined: it did not handle the message). */
async function ask<T extends { version: string }>(m: Request): Promise<T> {
  const res = (await runtime.sendMessage(m)) as T | undefined;
  if (!res || typeof res.version !== 'string') throw Error(); // from the background (the guard retries, then refuses)
  return res;
}

export const guard = createGuard({
  // A scan that runs long shows the "checking…" indicator, fed by the scan's progress. A file to scan
  // may lead to a warning: the dialog loads while the scan runs.
  scan: (blob, name, opts) => (preloadUi(), watchScan(name === BYTES_NAME ? null : name, blob.size, (progress) => scan(blob, name, opts, progress))),
  encrypted,
  // Whether this window holds its opener: the background then judges it as the guarded page it was
  // opened by or opened (extension/background/window-follow.ts).
  fetchView: () => ask<ServiceResponse>({ type: 'service', url: location.href, opened: !!opener }).then(keepKey),
  decide: (req) => ask<DecideResponse>(req),
  resolve: async (req) => void (await runtime.sendMessage(req)),
  dispute: async (req) => {
    const res = (await runtime.sendMessage(req)) as { ok?: boolean } | undefined;
    if (!res?.ok) throw new Error('not recorded');
  },
  warn: showWarning,
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  frameUrl: () => location.href,
});

export const { nameVerdict, textVerdict, nameRefusalIsFinal } = guard;

/** Orphaned without a successor: what would be asked about is refused, with the reason (orphan.ts). */
const refusing = (): boolean => refuses(orphaned()) && tellOrphaned();

export const decide: typeof guard.decide = async (c, items) => !refusing() && guard.decide(c, items);
/** Text the employee is entering (typed, inserted, sent with Enter), asked about as the field's text. */
export const decideText = (text: string): Promise<boolean> => decide('text-field', [{ kind: 'text', text }]);
export const select: typeof guard.select = async (c, items) => (refusing() ? [] : guard.select(c, items));
/** An orphan trusts no earlier answer (false: ask, and be refused): it was given under a policy it can no longer confirm. */
export const knownAnswer: typeof guard.knownAnswer = (blob, name) => !orphaned() && guard.knownAnswer(blob, name);
/** Every file was judged before and allowed (the same files again): nothing to hold. */
export const allowedBefore = (files: File[]): boolean => files.every((f) => knownAnswer(f, f.name) === true);
/** Files as the guard's items, each named by its own name. */
export const fileItems = (files: File[]): Item[] => files.map((f) => ({ kind: 'file', blob: f, name: f.name }));

/**
 * An orphaned guard (its extension was updated or reloaded) keeps its channels closed until a new guard
 * is in the page, and then holds nothing: the new guard does.
 */
export const isGuarded = (): boolean => (orphaned() ? refuses(true) : guard.isGuarded());

/** An event of the page for the guard to judge: not one it dispatched itself, seen here first, in a guarded frame. */
export const judges = (e: Event): boolean => !isReplay(e) && firstSight(e) && isGuarded();

/**
 * What the hooks or a form hand over, as the guard's items: files at once; a text, a URL or page-made
 * bytes are read by the bundle loaded on first use (hook-items.ts: the text whole and decoded, the text a
 * URL carries, the documents encoded in a text or in bytes that are text), which its dialog needs anyway.
 */
export const itemsOf = async (subjects: Subject[]): Promise<Item[]> =>
  subjects.every((x) => x.kind === 'file') ? subjects.map((x) => ({ kind: 'file', blob: x.blob, name: x.name })) : (await loadUi()).itemsOf(subjects, guard.view()?.designated);
