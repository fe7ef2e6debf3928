/**
 * What the extension does with no policy at all: the shipped service list and safe actions.
 * Admins add services, remove these by id, and change every other value by policy.
 */
import { DEFAULT_LIMITS } from '../detect/limits.js';
import { CATEGORIES } from '../events/schema.js';
import type { Designated } from '../detect/types.js';
import { DEFAULT_SERVICES } from './catalogue.js';
import type { ActionTable, EffectivePolicy, GuidanceTable, PresetReason, Service, VerdictActions } from './types.js';

export { DEFAULT_SERVICES };

/** MARKINGS.md and issue 3: marked → block, unscannable → warn (the employee decides, on record), clean → allow. */
export const DEFAULT_VERDICT_ACTIONS: Readonly<VerdictActions> = Object.freeze({
  marked: 'block',
  unscannable: 'warn',
  clean: 'allow',
});


/**
 * Every category starts at the same safe row, `other` included (issue 14: block marked, warn
 * unscannable, allow clean). Large transfers are what sharing services are for (GigaFile便 takes
 * 300 GB): there a file over the scan limit is recorded, not questioned. Its name is still judged, and
 * the limit is policy.
 */
export const DEFAULT_ACTIONS: Readonly<ActionTable> = Object.freeze(defaultActions());

function defaultActions(): ActionTable {
  const table = Object.fromEntries(CATEGORIES.map((c) => [c, { ...DEFAULT_VERDICT_ACTIONS }])) as ActionTable;
  table.sharing.tooLarge = 'audit';
  return table;
}

export const EMPTY_DESIGNATED: Readonly<Designated> = Object.freeze({
  sha256: [],
  keywords: [],
  patterns: [],
  namePatterns: [],
  labels: [],
});

export const DEFAULT_HEARTBEAT_MINUTES = 15;

/**
 * Reasons an employee can pick in a warning instead of typing one, fitting what is being sent where
 * (nothing "only colleagues will see" on an outside service, no "contract with the recipient" for a prompt);
 * policy replaces them per category.
 */
const APPROVED: PresetReason = { ja: '上長の承認を得ている', en: 'Approved by my manager' };
const CONTRACT: PresetReason = { ja: '取引先との契約に基づく送付', en: 'Required by a contract with the recipient' };

export const DEFAULT_GUIDANCE: Readonly<GuidanceTable> = Object.freeze({
  webmail: { reasons: [APPROVED, CONTRACT] },
  sharing: { reasons: [{ ja: '大容量のため会社の転送サービスが使えない', en: "Too large for the company's transfer service" }, APPROVED, CONTRACT] },
  genai: {
    reasons: [
      { ja: '公開済みの情報だけを使っている', en: 'Only already-public information is used' },
      { ja: '個人や取引先を特定できる情報は含まれていない', en: 'Nothing in it identifies a person or a customer' },
      APPROVED,
    ],
  },
  custom: { reasons: [APPROVED, CONTRACT] },
});

/** A fresh copy of the defaults (callers may mutate it). */
export function defaultPolicy(): EffectivePolicy {
  return {
    scope: 'listed',
    services: DEFAULT_SERVICES.map(cloneService),
    allow: [],
    sanctioned: [],
    actions: defaultActions(),
    guidance: structuredClone(DEFAULT_GUIDANCE) as GuidanceTable,
    limits: { ...DEFAULT_LIMITS },
    designated: {
      sha256: [],
      keywords: [],
      patterns: [],
      namePatterns: [],
      labels: [],
    },
    messages: {
      ja: '「秘」区分の情報は、会社が認めた方法でのみ社外と共有してください。判断に迷うときは情報システム部門に相談してください。',
      en: 'Share information marked 秘 Confidential outside the company only through approved channels. If in doubt, ask your IT department.',
      link: null,
    },
    user: null,
    deviceName: null,
    department: null,
    collectorUrl: null,
    ingestToken: null,
    heartbeatMinutes: DEFAULT_HEARTBEAT_MINUTES,
    policyVersion: null,
  };
}

export function cloneService(s: Service): Service {
  return { ...s, hosts: [...s.hosts], ...(s.paths ? { paths: [...s.paths] } : {}) };
}
