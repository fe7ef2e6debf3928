/**
 * The policy in force: `storage.managed` (set by the admin through Chrome policy, GPO or Firefox
 * policies.json) validated and merged over the shipped defaults, and the one snapshot of it that every
 * tab runs with. This module is the snapshot's only source; broadcast.ts its only publisher. There is
 * deliberately no user-level layer: nothing the employee can set is read here.
 */
import browser from 'webextension-polyfill';
import { effectivePolicyFrom, type LoadedPolicy } from '../../src/policy/load.js';
import { policySnapshot, type Lang, type PolicySnapshot } from '../../src/policy/snapshot.js';

export interface Policy extends LoadedPolicy {
  snapshot: PolicySnapshot;
}

let current: Promise<Policy> | null = null;
const listeners: ((p: Policy) => void)[] = [];

/**
 * The language of the translation the browser chose for this extension (ja by default, en for English
 * browsers), so guidance text is in the same language as the dialog around it.
 */
export function uiLang(): Lang {
  return browser.i18n.getMessage('ui_lang') === 'en' ? 'en' : 'ja';
}

async function readManaged(): Promise<unknown> {
  try {
    return await browser.storage.managed.get();
  } catch (e) {
    // Firefox without a policies.json entry (and some test setups) throws: no managed policy.
    console.info('[upload-guard] no managed storage:', String(e));
    return {};
  }
}

async function load(): Promise<Policy> {
  const loaded = effectivePolicyFrom(await readManaged());
  for (const p of loaded.problems) console.warn('[upload-guard] policy:', p);
  return { ...loaded, snapshot: policySnapshot(loaded.effective, uiLang()) };
}

/** The policy, read once per service-worker lifetime and again whenever the admin changes it. */
export function policy(): Promise<Policy> {
  current ??= load();
  return current;
}

export function onPolicyChange(fn: (p: Policy) => void): void {
  listeners.push(fn);
}

/** Must be called synchronously at service-worker start so the event wakes the worker. */
export function watchPolicy(): void {
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area !== 'managed') return;
    current = load();
    void current.then((p) => listeners.forEach((fn) => fn(p)));
  });
}
