/**
 * Applies an extension update promptly, at a safe moment.
 *
 * Chromium holds an update back while the running version is busy (any frame of the extension, such as
 * a tab's scan frame, keeps it busy), and with guarded tabs open that can be until the browser closes:
 * the tabs would keep the old guard, orphaned by nothing and never replaced. An extension that listens
 * to runtime.onUpdateAvailable is told instead, and the update is applied when it calls
 * runtime.reload(). The new version's background then guards the tabs already open (main.ts: the
 * install/update sweep, registration.ts guardTab), and the old guard in each tab refuses until the new
 * one has announced itself there with the old guard's key (succession.ts, content/orphan.ts).
 *
 * A safe moment: no guard question being answered, no warning made in the last minutes still waiting
 * for the employee's answer (that answer must reach the version that asked), and a few seconds without
 * any guard question (a scan that just ended is followed by its decision). Scans themselves run in the
 * tab's scan frame, which the background does not see; one cut by the update fails closed (the old
 * guard refuses with its notice). Never longer than MAX_WAIT_MS: the update is a fix as often as not.
 */
import browser from 'webextension-polyfill';
import { db } from './db.js';
import { safeToApply } from './update-moment.js';

const POLL_MS = 1_000;
/** Where the first notice's time is kept: the service worker may stop while the update waits. */
const SINCE = 'updateAvailableSince';
const APPLY_ALARM = 'apply-update';

let inFlight = 0;
let last = 0;

/** Counts a guard question while it is answered, so an update never cuts one off. */
export function busyWith<T>(p: Promise<T>): Promise<T> {
  inFlight++;
  last = Date.now();
  return p.finally(() => {
    inFlight--;
    last = Date.now();
  });
}

async function newestWarning(): Promise<number> {
  const all = await (await db()).getAll('pending');
  return all.reduce((m, p) => Math.max(m, p.at), 0);
}

let waiting: Promise<void> | null = null;

/** Waits for a safe moment (or the bound), then reloads into the new version. */
function applyWhenSafe(): Promise<void> {
  waiting ??= (async () => {
    const session = browser.storage.session;
    if ((await session.get(SINCE))[SINCE] === undefined) await session.set({ [SINCE]: Date.now() });
    // Backstop: if this worker is stopped while it waits, the alarm wakes it to look again.
    await browser.alarms.create(APPLY_ALARM, { delayInMinutes: 1, periodInMinutes: 1 });
    for (;;) {
      // An extension call each round also keeps the worker alive while it waits.
      const since = (await session.get(SINCE))[SINCE] as number;
      if (safeToApply({ inFlight, last, newestWarning: await newestWarning(), since }, Date.now())) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    console.info('[upload-guard] applying the extension update');
    // The open tabs' guards are orphaned by the reload; the new version relieves them (succession.ts).
    browser.runtime.reload();
  })().finally(() => (waiting = null));
  return waiting;
}

/** Must be called synchronously at service-worker start, so the update notice wakes the worker. */
export function applyUpdates(): void {
  browser.runtime.onUpdateAvailable.addListener(() => void applyWhenSafe().catch((e) => console.error('[upload-guard] applying the update failed', e)));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== APPLY_ALARM) return;
    void (async () => {
      // Only while an update waits (the key is gone with this version's session).
      if ((await browser.storage.session.get(SINCE))[SINCE] === undefined) return void browser.alarms.clear(APPLY_ALARM);
      await applyWhenSafe();
    })().catch((e) => console.error('[upload-guard] applying the update failed', e));
  });
}
