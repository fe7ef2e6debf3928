/**
 * Checks what came from `storage.managed` (or a policy file given to the CLI). Chrome already drops
 * values of the wrong JSON type, but not wrong values (an action `blok`, a regex that does not
 * compile, a host with a path). Anything invalid is dropped with a message, so the default stays in
 * force for it: a typo in the policy never makes the guard weaker than shipped.
 */
import { CATEGORIES, ACTIONS, VERDICTS } from '../events/schema.js';
import type { Designated, Limits } from '../detect/types.js';
import { OTHER_ID, SANCTIONED_ID } from './destination.js';
import { isHostPattern } from './match.js';
import type {
  Action,
  Category,
  CategoryGuidance,
  ConditionAction,
  GuidanceTable,
  ManagedPolicy,
  Messages,
  Sanctioned,
  Service,
  VerdictActions,
} from './types.js';
import { CONDITION_ACTIONS, MANAGED_KEYS, SCOPES, UNSCANNABLE_CASES } from './types.js';

export interface Validated {
  policy: ManagedPolicy;
  /** One line per dropped value, e.g. `actions.webmail.marked: expected one of allow, block, warn, audit`. */
  problems: string[];
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SERVICE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const LIMIT_KEYS: readonly (keyof Limits)[] = ['maxBytes', 'maxDepth', 'maxEntries', 'maxRatio', 'maxExpandedBytes', 'timeBudgetMs'];
const DESIGNATED_KEYS: readonly (keyof Designated)[] = ['sha256', 'keywords', 'patterns', 'namePatterns', 'labels'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIdent(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max && !CONTROL.test(v);
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 2048) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function compiles(source: string, flags: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}

class Checker {
  problems: string[] = [];
  drop(path: string, why: string): undefined {
    this.problems.push(`${path}: ${why}`);
    return undefined;
  }

  /** Keeps the valid items of an array, reporting each invalid one. */
  list<T>(path: string, v: unknown, item: (x: unknown, path: string) => T | undefined): T[] | undefined {
    if (!Array.isArray(v)) return this.drop(path, 'expected an array');
    const out: T[] = [];
    v.forEach((x, i) => {
      const ok = item(x, `${path}[${i}]`);
      if (ok !== undefined) out.push(ok);
    });
    return out;
  }

  host(x: unknown, path: string): string | undefined {
    if (typeof x !== 'string') return this.drop(path, 'expected a host pattern string');
    const h = x.trim().toLowerCase().replace(/\.$/, '');
    return isHostPattern(h) ? h : this.drop(path, `"${x}" is not a host pattern (example.com or *.example.com, no scheme, port or path)`);
  }

  service(x: unknown, path: string): Service | undefined {
    if (!isObject(x)) return this.drop(path, 'expected an object');
    const id = typeof x.id === 'string' ? x.id.trim().toLowerCase() : x.id;
    if (typeof id !== 'string' || !SERVICE_ID.test(id)) return this.drop(`${path}.id`, 'expected 1–64 of a-z 0-9 . _ -');
    if (id === OTHER_ID || id === SANCTIONED_ID) return this.drop(`${path}.id`, `"${id}" is reserved (events use it for unlisted pages and sanctioned destinations)`);
    if (!isIdent(x.name, 128)) return this.drop(`${path}.name`, 'expected a name of 1–128 characters');
    if (typeof x.category !== 'string' || !(CATEGORIES as readonly string[]).includes(x.category)) {
      return this.drop(`${path}.category`, `expected one of ${CATEGORIES.join(', ')}`);
    }
    const hosts = this.list(`${path}.hosts`, x.hosts, (h, p) => this.host(h, p));
    if (!hosts || hosts.length === 0) return this.drop(path, 'a service needs at least one valid host');
    const service: Service = { id, name: x.name, category: x.category as Category, hosts };
    if (x.paths !== undefined) {
      const paths = this.list(`${path}.paths`, x.paths, (p, pp) =>
        typeof p === 'string' && p.startsWith('/') && p.length <= 256 ? p : this.drop(pp, 'expected a path starting with /'),
      );
      if (paths && paths.length > 0) service.paths = paths;
    }
    return service;
  }

  sanctioned(x: unknown, path: string): Sanctioned | undefined {
    if (!isObject(x)) return this.drop(path, 'expected an object with host, requireEncryption and action');
    for (const k of Object.keys(x)) if (!['host', 'requireEncryption', 'action'].includes(k)) this.drop(`${path}.${k}`, 'unknown key (expected host, requireEncryption, action)');
    const host = this.host(x.host, `${path}.host`);
    if (host === undefined) return undefined;
    const entry: Sanctioned = { host, requireEncryption: false, action: 'warn' };
    if (x.requireEncryption !== undefined) {
      // A condition that cannot be read must not turn into "no condition": the entry is dropped (and so guarded).
      if (typeof x.requireEncryption !== 'boolean') return this.drop(`${path}.requireEncryption`, 'expected true or false');
      entry.requireEncryption = x.requireEncryption;
    }
    if (x.action !== undefined) {
      if (typeof x.action !== 'string' || !(CONDITION_ACTIONS as readonly string[]).includes(x.action)) {
        return this.drop(`${path}.action`, `expected one of ${CONDITION_ACTIONS.join(', ')}`);
      }
      entry.action = x.action as ConditionAction;
    }
    return entry;
  }

  actions(v: unknown, path: string): ManagedPolicy['actions'] | undefined {
    if (!isObject(v)) return this.drop(path, 'expected an object');
    const out: NonNullable<ManagedPolicy['actions']> = {};
    for (const [cat, row] of Object.entries(v)) {
      if (!(CATEGORIES as readonly string[]).includes(cat)) {
        this.drop(`${path}.${cat}`, `unknown category (expected ${CATEGORIES.join(', ')})`);
        continue;
      }
      if (!isObject(row)) {
        this.drop(`${path}.${cat}`, 'expected an object');
        continue;
      }
      const r: Partial<VerdictActions> = {};
      const keys: readonly string[] = [...VERDICTS, ...UNSCANNABLE_CASES];
      for (const [verdict, action] of Object.entries(row)) {
        if (!keys.includes(verdict)) {
          this.drop(`${path}.${cat}.${verdict}`, `unknown verdict (expected ${keys.join(', ')})`);
        } else if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
          this.drop(`${path}.${cat}.${verdict}`, `expected one of ${ACTIONS.join(', ')}`);
        } else {
          r[verdict as keyof VerdictActions] = action as Action;
        }
      }
      out[cat as Category] = r;
    }
    return out;
  }

  limits(v: unknown, path: string): Partial<Limits> | undefined {
    if (!isObject(v)) return this.drop(path, 'expected an object');
    const out: Partial<Limits> = {};
    for (const [k, n] of Object.entries(v)) {
      if (!(LIMIT_KEYS as readonly string[]).includes(k)) this.drop(`${path}.${k}`, 'unknown limit');
      else if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) this.drop(`${path}.${k}`, 'expected a positive integer');
      else out[k as keyof Limits] = n;
    }
    return out;
  }

  designated(v: unknown, path: string): Partial<Designated> | undefined {
    if (!isObject(v)) return this.drop(path, 'expected an object');
    const out: Partial<Designated> = {};
    for (const [k, arr] of Object.entries(v)) {
      if (!(DESIGNATED_KEYS as readonly string[]).includes(k)) {
        this.drop(`${path}.${k}`, 'unknown key');
        continue;
      }
      const key = k as keyof Designated;
      const item = (x: unknown, p: string): string | undefined => {
        if (typeof x !== 'string' || x.length === 0 || x.length > 1024) return this.drop(p, 'expected a string of 1–1024 characters');
        switch (key) {
          case 'sha256': {
            const h = x.trim().toLowerCase();
            return SHA256.test(h) ? h : this.drop(p, 'expected 64 hex characters');
          }
          case 'patterns':
            return compiles(x, 'iu') ? x : this.drop(p, 'not a valid regular expression');
          case 'namePatterns':
            return compiles(x, 'u') ? x : this.drop(p, 'not a valid regular expression');
          default:
            return x;
        }
      };
      const list = this.list(`${path}.${k}`, arr, item);
      if (list) out[key] = list;
    }
    return out;
  }

  messages(v: unknown, path: string): Partial<Messages> | undefined {
    if (!isObject(v)) return this.drop(path, 'expected an object');
    const out: Partial<Messages> = {};
    for (const [k, s] of Object.entries(v)) {
      if (k === 'ja' || k === 'en') {
        if (typeof s === 'string' && s.length <= 2000) out[k] = s;
        else this.drop(`${path}.${k}`, 'expected text of at most 2000 characters');
      } else if (k === 'link') {
        if (isHttpUrl(s)) out.link = s;
        else this.drop(`${path}.link`, 'expected an http(s) URL');
      } else {
        this.drop(`${path}.${k}`, 'unknown key (expected ja, en, link)');
      }
    }
    return out;
  }
}

const GUIDANCE_TEXT = 2000;
const MAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,255}$/;
/** Guidance text may hold line breaks; no other control character. */
const TEXT_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function textOk(k: string, x: string): boolean {
  if (k === 'url') return isHttpUrl(x);
  if (k === 'mail') return MAIL.test(x);
  return x.length > 0 && x.length <= GUIDANCE_TEXT && !TEXT_CONTROL.test(x);
}

/** The known string fields of a guidance object; anything else is dropped with a message. */
function pick(c: Checker, v: Record<string, unknown>, path: string, keys: readonly string[], ok: (k: string, x: string) => boolean) {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!keys.includes(k)) c.drop(`${path}.${k}`, `unknown key (expected ${keys.join(', ')})`);
    else if (typeof x === 'string' && ok(k, x)) out[k] = x;
    else c.drop(`${path}.${k}`, k === 'url' ? 'expected an http(s) URL' : k === 'mail' ? 'expected a mail address' : `expected text of 1–${GUIDANCE_TEXT} characters`);
  }
  return out;
}

function guidance(c: Checker, v: unknown, path: string): GuidanceTable | undefined {
  if (!isObject(v)) return c.drop(path, 'expected an object');
  const out: GuidanceTable = {};
  for (const [cat, g] of Object.entries(v)) {
    const p = `${path}.${cat}`;
    if (!(CATEGORIES as readonly string[]).includes(cat)) {
      c.drop(p, `unknown category (expected ${CATEGORIES.join(', ')})`);
      continue;
    }
    if (!isObject(g)) {
      c.drop(p, 'expected an object');
      continue;
    }
    const { contact, alternative, reasons, ...texts } = g;
    const entry: CategoryGuidance = pick(c, texts, p, ['ja', 'en'], textOk);
    if (contact !== undefined) {
      if (isObject(contact)) entry.contact = pick(c, contact, `${p}.contact`, ['name', 'mail', 'phone', 'url'], textOk);
      else c.drop(`${p}.contact`, 'expected an object');
    }
    if (alternative !== undefined) {
      if (isObject(alternative)) entry.alternative = pick(c, alternative, `${p}.alternative`, ['ja', 'en', 'url'], textOk);
      else c.drop(`${p}.alternative`, 'expected an object');
    }
    if (reasons !== undefined) {
      const list = c.list(`${p}.reasons`, reasons, (x, rp) => {
        const r = isObject(x) ? pick(c, x, rp, ['ja', 'en'], (_, x) => isIdent(x, 200)) : undefined;
        return r?.ja && r.en ? { ja: r.ja, en: r.en } : c.drop(rp, 'expected { ja, en }, each 1–200 characters');
      });
      if (list) entry.reasons = list.slice(0, 10);
    }
    out[cat as Category] = entry;
  }
  return out;
}

/** Validates a raw managed-storage object. Unknown keys are reported and ignored. */
export function validateManaged(raw: unknown): Validated {
  const c = new Checker();
  const policy: ManagedPolicy = {};
  if (raw === undefined || raw === null) return { policy, problems: [] };
  if (!isObject(raw)) return { policy, problems: ['(policy): expected an object'] };
  for (const key of Object.keys(raw)) {
    if (!(MANAGED_KEYS as readonly string[]).includes(key)) c.drop(key, 'unknown policy key');
  }
  const r = raw;
  if (r.services !== undefined) {
    const list = c.list('services', r.services, (x, p) => c.service(x, p));
    if (list) {
      // Two entries with the same id: the later one wins, as in the merge with the defaults.
      policy.services = [...new Map(list.map((s) => [s.id, s])).values()];
    }
  }
  if (r.removeServices !== undefined) {
    policy.removeServices = c.list('removeServices', r.removeServices, (x, p) =>
      typeof x === 'string' && SERVICE_ID.test(x) ? x : c.drop(p, 'expected a service id'),
    );
  }
  if (r.scope !== undefined) {
    policy.scope = (SCOPES as readonly unknown[]).includes(r.scope) ? (r.scope as ManagedPolicy['scope']) : c.drop('scope', `expected one of ${SCOPES.join(', ')}`);
  }
  if (r.allow !== undefined) {
    policy.allow = c.list('allow', r.allow, (x, p) =>
      isObject(x) ? c.drop(p, 'expected a host pattern string (an entry with conditions goes in sanctioned)') : c.host(x, p),
    );
  }
  if (r.sanctioned !== undefined) policy.sanctioned = c.list('sanctioned', r.sanctioned, (x, p) => c.sanctioned(x, p));
  if (r.actions !== undefined) policy.actions = c.actions(r.actions, 'actions');
  if (r.limits !== undefined) policy.limits = c.limits(r.limits, 'limits');
  if (r.designated !== undefined) policy.designated = c.designated(r.designated, 'designated');
  if (r.messages !== undefined) policy.messages = c.messages(r.messages, 'messages');
  if (r.guidance !== undefined) policy.guidance = guidance(c, r.guidance, 'guidance');
  if (r.user !== undefined) policy.user = isIdent(r.user, 256) ? r.user : c.drop('user', 'expected 1–256 characters, no control characters');
  if (r.deviceName !== undefined) {
    policy.deviceName = isIdent(r.deviceName, 128) ? r.deviceName : c.drop('deviceName', 'expected 1–128 characters, no control characters');
  }
  if (r.department !== undefined) {
    policy.department = isIdent(r.department, 128) ? r.department : c.drop('department', 'expected 1–128 characters, no control characters');
  }
  if (r.collectorUrl !== undefined) {
    policy.collectorUrl = isHttpUrl(r.collectorUrl) ? r.collectorUrl.replace(/\/+$/, '') : c.drop('collectorUrl', 'expected an http(s) URL');
  }
  if (r.ingestToken !== undefined) {
    policy.ingestToken = isIdent(r.ingestToken, 1024) ? r.ingestToken : c.drop('ingestToken', 'expected 1–1024 characters, no control characters');
  }
  if (r.heartbeatMinutes !== undefined) {
    const n = r.heartbeatMinutes;
    policy.heartbeatMinutes =
      typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1440 ? n : c.drop('heartbeatMinutes', 'expected an integer from 1 to 1440');
  }
  if (r.policyVersion !== undefined) {
    policy.policyVersion = isIdent(r.policyVersion, 128) ? r.policyVersion : c.drop('policyVersion', 'expected 1–128 characters, no control characters');
  }
  for (const k of Object.keys(policy) as (keyof ManagedPolicy)[]) if (policy[k] === undefined) delete policy[k];
  return { policy, problems: c.problems };
}
