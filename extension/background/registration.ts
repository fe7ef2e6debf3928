/** Registers the in-page guard for the hosts the effective policy guards (see registration-plan.ts). */
import browser, { type Scripting } from 'webextension-polyfill';
// crxjs builds these as standalone IIFE files (vite.config.ts) and gives us their output paths.
import guardFile from '../content/guard.ts?script';
import pageHooksFile from '../content/page-hooks.ts?script';
import { GUARD_RUNNING } from '../shared/messages.js';
import { handOver } from './succession.js';
import { GUARD_ID, HOOKS_ID, registrationPlan, samePlan, type RegisteredPolicy } from './registration-plan.js';

export const SCRIPT_FILES = { guard: guardFile, pageHooks: pageHooksFile };

let chain: Promise<unknown> = Promise.resolve();

/** Serialised: two policy changes in quick succession must not interleave unregister/register. */
export function registerGuard(policy: RegisteredPolicy): Promise<void> {
  const run = chain.then(() => apply(policy));
  chain = run.catch(() => undefined);
  return run;
}

async function apply(policy: RegisteredPolicy): Promise<void> {
  const plan = registrationPlan(policy, SCRIPT_FILES);
  const ours = [HOOKS_ID, GUARD_ID];
  const existing = (await browser.scripting.getRegisteredContentScripts({ ids: ours })) as Scripting.RegisteredContentScript[];
  if (existing.length === plan.length && samePlan(existing, plan)) return;
  if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: existing.map((s) => s.id) });
  if (plan.length === 0) return;
  try {
    await browser.scripting.registerContentScripts(plan);
  } catch (e) {
    // Firefox does not know matchOriginAsFallback; register without it rather than not at all.
    console.warn('[upload-guard] registerContentScripts failed, retrying without matchOriginAsFallback:', String(e));
    await browser.scripting.registerContentScripts(plan.map(({ matchOriginAsFallback: _drop, ...s }) => s));
  }
}

/** The run of guardTab under way for each tab, which the next one for that tab waits for. */
const guarding = new Map<number, Promise<void>>();

/**
 * Registered scripts only reach pages loaded after registration. A tab already open on a host that is
 * (now) guarded gets the guard injected into each frame that does not run it yet: the guard first, so
 * its listener is there when the page hooks post their handshake (late, but far better than not at all).
 * The guard marks its own isolated world, which the page cannot touch, so nothing runs twice.
 *
 * One run per tab at a time: after an install, update or restart the start-up sweep and the policy
 * push both guard the same tabs, and two runs probing together would both find a frame unguarded and
 * both inject and hand over there. The second run now probes after the first and finds the guard.
 */
export function guardTab(tabId: number): Promise<void> {
  const run = (guarding.get(tabId) ?? Promise.resolve()).then(() => guardFrames(tabId));
  guarding.set(tabId, run);
  void run.then(() => guarding.get(tabId) === run && guarding.delete(tabId));
  return run;
}

async function guardFrames(tabId: number): Promise<void> {
  try {
    // Frame by frame: after an update the tab still holds the old version's scan frame, which no
    // script may enter, and one such frame must not keep the guard out of all the others.
    const frames = (await browser.webNavigation.getAllFrames({ tabId })) ?? [];
    const probes = await Promise.all(frames.map((f) => probe(tabId, f.frameId)));
    const unguarded = frames.filter((_, i) => probes[i] === false);
    if (unguarded.length === 0) return;
    const frameIds = unguarded.map((f) => f.frameId);
    for (const [file, world] of [[guardFile, 'ISOLATED'], [pageHooksFile, 'MAIN']] as const) {
      await browser.scripting.executeScript({ target: { tabId, frameIds }, files: [file], world, injectImmediately: true });
    }
    // After an update: the previous version's guard in these frames stands aside for the one just injected.
    await handOver(tabId, unguarded.flatMap((f) => ((f as { documentId?: string }).documentId ? [(f as { documentId: string }).documentId] : [])));
  } catch (e) {
    console.info('[upload-guard] could not guard open tab', tabId, String(e));
  }
}

/** Whether a live guard runs in this frame (null: the frame cannot be scripted). */
async function probe(tabId: number, frameId: number): Promise<boolean | null> {
  try {
    const [r] = await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      // The guard's flag is a liveness check: one left by a previous version of the extension says no.
      func: (flag: string) => {
        const running = (globalThis as unknown as Record<string, unknown>)[flag];
        try {
          return typeof running === 'function' && running() === true;
        } catch {
          return false;
        }
      },
      args: [GUARD_RUNNING],
    });
    return r?.result === true;
  } catch {
    return null;
  }
}
