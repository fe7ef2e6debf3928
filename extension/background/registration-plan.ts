/**
 * Which content scripts to register for a policy. Pure, so it is unit-tested; registration.ts applies it.
 *
 * The page hooks (MAIN world) and the guard (ISOLATED world) run at document_start in every frame of a
 * guarded page, including about:blank, srcdoc and blob frames whose origin is a guarded one
 * (matchOriginAsFallback), and only there. Which URLs: with scope `listed`, the effective service list
 * and the sanctioned destinations with conditions, so an unlisted host gets no script at all; with scope
 * `everywhere`, every http(s) page. Allowed hosts (a company's own tenant) are excluded in both.
 */
import { guardMatchPatterns } from '../../src/policy/match.js';
import type { EffectivePolicy } from '../../src/policy/types.js';
import type { Scripting } from 'webextension-polyfill';

export const HOOKS_ID = 'upload-guard-page-hooks';
export const GUARD_ID = 'upload-guard-guard';

export interface ScriptFiles {
  guard: string;
  pageHooks: string;
}

export type RegisteredPolicy = Pick<EffectivePolicy, 'services' | 'allow' | 'scope' | 'sanctioned'>;

export function registrationPlan(p: RegisteredPolicy, files: ScriptFiles): Scripting.RegisteredContentScript[] {
  const { matches, excludeMatches } = guardMatchPatterns(p);
  if (matches.length === 0) return [];
  const common = {
    matches,
    ...(excludeMatches.length > 0 ? { excludeMatches } : {}),
    runAt: 'document_start' as const,
    allFrames: true,
    matchOriginAsFallback: true,
    persistAcrossSessions: true,
  };
  // Hooks first: registration order is injection order, and the hooks must wrap fetch/XHR before
  // any page script runs.
  return [
    { id: HOOKS_ID, js: [files.pageHooks], world: 'MAIN', ...common },
    { id: GUARD_ID, js: [files.guard], world: 'ISOLATED', ...common },
  ];
}

/** Stable comparison so an unchanged policy does not re-register (re-registration has a cost and a gap). */
export function samePlan(a: Scripting.RegisteredContentScript[], b: Scripting.RegisteredContentScript[]): boolean {
  const norm = (list: Scripting.RegisteredContentScript[]) =>
    JSON.stringify(
      [...list]
        .sort((x, y) => x.id.localeCompare(y.id))
        .map((s) => ({
          id: s.id,
          js: s.js,
          matches: [...(s.matches ?? [])].sort(),
          excludeMatches: [...(s.excludeMatches ?? [])].sort(),
          runAt: s.runAt,
          allFrames: !!s.allFrames,
          world: s.world ?? 'ISOLATED',
        })),
    );
  return norm(a) === norm(b);
}
