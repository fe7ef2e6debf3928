/**
 * The policy in force: `storage.managed` (set by the admin through Chrome policy, GPO or Firefox
 * policies.json) validated and merged over the shipped defaults. There is deliberately no user-level
 * layer: nothing the employee can set is read here.
 */
import browser from 'webextension-polyfill';
import { effectivePolicyFrom, type LoadedPolicy } from '../../src/policy/load.js';

let current: Promise<LoadedPolicy> | null = null;
const listeners: ((p: LoadedPolicy) => void)[] = [];

async function readManaged(): Promise<unknown> {
  try {
    return await browser.storage.managed.get();
  } catch (e) {
    // Firefox without a policies.json entry (and some test setups) throws: no managed policy.
    console.info('[upload-guard] no managed storage:', String(e));
    return {};
  }
}

async function load(): Promise<LoadedPolicy> {
  const loaded = effectivePolicyFrom(await readManaged());
  for (const p of loaded.problems) console.warn('[upload-guard] policy:', p);
  return loaded;
}

/** The policy, read once per service-worker lifetime and again whenever the admin changes it. */
export function policy(): Promise<LoadedPolicy> {
  current ??= load();
  return current;
}

export function onPolicyChange(fn: (p: LoadedPolicy) => void): void {
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
