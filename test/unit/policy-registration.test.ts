import { describe, expect, it } from 'vitest';
import { GUARD_ID, HOOKS_ID, registrationPlan, samePlan } from '../../extension/background/registration-plan.js';
import { defaultPolicy, mergePolicy } from '../../src/policy/index.js';

const files = { guard: 'extension/content/guard.js', pageHooks: 'extension/content/page-hooks.js' };

describe('content-script registration plan', () => {
  it('registers the MAIN-world hooks and the ISOLATED guard at document_start in all frames of guarded hosts', () => {
    const [hooks, guard] = registrationPlan(defaultPolicy(), files);
    expect(hooks).toMatchObject({ id: HOOKS_ID, js: [files.pageHooks], world: 'MAIN', runAt: 'document_start', allFrames: true, matchOriginAsFallback: true });
    expect(guard).toMatchObject({ id: GUARD_ID, js: [files.guard], world: 'ISOLATED', runAt: 'document_start', allFrames: true, matchOriginAsFallback: true });
    expect(hooks.matches).toEqual(guard.matches);
    expect(guard.matches).toEqual(expect.arrayContaining(['*://*.gigafile.nu/*', '*://mail.google.com/*', '*://*.mail.yahoo.co.jp/*', '*://*.chatgpt.com/*']));
    expect(guard.excludeMatches).toBeUndefined();
  });

  it('follows added services and the allow list', () => {
    const p = mergePolicy({ services: [{ id: 'x', name: 'X', category: 'custom', hosts: ['upload.partner.example'] }], allow: ['acme.box.com'] });
    const [, guard] = registrationPlan(p, files);
    expect(guard.matches).toContain('*://upload.partner.example/*');
    expect(guard.excludeMatches).toEqual(['*://acme.box.com/*']);
  });

  it('registers nothing when every service was removed', () => {
    const p = mergePolicy({ removeServices: defaultPolicy().services.map((s) => s.id) });
    expect(registrationPlan(p, files)).toEqual([]);
  });

  it('compares plans regardless of order and browser-added defaults', () => {
    const a = registrationPlan(defaultPolicy(), files);
    const fromBrowser = [...a].reverse().map((s) => ({ ...s, matches: [...s.matches!].reverse(), persistAcrossSessions: true }));
    expect(samePlan(a, fromBrowser)).toBe(true);
    const changed = registrationPlan(mergePolicy({ allow: ['acme.box.com'] }), files);
    expect(samePlan(a, changed)).toBe(false);
  });
});
