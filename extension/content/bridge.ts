/**
 * The private line between the MAIN-world page hooks and the ISOLATED-world guard.
 *
 * Both scripts run at document_start, before any page script. The MAIN world creates a MessageChannel
 * and posts one port to its own window with a tagged message. The guard's capture listener on
 * `window` was registered before any page script could register one, so it runs first, takes the port
 * and stops the event: page listeners never see the port. The guard accepts one handshake per frame,
 * so a page cannot replace the line later, and the hooks only ever listen on their own port.
 *
 * This module is imported by both worlds: no extension APIs here.
 */
import type { Channel } from '../shared/messages.js';
import type { Designated } from '../../src/detect/types.js';

/** Tag of the one handshake message on `window`. */
export const HANDSHAKE = '__upload_guard_port__';
/**
 * Tag of the message an orphaned guard (its extension updated or reloaded) posts to hand its line to
 * the page hooks over to the new guard: the hooks stay as they are and ask the new guard from then on.
 */
export const HANDOVER = '__upload_guard_handover__';
/** Tag of the message carrying an orphaned guard's key, posted once its successor is in the page (background/succession.ts): it hands over. */
export const GUARD_STARTED = '__upload_guard_started__';
/** Event a MAIN-world hook dispatches from a file input the guard cannot otherwise reach (detached). */
export const ADOPT_EVENT = '__upload_guard_adopt__';
/**
 * `detail` of the guard's replayed drop when the whole drop passed: the hooks then give the page the
 * real drop's items (entries, handles) again. A page forging it gets entries whose reads are gated.
 */
export const WHOLE_DROP = 0x5547;

/** Something a hook wants to send. Blobs and Files are structured-cloned: the bytes stay in this page. */
export type Subject =
  /** A File the user picked, or a Blob the page named (FormData filename). Judged fully (policy applies to every verdict). */
  | { kind: 'file'; blob: Blob; name: string }
  /** A body the page built from bytes (ArrayBuffer, Blob, Request). Stopped only when the engine finds a marking. */
  | { kind: 'bytes'; blob: Blob }
  /** Text that carries a marking (the hooks scan text themselves; they only ask about hits). */
  | { kind: 'text'; text: string }
  /**
   * A URL that may carry text (query, path): the guard decodes it (src/guard/url-text.ts). `now`: a
   * constructor's (`EventSource`, `WebSocket`), refused already because it could not be judged at once;
   * when the guard finds it clean, it tells the employee why the page's connection failed.
   */
  | { kind: 'url'; url: string; now?: boolean };

export type ToGuard = { t: 'check'; id: number; channel: Channel; subjects: Subject[] };

export type ToHooks =
  | { t: 'config'; guarded: boolean; designated?: Partial<Designated> }
  | { t: 'answer'; id: number; proceed: boolean }
  /**
   * A field of the page holds marked text (text-watch.ts): requests that could carry it wait for the
   * employee's answer ('marked'), are refused ('refused'), or go again ('clear': allowed, or removed).
   * 'watch': the guard watches an editor the page writes into itself; `name` is the event type (random,
   * per frame) the hooks dispatch on `document` before a request, so that the guard judges what the page
   * wrote in this same task (its MutationObserver would see it only after the task); a listener that
   * cancels the event says the field is now marked.
   */
  | { t: 'typing'; state: 'marked' | 'refused' | 'clear' | 'watch'; name?: string }
  /**
   * The event type (random, per frame, known only to the two worlds) the guard dispatches on `window`,
   * carrying a real drop's DataTransfer, right before it holds that drop: the hooks take the drop's
   * entries and handles then, whichever world's window listener the browser runs first.
   */
  | { t: 'drop-signal'; type: string };

/**
 * Event the page hooks dispatch, composed, on the tree a page script just put a speculation rule set into
 * (or gave one its text in: hooks/speculation.ts): the guard takes the rule sets of that document or
 * shadow root out before the browser reads them (speculation.ts). Not secret: a page sending it only
 * makes the guard look.
 */
export const SPECULATION_SIGNAL = '__upload_guard_rules__';
