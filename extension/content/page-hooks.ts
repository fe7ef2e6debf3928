/**
 * MAIN-world page hooks, injected at document_start before any page script (the background registers
 * this file by name). The hooks themselves, one module per browser API, are in ./hooks/.
 */
import { installHooks } from './hooks/index.js';

// A same-origin parent's hooks come first: reading this frame through the parent's own (hooked)
// `iframe.contentWindow` installs them here (hooks/frames.ts), and this copy then stands aside. This
// frame's requests are then asked about by the parent's guard alone, whose warning the employee sees
// (this frame's own guard asked again, and their warnings queued one behind the other), and a File the
// parent already asked about (appended to a FormData there) is not asked about again.
// A top window, or a cross-origin parent (frameElement is null), throws here: this copy hooks the frame.
try {
  void (window.frameElement as HTMLIFrameElement).contentWindow;
} catch {
  /* below */
}
installHooks(window as Window & typeof globalThis);
