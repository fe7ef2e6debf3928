/**
 * Installs the MAIN-world page hooks in a window: this one at document_start, and same-origin child
 * windows the page reaches (frames.ts). Order: safe-self.ts has already captured every built-in (it is
 * the first module evaluated), bridge-client.ts has opened the line to the guard; then one hook per API.
 *
 * DOM-event channels (file-input, drop, paste, form-submit) are gated by the ISOLATED-world guard.
 * These hooks catch what never raises a DOM event: a page script that builds a FormData / Blob / string
 * and sends it with fetch, XMLHttpRequest, sendBeacon or WebSocket, calls form.submit() (no submit
 * event), appends a File to a FormData, or reads files through showOpenFilePicker.
 */
import './safe-self.js';
import './bridge-client.js';
import { hookBeacon } from './beacon.js';
import { hookBlobUrls } from './blob-url.js';
import { hookDerived } from './derived.js';
import { hookBackgroundFetch, hookFetch, hookFetchLater } from './fetch.js';
import { hookFormData } from './form-data.js';
import { hookFormSubmit } from './form-submit.js';
import { hookFrames } from './frames.js';
import { hookCookies } from './headers.js';
import { hookPickers } from './pickers.js';
import { hookMessages } from './messages.js';
import { hookShadow } from './shadow.js';
import { hookSpeculation } from './speculation.js';
import { hookStorage } from './storage.js';
import { hookSources } from './sources.js';
import { defineValue, getOwnPropertyDescriptor } from './safe-self.js';
import { hookWebSocket } from './websocket.js';
import { hookXhr } from './xhr.js';

type Win = Window & typeof globalThis;

const MARK = '__uploadGuardHooks';

export function installHooks(w: Win): void {
  try {
    // A child frame whose own copy of this script already ran (or that a parent hooked) is left alone.
    if (getOwnPropertyDescriptor(w, MARK)) return;
    defineValue(w, MARK, true, 0);
  } catch {
    return;
  }
  hookFetch(w);
  hookFetchLater(w);
  hookBackgroundFetch(w);
  hookXhr(w);
  hookCookies(w);
  hookBeacon(w);
  hookWebSocket(w);
  hookFormData(w);
  hookDerived(w);
  hookBlobUrls(w);
  hookFormSubmit(w);
  hookPickers(w);
  hookSources(w, hookFrames(w, installHooks));
  hookShadow(w);
  hookMessages(w);
  hookStorage(w);
  hookSpeculation(w);
}
