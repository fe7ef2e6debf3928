/**
 * Managed policy over shipped defaults. There is no third, user-level layer: whatever the admin sets is
 * what runs, and whatever the admin leaves unset stays at the shipped default. The only way a default
 * protection goes away is an explicit admin decision (`removeServices`, `allow`, `actions`).
 */
import { cloneService, defaultPolicy } from './defaults.js';
import type { Designated } from '../detect/types.js';
import type { Category, EffectivePolicy, ManagedPolicy } from './types.js';

export function mergePolicy(managed: ManagedPolicy, base: EffectivePolicy = defaultPolicy()): EffectivePolicy {
  const out: EffectivePolicy = structuredClone(base);

  if (managed.services || managed.removeServices) {
    const removed = new Set(managed.removeServices ?? []);
    const added = managed.services ?? [];
    // A managed service with a default's id replaces that default (e.g. to change its hosts).
    const replaced = new Set(added.map((s) => s.id));
    out.services = [
      ...out.services.filter((s) => !removed.has(s.id) && !replaced.has(s.id)),
      ...added.filter((s) => !removed.has(s.id)).map(cloneService),
    ];
  }
  if (managed.scope) out.scope = managed.scope;
  if (managed.allow) out.allow = [...new Set(managed.allow)];
  if (managed.sanctioned) out.sanctioned = managed.sanctioned.map((e) => ({ ...e }));
  if (managed.actions) {
    for (const [cat, row] of Object.entries(managed.actions)) {
      out.actions[cat as Category] = { ...out.actions[cat as Category], ...row };
    }
  }
  if (managed.limits) out.limits = { ...out.limits, ...managed.limits };
  if (managed.designated) {
    // Union: designations add to whatever the defaults designate.
    for (const [k, list] of Object.entries(managed.designated)) {
      const key = k as keyof Designated;
      out.designated[key] = [...new Set([...out.designated[key], ...(list ?? [])])];
    }
  }
  if (managed.messages) out.messages = { ...out.messages, ...managed.messages };
  if (managed.guidance) {
    for (const [cat, g] of Object.entries(managed.guidance)) out.guidance[cat as Category] = { ...out.guidance[cat as Category], ...g };
  }
  if (managed.user !== undefined) out.user = managed.user;
  // A deployment variable the tool did not expand (`%COMPUTERNAME%`, `$COMPUTERNAME`, `{{DeviceName}}`) names no PC.
  if (managed.deviceName !== undefined) out.deviceName = unexpandedVariable(managed.deviceName) ? null : managed.deviceName;
  if (managed.department !== undefined) out.department = unexpandedVariable(managed.department) ? null : managed.department;
  if (managed.collectorUrl !== undefined) out.collectorUrl = managed.collectorUrl;
  if (managed.ingestToken !== undefined) out.ingestToken = managed.ingestToken;
  if (managed.heartbeatMinutes !== undefined) out.heartbeatMinutes = managed.heartbeatMinutes;
  if (managed.policyVersion !== undefined) out.policyVersion = managed.policyVersion;
  return out;
}

/** Raw managed storage → effective policy, with the problems found on the way. */
export { validateManaged } from './validate.js';

/** Which top-level keys the admin set (the options page shows these as "managed"). */
export function managedKeys(managed: ManagedPolicy): (keyof ManagedPolicy)[] {
  return (Object.keys(managed) as (keyof ManagedPolicy)[]).filter((k) => managed[k] !== undefined);
}

/** `%ComputerName%`, `$COMPUTERNAME`, `${user}`, `{{DeviceName}}`: a placeholder, not a value. */
export function unexpandedVariable(s: string): boolean {
  return /^(%[A-Za-z_]\w*%|\$[A-Za-z_]\w*|\$\{[A-Za-z_]\w*\}|\{\{\s*[A-Za-z_]\w*\s*\}\})$/.test(s.trim());
}
