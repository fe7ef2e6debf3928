/** When an available extension update is applied (extension/background/update-moment.ts). */
import { describe, expect, it } from 'vitest';
import { ANSWER_WINDOW_MS, MAX_WAIT_MS, QUIET_MS, safeToApply } from '../../extension/background/update-moment.js';

const T = 10 * MAX_WAIT_MS;
const idle = { inFlight: 0, last: 0, newestWarning: 0, since: T };

describe('applying an extension update', () => {
  it('applies at once when no guard question is in flight, none came lately and no warning waits', () => {
    expect(safeToApply(idle, T)).toBe(true);
  });

  it('waits while a guard question is answered, and for a quiet moment after it', () => {
    expect(safeToApply({ ...idle, inFlight: 1, last: T }, T + 1)).toBe(false);
    expect(safeToApply({ ...idle, last: T }, T + QUIET_MS - 1)).toBe(false);
    expect(safeToApply({ ...idle, last: T }, T + QUIET_MS)).toBe(true);
  });

  it('waits while a recent warning may still be on screen waiting for its answer', () => {
    expect(safeToApply({ ...idle, newestWarning: T - 1000 }, T)).toBe(false);
    expect(safeToApply({ ...idle, newestWarning: T - ANSWER_WINDOW_MS }, T)).toBe(true);
  });

  it('never waits longer than the bound, busy or not', () => {
    const busy = { inFlight: 3, last: T + MAX_WAIT_MS, newestWarning: T + MAX_WAIT_MS, since: T };
    expect(safeToApply(busy, T + MAX_WAIT_MS - 1)).toBe(false);
    expect(safeToApply(busy, T + MAX_WAIT_MS)).toBe(true);
  });
});
