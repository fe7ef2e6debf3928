/** From a verdict to an action, by policy. */
import type { Action, Category, EffectivePolicy, Verdict } from './types.js';
import type { Outcome } from '../events/schema.js';

/** Strictness order: the strictest action over several findings is what the page gets. */
const STRICTNESS: Record<Action, number> = { allow: 0, audit: 1, warn: 2, block: 3 };

/** The action for a verdict; an unscannable one may have its own by reason (too large, encrypted). */
export function actionFor(policy: Pick<EffectivePolicy, 'actions'>, category: Category, verdict: Verdict, reason?: string | null): Action {
  const row = policy.actions[category];
  if (verdict === 'unscannable') {
    const special = reason === 'too-large' ? row.tooLarge : reason === 'encrypted' ? row.encrypted : undefined;
    if (special) return special;
  }
  return row[verdict];
}

export function strictest(actions: readonly Action[]): Action {
  let out: Action = 'allow';
  for (const a of actions) if (STRICTNESS[a] > STRICTNESS[out]) out = a;
  return out;
}

/** What an action means for the upload at the moment of the decision. A warn waits for the employee. */
export function outcomeOf(action: Action): Outcome {
  switch (action) {
    case 'block':
      return 'blocked';
    case 'warn':
      return 'pending';
    default:
      return 'allowed';
  }
}
