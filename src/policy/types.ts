/**
 * The policy model: what an admin can set (through `storage.managed`, i.e. Chrome/Edge policy, GPO or
 * Firefox policies.json) and what the extension runs with after merging that over the shipped defaults.
 * Platform-free: nothing here touches a browser API.
 */
import type { Designated, Limits } from '../detect/types.js';
import type { Action, Category, Verdict } from '../events/schema.js';

export type { Action, Category, Verdict };

/** One guarded service: which pages belong to it. */
export interface Service {
  /** Stable id reported in events and used to remove a default, e.g. `gmail`. */
  id: string;
  /** Display name, e.g. `Gmail`. */
  name: string;
  category: Category;
  /**
   * Host patterns. `example.com` is that host only; `*.example.com` is example.com and every subdomain
   * (the same meaning as in Chrome match patterns, so what we register is exactly what we match).
   */
  hosts: string[];
  /**
   * Optional path prefixes that tell apart services sharing one host (iCloud Mail vs iCloud Drive on
   * www.icloud.com). They only choose which service a page is; the guard runs on the whole host,
   * because these sites are single-page apps that change path without reloading.
   */
  paths?: string[];
}

/**
 * Which pages carry the guard. `listed`: the catalogue's and the admin's services only (an unlisted host
 * gets no script at all). `everywhere`: every http(s) page and frame; a page no service matches is
 * category `other`. `allow` and `sanctioned` destinations win over both.
 */
export type Scope = 'listed' | 'everywhere';
export const SCOPES = ['listed', 'everywhere'] as const satisfies readonly Scope[];

/** What a sanctioned destination's unmet condition leads to (never `allow`: that is a plain `allow` entry). */
export type ConditionAction = Exclude<Action, 'allow'>;
export const CONDITION_ACTIONS = ['warn', 'block', 'audit'] as const satisfies readonly ConditionAction[];

/**
 * A sanctioned destination with conditions (guideline 2-2-2c: confidential files sent by mail are
 * encrypted). Allowed like an `allow` host, except that a marked file that is not encrypted (not a
 * password-protected archive, PDF or Office file) gets `action`.
 */
export interface Sanctioned {
  /** Host pattern, as in `allow`. */
  host: string;
  requireEncryption: boolean;
  /** For a marked file that is not encrypted. Default `warn`. */
  action: ConditionAction;
}

/**
 * Unscannable verdicts an employee meets every day, each with its own optional action (falling back to
 * `unscannable`): a file over the scan limit, a password-protected file.
 */
export const UNSCANNABLE_CASES = ['tooLarge', 'encrypted'] as const;
export type UnscannableCase = (typeof UNSCANNABLE_CASES)[number];

/** What to do for each verdict (and, optionally, for the common unscannable cases). */
export type VerdictActions = Record<Verdict, Action> & Partial<Record<UnscannableCase, Action>>;

/** Per-category actions. */
export type ActionTable = Record<Category, VerdictActions>;

/** Admin guidance shown in the warning: what to do instead. */
export interface Messages {
  ja: string;
  en: string;
  /** Optional link, e.g. the company's approved file-transfer service. */
  link: string | null;
}

/** Who to ask about a refusal. */
export interface Contact {
  name?: string;
  mail?: string;
  phone?: string;
  url?: string;
}

/** A preset justification an employee can pick in a warning (free text stays available as "other"). */
export interface PresetReason {
  ja: string;
  en: string;
}

/** Guidance for one category of service, shown in the warning there. */
export interface CategoryGuidance {
  /** What to do instead (replaces `messages` for this category). */
  ja?: string;
  en?: string;
  contact?: Contact;
  /** The company's approved alternative, e.g. the internal file-transfer service. */
  alternative?: { ja?: string; en?: string; url?: string };
  reasons?: PresetReason[];
}

export type GuidanceTable = Partial<Record<Category, CategoryGuidance>>;

/** The policy the extension runs with. Every field is present. */
export interface EffectivePolicy {
  services: Service[];
  scope: Scope;
  /** Host patterns never guarded (a company's own tenant, e.g. `acme.box.com`). */
  allow: string[];
  /** Allowed destinations with conditions; they win over `allow` where both match. */
  sanctioned: Sanctioned[];
  actions: ActionTable;
  limits: Limits;
  designated: Designated;
  messages: Messages;
  /** Per category: guidance, contact, approved alternative, preset reasons. */
  guidance: GuidanceTable;
  /** User id to report; null means "ask the browser profile". */
  user: string | null;
  /** The PC name to report (set per machine by the deployment, e.g. %COMPUTERNAME%); null when unset. */
  deviceName: string | null;
  /** The department (organizational unit) to report, set once per OU by the deployment; null when unset. */
  department: string | null;
  collectorUrl: string | null;
  ingestToken: string | null;
  heartbeatMinutes: number;
  policyVersion: string | null;
}

/**
 * What an admin may set. Every key optional; `services` ADD to (or, with the same id, replace) the
 * defaults, `removeServices` removes defaults by id, `actions` may set any subset of category × verdict.
 */
export interface ManagedPolicy {
  services?: Service[];
  removeServices?: string[];
  scope?: Scope;
  allow?: string[];
  /** Each entry: `host` required, `requireEncryption` and `action` optional (false, `warn`). */
  sanctioned?: Sanctioned[];
  actions?: Partial<Record<Category, Partial<VerdictActions>>>;
  limits?: Partial<Limits>;
  designated?: Partial<Designated>;
  messages?: Partial<Messages>;
  guidance?: GuidanceTable;
  user?: string;
  deviceName?: string;
  department?: string;
  collectorUrl?: string;
  ingestToken?: string;
  heartbeatMinutes?: number;
  policyVersion?: string;
}

/** Keys of ManagedPolicy, in schema order. */
export const MANAGED_KEYS = [
  'services',
  'removeServices',
  'scope',
  'allow',
  'sanctioned',
  'actions',
  'limits',
  'designated',
  'messages',
  'guidance',
  'user',
  'deviceName',
  'department',
  'collectorUrl',
  'ingestToken',
  'heartbeatMinutes',
  'policyVersion',
] as const satisfies readonly (keyof ManagedPolicy)[];
