/**
 * The warning dialog (preact, the translations) is not part of the script every frame carries: the
 * guard asks the background for it the first time a dialog must open, and the background injects
 * the dialog's own bundle into the asking frame's isolated world (scripting.executeScript: no
 * web-accessible file, nothing the page can fetch or fingerprint, untouched by the page's CSP). The
 * bundle leaves its entry point on the isolated world's global object, which the page cannot reach.
 */
import type { WarnAnswer, WarnRequest } from '../../src/guard/index.js';

/** content → background: inject the dialog bundle into the sending frame. */
export interface LoadUiRequest {
  type: 'load-ui';
}

/** Where the dialog bundle leaves its entry point (isolated world only). */
export const UI_SLOT = '__uploadGuardUi__';

export interface UiModule {
  showWarning(req: WarnRequest): Promise<WarnAnswer>;
}
