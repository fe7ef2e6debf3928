/** Running one extractor directly in tests, with an ExtractContext that enforces the limits like the scanner's. */
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from '../../src/detect/extract/types.js';
import type { Limits } from '../../src/detect/types.js';

export function testContext(opts: { fullText?: boolean; pictureHeads?: boolean; timeBudgetMs?: number; limits?: Partial<Limits> } = {}): ExtractContext {
  const limits: Limits = { ...DEFAULT_LIMITS, maxRatio: 100, ...opts.limits, ...(opts.timeBudgetMs ? { timeBudgetMs: opts.timeBudgetMs } : {}) };
  const start = Date.now();
  let expanded = 0;
  let entries = 0;
  return {
    limits,
    depth: 0,
    fullText: opts.fullText ?? false,
    pictureHeads: opts.pictureHeads,
    checkTime() {
      if (Date.now() - start > limits.timeBudgetMs) throw new ScanError('time-budget', 'time budget exceeded');
    },
    addExpanded(n: number) {
      expanded += n;
      if (expanded > limits.maxExpandedBytes) throw new ScanError('expansion-ratio', 'too much expanded');
    },
    addEntry() {
      if (++entries > limits.maxEntries) throw new ScanError('too-many-entries', 'too many entries');
    },
  };
}

/** Everything `extractor` yields for `input` (bytes, text as UTF-8, or a Blob). */
export async function collect(extractor: Extractor, input: Uint8Array | string | Blob, ctx = testContext()): Promise<Extracted[]> {
  const blob =
    input instanceof Blob ? input : new Blob([(typeof input === 'string' ? new TextEncoder().encode(input) : input) as Uint8Array<ArrayBuffer>]);
  const out: Extracted[] = [];
  for await (const x of extractor(blob, ctx)) out.push(x);
  return out;
}
