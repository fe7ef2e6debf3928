/** Loads the warning dialog on first use (see extension/shared/lazy-ui.ts) and opens it. */
import type { WarnAnswer, WarnRequest } from '../../src/guard/index.js';
import { UI_SLOT, type LoadUiRequest, type UiModule } from '../shared/lazy-ui.js';
import { runtime } from './runtime.js';

let loading: Promise<UiModule> | null = null;

const loaded = () => (globalThis as unknown as Record<string, UiModule | undefined>)[UI_SLOT];

function loadUi(): Promise<UiModule> {
  loading ??= (async () => {
    if (!loaded()) await runtime.sendMessage({ type: 'load-ui' } satisfies LoadUiRequest);
    const ui = loaded();
    if (!ui) throw new Error('the warning dialog did not load');
    return ui;
  })().catch((err: unknown) => {
    loading = null; // the next warning tries again
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
    ui = await loadUi();
  } catch (err) {
    console.warn('[upload-guard] the warning could not be shown; the upload is stopped:', String(err));
    return { proceed: false, justification: null };
  }
  return ui.showWarning(req);
}
