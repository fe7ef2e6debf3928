import { mergePolicy } from './merge.js';
import type { EffectivePolicy, ManagedPolicy } from './types.js';
import { validateManaged } from './validate.js';

export interface LoadedPolicy {
  effective: EffectivePolicy;
  /** The validated managed values (what the admin set), for showing them as managed. */
  managed: ManagedPolicy;
  /** True when any managed value was present (valid or not). */
  isManaged: boolean;
  problems: string[];
}

/** The one path from raw `storage.managed` contents to what the extension runs with. */
export function effectivePolicyFrom(raw: unknown): LoadedPolicy {
  const { policy, problems } = validateManaged(raw);
  const isManaged = typeof raw === 'object' && raw !== null && Object.keys(raw).length > 0;
  return { effective: mergePolicy(policy), managed: policy, isManaged, problems };
}
