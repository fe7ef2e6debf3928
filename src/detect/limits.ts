import type { Limits } from './types.js';

const MiB = 1024 * 1024;

/** Safe defaults from MARKINGS.md; policy may change each one. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  // As large as the employee's wait allows: a 3 s budget at the throughput measured in real Chromium
  // (100 MB of clean text judged 1.98 s after it was chosen, test/e2e/employee-ux.test.ts; the engine on
  // 100 MB of random binary in 1.76 s, Node) covers about 150 MB. MARKINGS.md's 100 MiB, raised.
  maxBytes: 140 * MiB,
  maxDepth: 5,
  maxEntries: 10_000,
  // Office XML compresses 10–50×; bombs reach 1000× and more.
  maxRatio: 200,
  maxExpandedBytes: 1024 * MiB,
  timeBudgetMs: 20_000,
});

/** Members smaller than this are never judged by their ratio: a page of spaces compresses 500×. */
export const RATIO_FLOOR_BYTES = 1 * MiB;

export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(out) as (keyof Limits)[]) {
    const v = partial[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[key] = v;
  }
  return out;
}
