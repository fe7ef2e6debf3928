/**
 * ISOLATED-world guard, injected at document_start in every frame of a guarded service (registered by
 * the background only there). Arms each channel's capture listeners before any page script runs, takes
 * the private port from the MAIN-world page hooks, and answers their questions through the same
 * decision path (gate.ts) the DOM channels use.
 */
import { HANDSHAKE, type Subject, type ToGuard, type ToHooks } from './bridge.js';
import { installDrop } from './drop.js';
import { installFileInput } from './file-input.js';
import { installFormSubmit } from './form-submit.js';
import { decide, whenConfigured, type Item } from './gate.js';
import { installPaste } from './paste.js';

let port: MessagePort | null = null;

// Registered before any page script, so this listener runs first and the page never sees the port.
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

function connect(p: MessagePort): void {
  port = p;
  p.onmessage = (e: MessageEvent<ToGuard>) => {
    const m = e.data;
    if (!m || m.t !== 'check') return;
    void decide(m.channel, m.subjects.map(toItem)).then(
      (proceed) => p.postMessage({ t: 'answer', id: m.id, proceed } satisfies ToHooks),
      () => p.postMessage({ t: 'answer', id: m.id, proceed: false } satisfies ToHooks),
    );
  };
  void whenConfigured().then((cfg) =>
    p.postMessage({ t: 'config', guarded: cfg.service !== null, designated: cfg.designated } satisfies ToHooks),
  );
}

function toItem(s: Subject): Item {
  if (s.kind === 'file') return { kind: 'file', blob: s.blob, name: s.name };
  if (s.kind === 'bytes') return { kind: 'bytes', blob: s.blob };
  return { kind: 'text', text: s.text };
}

installFileInput();
installDrop();
installPaste();
installFormSubmit();
