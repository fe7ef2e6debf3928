/**
 * A guard whose extension was updated, reloaded or re-enabled (runtime.ts, orphaned()) cannot reach the
 * background any more, so it cannot confirm the current policy: until the new version has put its guard
 * in this page and shown it this guard's own key (background/succession.ts, guard.ts retire()) it refuses whatever it would have asked about — a tab that cannot
 * confirm the policy does not guess — and says why. Once a new guard is here, the orphan stands aside
 * and the new one decides (never two dialogs). No runtime call and no UI bundle: neither is reachable
 * from an orphan, hence a native alert. Every byte here is in guard.js, which has a size budget.
 */
let successor = false;
/** This guard's key (background/succession.ts), told with the background's first answer. */
let key: unknown;

/** Keeps the key the background's answer carries, and passes the answer on. */
export const keepKey = <T>(answer: T): T => ((key = (answer as { key?: unknown }).key), answer);

/** Whether `k`, posted into the page, is this guard's key: only the new generation's background knows it. */
export const isKey = (k: unknown): boolean => !!k && k === key;

/** A new guard announced itself in this page. */
export const standAside = (): void => void (successor = true);

/** Whether this guard refuses: orphaned, and no new guard to stand aside for (not orphaned: it decides as usual). */
export const refuses = (orphaned: boolean, succeeded = successor): boolean => orphaned && !succeeded;

export const orphanNotice = (lang: string): string =>
  'Upload Guard ' +
  (/^ja/.test(lang)
    ? 'が更新または再起動されたため、このページではファイルを確認できません。ページを再読み込みしてください。'
    : 'was updated or restarted and cannot check files on this page. Reload the page.');

/**
 * Told at once, from inside the refused event's handler, once it is held (an alert blocks the page, so
 * one refusal shows one notice, never a queue of them). True: told.
 */
export function tellOrphaned(): true {
  alert(orphanNotice(navigator.language));
  return true;
}
