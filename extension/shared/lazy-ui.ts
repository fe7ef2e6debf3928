/**
 * The warning dialog (preact, the translations), the "checking…" indicator and the scanner's side of
 * the scan frame are not part of the script every frame carries: the guard asks the background for
 * them the first time a file is about to appear or a dialog must open, and the background injects
 * the dialog's own bundle into the asking frame's isolated world (scripting.executeScript: no
 * web-accessible file, nothing the page can fetch or fingerprint, untouched by the page's CSP). The
 * bundle leaves its entry point on the isolated world's global object, which the page cannot reach.
 */
import type { Item, WarnAnswer, WarnRequest } from '../../src/guard/index.js';
import type { Subject } from '../content/bridge.js';
import type * as Scanner from '../content/scanner.js';
import type { Designated } from '../../src/detect/types.js';
import type { PageView } from '../../src/guard/page.js';

/** content → background: inject the dialog bundle into the sending frame. */
export interface LoadUiRequest {
  type: 'load-ui';
}

/** Where the dialog bundle leaves its entry point (isolated world only). */
export const UI_SLOT = '__uploadGuardUi__';

/**
 * The open warning's host element holds, under this name and in the isolated world only, the function
 * that hands it a key or input event the guard stopped at the window (text-watch.ts toDialog): what the
 * employee types there never reaches the page's listeners.
 */
export const DIALOG_RELAY = '__uploadGuardRelay__';

export interface UiModule {
  showWarning(req: WarnRequest): Promise<WarnAnswer>;
  /** Why a connection the page opened failed: refused unjudged, clean since (extension/ui/warning/show.ts). */
  showUnchecked(view: PageView | null): Promise<WarnAnswer>;
  /** The "checking…" indicator for a scan that runs long (extension/ui/checking/indicator.ts). */
  showChecking(scan: CheckingScan): CheckingRow;
  /** The scan frame's side in the page (extension/content/scanner.ts). */
  scanner: Pick<typeof Scanner, 'scan' | 'encrypted' | 'warmUp' | 'hello'>;
  /** The page hooks' texts, URLs and page-made bytes as the guard's items, with the documents encoded in the texts (content/hook-items.ts). */
  itemsOf(subjects: readonly Subject[], designated?: Partial<Designated>): Promise<Item[]>;
  /** Every file under a drop's entries, named by its path inside the drop (content/folder-walk.ts). */
  walk(entries: FileSystemEntry[]): Promise<{ file: File; path: string }[]>;
  /** False once this bundle's extension was updated or reloaded: the new guard loads its own. */
  alive(): boolean;
}

/** A scan in flight, as the indicator shows it; `read` changes as the scan reports progress. */
export interface CheckingScan {
  /** null: data the page built itself (no file name to show). */
  name: string | null;
  total: number;
  /** Bytes read so far; null while the scan does not report progress. */
  read: number | null;
}

/** One scan on screen. */
export interface CheckingRow {
  paint(): void;
  hide(): void;
}
