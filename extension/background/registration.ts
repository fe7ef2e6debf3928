/** Registers the in-page guard for the hosts the effective policy guards (see registration-plan.ts). */
import browser, { type Scripting } from 'webextension-polyfill';
import { findService } from '../../src/policy/match.js';
import type { EffectivePolicy } from '../../src/policy/types.js';
// crxjs builds these as standalone IIFE files (vite.config.ts) and gives us their output paths.
import guardFile from '../content/guard.ts?script';
import pageHooksFile from '../content/page-hooks.ts?script';
import { GUARD_ID, HOOKS_ID, registrationPlan, samePlan } from './registration-plan.js';

export const SCRIPT_FILES = { guard: guardFile, pageHooks: pageHooksFile };

let chain: Promise<unknown> = Promise.resolve();

/** Serialised: two policy changes in quick succession must not interleave unregister/register. */
export function registerGuard(policy: Pick<EffectivePolicy, 'services' | 'allow'>): Promise<void> {
  const run = chain.then(() => apply(policy));
  chain = run.catch(() => undefined);
  return run;
}

async function apply(policy: Pick<EffectivePolicy, 'services' | 'allow'>): Promise<void> {
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
 * Registered scripts only reach pages loaded after registration. On install or update, guarded tabs
 * that are already open would stay unguarded until reloaded, so the guard is injected into them now
 * (late, but far better than not at all).
 */
export async function guardOpenTabs(policy: Pick<EffectivePolicy, 'services' | 'allow'>): Promise<void> {
  const plan = registrationPlan(policy, SCRIPT_FILES);
  if (plan.length === 0) return;
  const tabs = await browser.tabs.query({ url: plan[0].matches });
  for (const tab of tabs) {
    if (tab.id === undefined || !tab.url || !findService(policy, tab.url)) continue;
    for (const s of plan) {
      try {
        await browser.scripting.executeScript({ target: { tabId: tab.id, allFrames: true }, files: s.js!, world: s.world, injectImmediately: true });
      } catch (e) {
        console.info('[upload-guard] could not guard open tab', tab.id, String(e));
      }
    }
  }
}
