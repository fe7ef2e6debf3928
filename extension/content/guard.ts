/**
 * ISOLATED-world guard, injected at document_start in every frame of a guarded service (registered by
 * the background only there, and injected by it into tabs already open when a host becomes guarded).
 * Arms each channel's capture listeners before any page script runs, takes the private port from the
 * MAIN-world page hooks, and answers their questions through the same decision path (gate.ts) the DOM
 * channels use. Follows every policy the background pushes, without a reload.
 */
import { urlText, type PageView } from '../../src/guard/index.js';
import { GUARD_RUNNING, type Push } from '../shared/messages.js';
import { HANDSHAKE, type Subject, type ToGuard, type ToHooks } from './bridge.js';
import { installDrop } from './drop.js';
import { installFileInput } from './file-input.js';
import { installFormSubmit } from './form-submit.js';
import { decide, guard, type Item } from './gate.js';
import { preloadUi } from './load-ui.js';
import { installPaste } from './paste.js';
import { setHooksPort } from './hooks-line.js';
import { runtime } from './runtime.js';
import { listenForScanner } from './scanner.js';
import { installTextWatch } from './text-watch.js';
import { warmUpOnIntent } from './warm-up.js';

let port: MessagePort | null = null;

/** Registered before any page script, so this listener runs first and the page never sees the port. */
function listenForHooks(): void {
  window.addEventListener(
    'message',
    (e: MessageEvent) => {
      const data = e.data as Record<string, unknown> | null;
      if (!data || typeof data !== 'object' || data[HANDSHAKE] !== true) return;
      e.stopImmediatePropagation();
      // Only the first handshake, from this window, is the hooks' own; later ones can only be the page's.
      if (port || e.source !== window || !e.ports[0]) return;
      connect(e.ports[0]);
    },
    true,
  );
}

function connect(p: MessagePort): void {
  port = p;
  setHooksPort(p);
  p.onmessage = (e: MessageEvent<ToGuard>) => {
    const m = e.data;
    if (!m || m.t !== 'check') return;
    preloadUi(); // the hooks ask only about files, bytes and marked text: a dialog may follow
    void decide(m.channel, m.subjects.map(toItem)).then(
      (proceed) => p.postMessage({ t: 'answer', id: m.id, proceed } satisfies ToHooks),
      () => p.postMessage({ t: 'answer', id: m.id, proceed: false } satisfies ToHooks),
    );
  };
  // The hooks learn the policy now if it is known, and again whenever it changes.
  const tell = (v: PageView) => p.postMessage({ t: 'config', guarded: v.service !== null, designated: v.designated } satisfies ToHooks);
  const known = guard.view();
  if (known) tell(known);
  guard.onView(tell);
}

function toItem(s: Subject): Item {
  if (s.kind === 'file') return { kind: 'file', blob: s.blob, name: s.name };
  if (s.kind === 'bytes') return { kind: 'bytes', blob: s.blob };
  if (s.kind === 'url') return { kind: 'text', text: urlText(s.url) };
  return { kind: 'text', text: s.text };
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
  // Every new policy reaches every frame; the first one is asked for.
  runtime.onMessage.addListener((m: unknown) => {
    const push = m as Push | null;
    if (push && typeof push === 'object' && push.type === 'policy-snapshot') guard.receiveSnapshot(push.snapshot);
    return undefined;
  });
  void guard.refresh();
}

// Registered for new pages and injected into open ones: whichever comes second finds it running.
const scope = globalThis as unknown as Record<string, unknown>;
if (!scope[GUARD_RUNNING]) {
  scope[GUARD_RUNNING] = true;
  start();
}
