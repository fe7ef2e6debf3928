/**
 * Loads the bundle of the warning dialog, the "checking…" indicator and the scanner on first use (see
 * extension/shared/lazy-ui.ts), and opens the dialog.
 */
import type { WarnAnswer, WarnRequest } from '../../src/guard/index.js';
import { UI_SLOT, type LoadUiRequest, type UiModule } from '../shared/lazy-ui.js';
import { refuses, tellOrphaned } from './orphan.js';
import { orphaned, runtime } from './runtime.js';

let loading: Promise<UiModule> | null = null;

/** The bundle, unless it is the one a previous version of the extension left in this world (orphaned). */
function loaded(): UiModule | undefined {
  const ui = (globalThis as unknown as Record<string, UiModule | undefined>)[UI_SLOT];
  return ui?.alive() ? ui : undefined;
}

export function loadUi(): Promise<UiModule> {
  loading ??= (async () => {
    if (!loaded()) await runtime.sendMessage({ type: 'load-ui' } satisfies LoadUiRequest);
    const ui = loaded();
    if (!ui) throw new Error('bundle not loaded');
    return ui;
  })().catch((err: unknown) => {
    loading = null; // the next use tries again
    throw err;
  });
  return loading;
}

/** Starts loading the dialog while a decision that may need it is made (a file or marked text appeared). */
export function preloadUi(): void {
  void loadUi().catch(() => undefined);
}

/** Fail closed: a dialog that cannot be shown is a refusal, never a silent pass. */
export async function showWarning(req: WarnRequest): Promise<WarnAnswer> {
  let ui: UiModule;
  try {
    // Orphaned (a decision under way when the extension restarted): its bundle may still be here, but the
    // new guard owns the page's dialogs (never two at once). Refused, with the notice until it has come.
    if (orphaned()) throw Error(`orphaned ${refuses(true) && tellOrphaned()}`);
    ui = await loadUi();
  } catch (err) {
    console.warn('[upload-guard] warning not shown, upload stopped:', String(err));
    return { proceed: false, justification: null };
  }
  return ui.showWarning(req);
}
