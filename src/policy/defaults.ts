/**
 * What the extension does with no policy at all: the shipped service list and safe actions.
 * Admins add services, remove these by id, and change every other value by policy.
 */
import { DEFAULT_LIMITS } from '../detect/limits.js';
import { CATEGORIES } from '../events/schema.js';
import type { Designated } from '../detect/types.js';
import { DEFAULT_SERVICES } from './catalogue.js';
import type { ActionTable, EffectivePolicy, Service, VerdictActions } from './types.js';

export { DEFAULT_SERVICES };

/** MARKINGS.md and issue 3: marked → block, unscannable → warn (the employee decides, on record), clean → allow. */
export const DEFAULT_VERDICT_ACTIONS: Readonly<VerdictActions> = Object.freeze({
  marked: 'block',
  unscannable: 'warn',
  clean: 'allow',
});


/** Every category starts at the same safe row, `other` included (issue 14: block marked, warn unscannable, allow clean). */
export const DEFAULT_ACTIONS: Readonly<ActionTable> = Object.freeze(defaultActions());

function defaultActions(): ActionTable {
  return Object.fromEntries(CATEGORIES.map((c) => [c, { ...DEFAULT_VERDICT_ACTIONS }])) as ActionTable;
}

export const EMPTY_DESIGNATED: Readonly<Designated> = Object.freeze({
  sha256: [],
  keywords: [],
  patterns: [],
  namePatterns: [],
  labels: [],
});

export const DEFAULT_HEARTBEAT_MINUTES = 15;

/** A fresh copy of the defaults (callers may mutate it). */
export function defaultPolicy(): EffectivePolicy {
  return {
    scope: 'listed',
    services: DEFAULT_SERVICES.map(cloneService),
    allow: [],
    sanctioned: [],
    actions: defaultActions(),
    limits: { ...DEFAULT_LIMITS },
    designated: {
      sha256: [],
      keywords: [],
      patterns: [],
      namePatterns: [],
      labels: [],
    },
    messages: {
      ja: '「秘」の情報は、会社が認めた方法でのみ社外と共有してください。判断に迷うときは情報システム部門に相談してください。',
      en: 'Share confidential (秘) information outside the company only through approved channels. If in doubt, ask your IT department.',
      link: null,
    },
    user: null,
    collectorUrl: null,
    ingestToken: null,
    heartbeatMinutes: DEFAULT_HEARTBEAT_MINUTES,
    policyVersion: null,
  };
}

export function cloneService(s: Service): Service {
  return { ...s, hosts: [...s.hosts], ...(s.paths ? { paths: [...s.paths] } : {}) };
}
