/** Registers the in-page guard for the hosts the effective policy guards (see registration-plan.ts). */
import browser, { type Scripting } from 'webextension-polyfill';
// crxjs builds these as standalone IIFE files (vite.config.ts) and gives us their output paths.
import guardFile from '../content/guard.ts?script';
import pageHooksFile from '../content/page-hooks.ts?script';
import { GUARD_RUNNING } from '../shared/messages.js';
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

/**
 * Registered scripts only reach pages loaded after registration. A tab already open on a host that is
 * (now) guarded gets the guard injected into each frame that does not run it yet: the guard first, so
 * its listener is there when the page hooks post their handshake (late, but far better than not at all).
 * The guard marks its own isolated world, which the page cannot touch, so nothing runs twice.
 */
export async function guardTab(tabId: number): Promise<void> {
  try {
    const probe = await browser.scripting.executeScript({
      target: { tabId, allFrames: true },
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
    const frameIds = probe.filter((r) => r.result !== true).map((r) => r.frameId);
    if (frameIds.length === 0) return;
    for (const [file, world] of [[guardFile, 'ISOLATED'], [pageHooksFile, 'MAIN']] as const) {
      await browser.scripting.executeScript({ target: { tabId, frameIds }, files: [file], world, injectImmediately: true });
    }
  } catch (e) {
    console.info('[upload-guard] could not guard open tab', tabId, String(e));
  }
}
