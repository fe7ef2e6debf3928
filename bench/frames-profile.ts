/**
 * Where a guarded page's frames spend their time: a V8 CPU profile (Profiler domain, 100 µs sampling)
 * of the renderer while the 50-iframe page of `bench -- pages` loads, four times, with the
 * NETWORK_LAYER=off package (so the browser's request routing is not in the way), summed per script and
 * per function (ms per load; the built files are minified: a function is named by its line:column).
 * A diagnostic, not part of `npm run bench`; its figures are inflated by the sampling, read them as shares.
 *   node bin/run-ts.js bench/frames-profile.ts      (build first)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchWithExtension, waitForRegistration } from '../test/e2e/support/index.js';
import { withoutNetworkLayer } from '../test/e2e/support/lean.js';
import { serve } from './pages.js';
const root = mkdtempSync(join(tmpdir(), 'ug-frames-profile-'));
const b = await launchWithExtension({ hosts: ['mail.google.com'], extensionDir: withoutNetworkLayer(root) });
await waitForRegistration(b.serviceWorker!);
const server = await serve();
const p = await b.context.newPage();
await p.goto(server.url('/frames'));
const cdp = await b.context.newCDPSession(p);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
const byUrl = new Map<string, number>(); const byFn = new Map<string, number>();
for (let k = 0; k < 4; k++) {
  await cdp.send('Profiler.start');
  await p.goto(server.url('/frames?' + k), { waitUntil: 'load' });
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { url: string; functionName: string; lineNumber: number; columnNumber: number } }[]; samples: number[]; timeDeltas: number[] } };
  const dt = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  for (const n of profile.nodes) {
    const t = (dt.get(n.id) ?? 0) / 1000;
    const u = n.callFrame.url.replace(/^.*\//, '') || '(' + n.callFrame.functionName + ')';
    byUrl.set(u, (byUrl.get(u) ?? 0) + t);
    const f = `${u} ${n.callFrame.functionName}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
    byFn.set(f, (byFn.get(f) ?? 0) + t);
  }
}
console.log([...byUrl].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([u, t]) => `${(t / 4).toFixed(1)} ms  ${u}`).join('\n'));
console.log('---');
console.log([...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([u, t]) => `${(t / 4).toFixed(1)} ms  ${u}`).join('\n'));
await b.close();
await server.close();
rmSync(root, { recursive: true, force: true });
