/**
 * `npm run bench -- encoded`: what ordinary API bodies that hold long base64 or hex runs (a SHA-256
 * digest, a JWT, a base64 image, a random token) pay on a guarded page, in real Chromium, with and
 * without the extension side by side (two browsers, the same page, alternating runs). Such a body may
 * carry a document encoded as text (src/guard/encoded.ts), so the hooks look at it; the row says what
 * a sequential `fetch` round trip costs with each kind of run, beside a plain JSON body, and what the
 * first such request on a fresh page costs (when it goes to the guard, that one also loads the
 * guard's lazy bundle).
 *   node bin/run-ts.js bench/run.ts encoded     (build first: npx vite build)
 * With `ENCODED_BENCH_BEFORE=/path/to/another/dist` a third browser runs that build (e.g. the one
 * before a change) in the same rounds, for an A/B in one run; `ENCODED_BENCH_OURS` replaces this build.
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { serveSite, type Site } from './site.js';
import { launchWithExtension, type Launched } from '../test/e2e/support/index.js';
import { median, type Row } from './table.js';

const HOST = 'mail.google.com';
const CALLS = 60;
const ROUNDS = 5;

const b64url = (b: Buffer) => b.toString('base64url');
/** An RS256-shaped JWT: JSON header and claims, a 256-byte signature. */
const JWT = [
  b64url(Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'a1b2c3d4e5f6', typ: 'JWT' }))),
  b64url(Buffer.from(JSON.stringify({ iss: 'https://accounts.example.com', sub: '110169484474386276334', aud: 'app-1234', iat: 1700000000, exp: 1700003600, email: 'taro@example.co.jp' }))),
  b64url(randomBytes(256)),
].join('.');
/** A PNG-headed image of ≈ 24 KB, as a data: URL (what an avatar or a pasted picture posts). */
const PNG = `data:image/png;base64,${Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(24_000)]).toString('base64')}`;

/** [label, body] — each a JSON body a real API sends. */
const BODIES: [string, string][] = [
  ['plain JSON (no run)', JSON.stringify({ q: 'clean text, nothing marked', page: 2, tags: ['a', 'b'] })],
  ['SHA-256 hex digest', JSON.stringify({ name: 'report.pdf', sha256: createHash('sha256').update('x').digest('hex'), size: 1234 })],
  ['JWT (RS256)', JSON.stringify({ idToken: JWT, client: 'web' })],
  ['random token, 96 bytes base64', JSON.stringify({ session: randomBytes(96).toString('base64'), v: 1 })],
  // Runs of 19 to 63 characters are decoded in the page too (a stamped line fits in them).
  ['a UUID and a 22-character session id', JSON.stringify({ id: randomUUID(), session: randomBytes(16).toString('base64url'), v: 1 })],
  ['PNG image, 24 KB data: URL', JSON.stringify({ avatar: PNG })],
];

function serve(): Promise<Site> {
  return serveSite(HOST, (path, res) => {
    if (path === '/api') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!doctype html><meta charset="utf-8"><title>api</title>');
  });
}

/**
 * ms for the first request with `body` on a fresh page, then µs per request over `n` sequential ones,
 * then µs per call of the same fetch with an aborted signal (`held`): no network at all, so what it
 * measures is the hooks' decision alone (a body decided in the page rejects at once; one that waits for
 * the guard, after its answer). The round trips carry the local server's noise; `held` does not.
 */
function calls(page: Page, body: string, n: number): Promise<{ first: number; each: number; held: number }> {
  return page.evaluate(
    // No named inner functions: the bench runs through tsx, whose helpers do not exist in the page.
    async ([b, count]) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: b };
      let t = performance.now();
      await (await fetch('/api', init)).text();
      const first = performance.now() - t;
      t = performance.now();
      for (let i = 0; i < count; i++) await (await fetch('/api', init)).text();
      const each = ((performance.now() - t) * 1000) / count;
      const ac = new AbortController();
      ac.abort();
      const aborted = { ...init, signal: ac.signal };
      t = performance.now();
      for (let i = 0; i < count * 4; i++) await fetch('/api', aborted).catch(() => undefined);
      return { first, each, held: ((performance.now() - t) * 1000) / (count * 4) };
    },
    [body, n] as const,
  );
}

export async function runEncodedBench(): Promise<Row[]> {
  const server = await serve();
  try {
    // Each side its own browser: this build (or ENCODED_BENCH_OURS), none, and ENCODED_BENCH_BEFORE if set.
    const build = (dist: string | undefined) => (dist ? { args: [`--disable-extensions-except=${dist}`, `--load-extension=${dist}`] } : {});
    const wanted: [string, Parameters<typeof launchWithExtension>[0]][] = [
      ['ours', { hosts: [HOST], ...build(process.env.ENCODED_BENCH_OURS) }],
      ['base', { hosts: [HOST], extension: false }],
    ];
    if (process.env.ENCODED_BENCH_BEFORE) wanted.push(['before', { hosts: [HOST], ...build(process.env.ENCODED_BENCH_BEFORE) }]);
    const launched: Launched[] = [];
    try {
      for (const [, o] of wanted) launched.push(await launchWithExtension(o));
      const sides: [string, Page][] = [];
      for (let i = 0; i < wanted.length; i++) sides.push([wanted[i][0], await launched[i].context.newPage()]);
      const r: Record<string, { first: number[]; each: number[]; held: number[] }> = {};
      for (let round = 0; round < ROUNDS + 1; round++) {
        for (const [label, body] of BODIES) {
          for (const [side, tab] of sides) {
            // A fresh page each time: the first request is the one that may load the guard's bundle.
            await tab.goto(server.url('/'), { waitUntil: 'load' });
            const v = await calls(tab, body, CALLS);
            if (round === 0) continue; // warm-up: connections, compile
            const k = `${side} ${label}`;
            (r[k] ??= { first: [], each: [], held: [] }).first.push(v.first);
            r[k].each.push(v.each);
            r[k].held.push(v.held);
          }
        }
      }
      const rows: Row[] = [];
      for (const [label] of BODIES) {
        const a = r[`ours ${label}`];
        const b = r[`base ${label}`];
        const each = median(a.each) - median(b.each);
        rows.push({
          area: 'encoded',
          case: `fetch round trip, JSON body with ${label} (µs per call, ${CALLS} in sequence, p50 of ${ROUNDS})`,
          ours: `${median(a.each).toFixed(0)} µs (+${each.toFixed(0)})`,
          baseline: `${median(b.each).toFixed(0)} µs`,
          ratio: median(a.each) / median(b.each),
          target: '≤ 100 µs added',
          met: each <= 100,
        });
        const held = median(a.held) - median(b.held);
        rows.push({
          area: 'encoded',
          case: `the hooks' decision alone, ${label} (fetch with an aborted signal, no network: µs per call, ${CALLS * 4} in sequence, p50 of ${ROUNDS})`,
          ours: `${median(a.held).toFixed(1)} µs (+${held.toFixed(1)})`,
          baseline: `${median(b.held).toFixed(1)} µs`,
          ratio: median(a.held) / median(b.held),
          target: '≤ 100 µs added',
          met: held <= 100,
        });
        const first = median(a.first) - median(b.first);
        rows.push({
          area: 'encoded',
          case: `first such fetch on a fresh page, ${label} (ms, p50 of ${ROUNDS})`,
          ours: `${median(a.first).toFixed(1)} ms (+${first.toFixed(1)})`,
          baseline: `${median(b.first).toFixed(1)} ms`,
          ratio: median(a.first) / median(b.first),
          target: '≤ 5 ms added',
          met: first <= 5,
        });
      }
      for (const [label] of process.env.ENCODED_BENCH_BEFORE ? BODIES : []) {
        const a = r[`before ${label}`];
        const b = r[`base ${label}`];
        rows.push({
          area: 'encoded',
          case: `  (the other build) round trip / first fetch / decision alone, ${label}`,
          ours: `${median(a.each).toFixed(0)} µs (+${(median(a.each) - median(b.each)).toFixed(0)}); ${median(a.first).toFixed(1)} ms (+${(median(a.first) - median(b.first)).toFixed(1)}); decision ${median(a.held).toFixed(1)} µs (+${(median(a.held) - median(b.held)).toFixed(1)})`,
          baseline: `${median(b.each).toFixed(0)} µs; ${median(b.first).toFixed(1)} ms; ${median(b.held).toFixed(1)} µs`,
        });
      }
      return rows;
    } finally {
      await Promise.all(launched.map((b) => b.close().catch(() => undefined)));
    }
  } finally {
    await server.close();
  }
}
