import { collectorProcess } from './collector.js';
import { sampleEvent } from '../src/events/sample.js';
import { randomUUID } from 'node:crypto';
const INGEST = 'bench-ingest-token-0123456789';
const p = await collectorProcess({ DATABASE_URL: process.env.PG ?? '', UPLOAD_GUARD_PG_SCHEMA: 'ug_prof_' + randomUUID().slice(0, 8) });
const lat: number[] = [];
const until = performance.now() + 8000;
await Promise.all(Array.from({ length: 4 }, async (_, c) => {
  while (performance.now() < until) {
    const body = JSON.stringify({ events: Array.from({ length: 20 }, () => sampleEvent({ id: randomUUID(), deviceId: 'pc-' + c, time: new Date().toISOString() })) });
    const t = performance.now();
    const r = await fetch(p.url + '/v1/events', { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body });
    await r.arrayBuffer();
    if (r.status === 200) lat.push(performance.now() - t); else console.log(r.status);
  }
}));
lat.sort((a, b) => a - b);
console.log('n', lat.length, 'p50', lat[lat.length >> 1]?.toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)]?.toFixed(1));
await p.stop();
