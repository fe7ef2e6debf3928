/**
 * The two runtime calls the injected guard makes, without webextension-polyfill: every frame carries
 * this script, and the polyfill alone would be a third of its size. Chrome's MV3 `chrome.runtime`
 * returns promises; Firefox's native `browser` does too, so one shape serves both.
 */
interface Runtime {
  sendMessage(m: unknown): Promise<unknown>;
  getURL(path: string): string;
  id: string;
  onMessage: { addListener(fn: (m: unknown) => undefined): void };
}

type Api = { runtime: Runtime } | undefined;

const g = globalThis as unknown as { browser?: Api; chrome?: Api };

export const runtime: Runtime = (g.browser ?? g.chrome)!.runtime;

/**
 * This script's extension is gone: after an update, reload or re-enable, the old content script stays
 * in open tabs with its runtime cut off (`runtime.id` undefined, calls throw). It must then stand aside
 * for the new one, which the background injects (guard.ts, retire()).
 */
export function orphaned(): boolean {
  try {
    return !runtime.id;
  } catch {
    return true;
  }
}
