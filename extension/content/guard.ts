/**
 * ISOLATED-world guard, injected at document_start in every frame of a guarded service (registered by
 * the background only there, and injected by it into tabs already open when a host becomes guarded).
 * Arms each channel's capture listeners before any page script runs, takes the private port from the
 * MAIN-world page hooks, and answers their questions through the same decision path (gate.ts) the DOM
 * channels use. Follows every policy the background pushes, without a reload.
 */
import type { PageView } from '../../src/guard/index.js';
import { GUARD_RUNNING, type Push } from '../shared/messages.js';
import { GUARD_STARTED, HANDOVER, HANDSHAKE, type ToGuard, type ToHooks } from './bridge.js';
import { installDrop } from './drop.js';
import { DROP_SIGNAL } from './signals.js';
import { installFileInput } from './file-input.js';
import { installFormSubmit } from './form-submit.js';
import { isKey, standAside } from './orphan.js';
import { decide, guard, itemsOf } from './gate.js';
import { loadUi, preloadUi } from './load-ui.js';
import { installPaste } from './paste.js';
import { setHooksPort } from './hooks-line.js';
import { orphaned, runtime } from './runtime.js';
import { listenForScanner } from './scan-line.js';
import { installSpeculation } from './speculation.js';
import { installTextWatch, typingHeld } from './text-watch.js';
import { warmUpOnIntent } from './warm-up.js';
import { capture, stop } from './replay.js';

let port: MessagePort | null = null;
let handedOver = false;
/** The hooks' questions not answered yet: refused when the line is handed over (retire()). */
const asked = new Set<number>();

/** Registered before any page script, so this listener runs first and the page never sees the port. */
function listenForHooks(): void {
  capture(
    window,
    'message',
    (e: MessageEvent) => {
      const data = e.data as Record<string, unknown> | null;
      if (!data || typeof data !== 'object') return;
      // An orphaned guard lets these through: the new guard's listener may come after this one.
      // Only its own key counts (background/succession.ts): the new background posts it once the new
      // guard is in the page, and no page script can know it before (a page posting GUARD_STARTED itself
      // must not turn the orphan's refusals off).
      if (orphaned()) return void (isKey(data[GUARD_STARTED]) && e.source === window && retire());
      const handover = data[HANDOVER] === true;
      if (data[HANDSHAKE] !== true && !handover) return;
      stop(e);
      if (e.source !== window || !e.ports[0]) return;
      // Only the first handshake, from this window, is the hooks' own; later ones can only be the page's.
      // One handover: the line of the hooks already in this page, from the guard this one replaces
      // (the hooks injected with this guard found them there and stood down).
      if (handover ? handedOver : port) return;
      if (handover) handedOver = true;
      connect(e.ports[0]);
    },
  );
}

/**
 * This guard's extension was updated or reloaded, and the new guard announced itself: the channels,
 * closed until now (gate.ts isGuarded), let everything through to it, and so does the page hooks' line.
 */
function retire(): void {
  standAside();
  if (!port) return;
  const p = port;
  port = null;
  p.onmessage = null;
  // An answer this guard still owes would go down a line it no longer holds, and the page's request
  // would wait for ever (a decision under way when the extension restarted may never end): refused now.
  asked.forEach((id) => p.postMessage({ t: 'answer', id, proceed: false } satisfies ToHooks));
  // So would the word that a field it held as marked is clear or refused (text-watch.ts): what the page
  // holds back for it is refused now, and from then on the new guard's look decides (its own, or this
  // guard's, which stands aside).
  if (typingHeld()) p.postMessage({ t: 'typing', state: 'refused' } satisfies ToHooks);
  window.postMessage({ [HANDOVER]: true }, '*', [p]);
}

function connect(p: MessagePort): void {
  port = p;
  setHooksPort(p);
  p.onmessage = (e: MessageEvent<ToGuard>) => {
    const m = e.data;
    if (!m || m.t !== 'check') return;
    preloadUi(); // the hooks ask only about files, bytes and marked text: a dialog may follow
    asked.add(m.id);
    // A failure anywhere is a refusal.
    void itemsOf(m.subjects)
      .then((items) => decide(m.channel, items))
      .catch(() => false)
      .then((proceed) => {
        asked.delete(m.id);
        p.postMessage({ t: 'answer', id: m.id, proceed } satisfies ToHooks);
        // A constructor refused this URL already (it could not wait): say why, now that it is clean.
        if (proceed && m.subjects.some((x) => x.kind === 'url' && x.now)) void loadUi().then((ui) => ui.showUnchecked(guard.view()), () => 0);
      });
  };
  p.postMessage({ t: 'drop-signal', type: DROP_SIGNAL } satisfies ToHooks);
  // The hooks learn the policy now if it is known, and again whenever it changes.
  const tell = (v: PageView) => p.postMessage({ t: 'config', guarded: v.service !== null, designated: v.designated } satisfies ToHooks);
  const known = guard.view();
  if (known) tell(known);
  guard.onView(tell);
}

function start(): void {
  listenForHooks();
  listenForScanner();
  warmUpOnIntent();
  installFileInput();
  installDrop();
  installPaste();
  installFormSubmit();
  installTextWatch();
  installSpeculation();
  // Every new policy reaches every frame; the first one is asked for.
  runtime.onMessage.addListener((m: unknown) => {
    const push = m as Push | null;
    if (push && typeof push === 'object' && push.type === 'policy-snapshot') guard.receiveSnapshot(push.snapshot);
    return undefined;
  });
  void guard.refresh();
}

// Registered for new pages and injected into open ones: whichever comes second finds it running.
// The flag is a liveness check, so a guard whose extension is gone never keeps the new one out.
const scope = globalThis as unknown as Record<string, unknown>;
/** Whether a live guard (of the current extension) marked this isolated world. */
function guardRunning(): boolean {
  const running = scope[GUARD_RUNNING];
  return typeof running === 'function' && running() === true;
}
if (!guardRunning()) {
  scope[GUARD_RUNNING] = () => !orphaned();
  start();
}
