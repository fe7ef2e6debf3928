/**
 * The dialog bundle: injected by the background into a frame's isolated world the first time that
 * frame must show a warning (see extension/shared/lazy-ui.ts), so no page pays for preact and the
 * translations until a dialog is due.
 */
import { UI_SLOT, type UiModule } from '../shared/lazy-ui.js';
import { showWarning } from '../ui/warning/show.js';

(globalThis as unknown as Record<string, UiModule>)[UI_SLOT] = { showWarning };
