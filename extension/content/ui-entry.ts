/**
 * The bundle loaded on first use: injected by the background into a frame's isolated world the first
 * time that frame is about to get a file or must show a warning (see extension/shared/lazy-ui.ts), so
 * no page pays for preact, the translations and the scanner until one is due.
 */
import { UI_SLOT, type UiModule } from '../shared/lazy-ui.js';
import { showChecking } from '../ui/checking/indicator.js';
import { showUnchecked, showWarning } from '../ui/warning/show.js';
import { orphaned } from './runtime.js';
import { encrypted, hello, scan, warmUp } from './scanner.js';
import { itemsOf } from './hook-items.js';
import { walk } from './folder-walk.js';
import { withLateForm } from '../../src/guard/late-form.js';

(globalThis as unknown as Record<string, UiModule>)[UI_SLOT] = {
  showWarning,
  showUnchecked,
  showChecking,
  scanner: { scan: withLateForm(scan), encrypted, warmUp, hello },
  itemsOf,
  walk,
  alive: () => !orphaned(),
};
