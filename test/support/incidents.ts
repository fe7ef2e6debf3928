/**
 * Many incidents as sync makes them, written straight into the table: the incident list's tests
 * (incident-list-order) and its benchmark (bench/incident-total.ts) read the same shape. Two in five
 * open (new, investigating), the rest reported or closed; 300 users; deadlines spread over the
 * whole range (not in id order); statistics gathered, as a database in use has them.
 */
import { sqlFor } from '../../src/collector/incidents/sql.js';
import type { Storage } from '../../src/collector/storage/types.js';

export const SEEDED_STATUSES = ['new', 'investigating', 'closed', 'reported', 'closed'] as const;

export async function seedIncidents(storage: Storage, n: number): Promise<void> {
  const sql = sqlFor(storage);
  for (let from = 0; from < n; from += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, n - from) }, (_, k) => from + k);
    await sql.run(
      `INSERT INTO ${sql.t('incidents')} (group_key, user_name, device_id, day, opened_ms, due_from_ms, last_ms, event_count, status, updated_ms)
       VALUES ${rows.map(() => "(?, ?, 'pc', '2026-11-01', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), 1, ?, 0)").join(', ')}`,
      rows.flatMap((i) => [`k${i}`, `u${i % 300}`, 1_790_000_000_000 + i * 1000, 1_790_000_000_000 + ((i * 7919) % n) * 1000, 1_790_000_000_000 + i * 1000, SEEDED_STATUSES[i % 5]]),
    );
  }
  await sql.run(storage.kind === 'postgres' ? `ANALYZE ${sql.t('incidents')}` : 'ANALYZE');
}
