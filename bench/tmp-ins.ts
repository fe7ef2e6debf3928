import { SqliteStorage } from '../src/collector/storage/sqlite.js';
import { sampleEvent } from '../src/events/sample.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
for (const mode of (process.env.MODES ?? 'default,nockpt,full').split(',')) {
  const s = new SqliteStorage({ path: join(mkdtempSync('/tmp/ug-ins-'), 'events.db'), readers: false });
  if (mode === 'nockpt') s.db.pragma('wal_autocheckpoint = 0');
  if (mode === 'full') s.db.pragma('synchronous = FULL');
  const ts: number[] = [];
  let commit = 0;
  for (let b = 0; b < 1500; b++) {
    const events = Array.from({ length: 20 }, (_, i) => sampleEvent({ id: randomUUID(), fileName: `report-${b}-${i}.pdf`, time: new Date().toISOString() }));
    const t = performance.now();
    await s.insertEvents(events, Date.now());
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  const sum = ts.reduce((a, b) => a + b, 0);
  console.log(mode, 'mean', (sum / ts.length).toFixed(2), 'p50', ts[750]!.toFixed(2), 'p99', ts[1485]!.toFixed(2), 'max', ts[1499]!.toFixed(1));
  await s.close();
}
