/**
 * Injects the warning dialog's bundle into the frame that asks for it (see extension/shared/lazy-ui.ts).
 * Only the guard's own frames ask; the answer says whether the injection ran.
 */
import browser, { type Runtime } from 'webextension-polyfill';
// crxjs builds it as a standalone IIFE (vite.config.ts) and gives us its output path.
import uiFile from '../content/ui-entry.ts?script';

export async function injectUi(sender: Runtime.MessageSender): Promise<{ ok: boolean }> {
  const tabId = sender.tab?.id;
  if (tabId === undefined) return { ok: false };
  // The document that asked, not whatever the frame shows by now (Chrome); the frame elsewhere.
  const documentId = (sender as { documentId?: string }).documentId;
  const target = documentId ? { tabId, documentIds: [documentId] } : { tabId, frameIds: [sender.frameId ?? 0] };
  try {
    await browser.scripting.executeScript({ target: target as { tabId: number }, files: [uiFile], injectImmediately: true });
    return { ok: true };
  } catch (err) {
    console.warn('[upload-guard] could not load the warning into frame', sender.frameId, String(err));
    return { ok: false };
  }
}
