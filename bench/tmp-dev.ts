import { seededStore, collectorProcess } from './collector.js';
const ADMIN = 'bench-admin-token-0123456789';
const store = await seededStore('sqlite', Date.now());
const p = await collectorProcess(store.env, store.dir);
for (const path of (process.env.PATHS ?? '/v1/admin/devices').split(' ')) {
  const ts: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    const r = await fetch(p.url + path, { headers: { authorization: `Bearer ${ADMIN}` } });
    const b = await r.arrayBuffer();
    ts.push(Math.round(performance.now() - t));
    if (!r.ok) console.log(r.status, Buffer.from(b).toString().slice(0, 200));
  }
  console.log(path, ts.join(' '));
}
if (process.env.HOLD) await new Promise((r) => setTimeout(r, Number(process.env.HOLD)));
await p.stop(); await store.drop();
