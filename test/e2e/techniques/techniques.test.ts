/**
 * Every technique in rows/*.ts, with marked and clean payloads, on each guarded host and on a control
 * host, in one real Chromium with the built extension (one page per host, reused; rows that run in the
 * page go on all hosts at once).
 *
 * Fails when, on a guarded host, a marked file or text reaches the server or a clean one does not; and
 * when, on the control host, anything fails to arrive (the technique must work, or the guarded result
 * proves nothing). A row's declared `gap` (which marked payloads still leak, and why) is expected
 * exactly: closing it, or any other leak, turns the row red. At the end a table of every run is printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchWithExtension, type Launched } from '../support/index.js';
import { startCompatServer, type CompatServer } from '../compat/server.js';
import { CONTROL_HOST, GUARDED, POLICY } from '../compat/targets.js';
import { payloads, reached, reachedSince, runOne, waitReached, type Payload, type Technique } from './harness.js';

const ROWS = new URL('./rows/', import.meta.url);
const TECHNIQUES: Technique[] = [];
/** `UG_TECHNIQUES=regex` runs only the rows whose id matches (while working on one). */
const only = process.env.UG_TECHNIQUES ? new RegExp(process.env.UG_TECHNIQUES) : null;
for (const f of readdirSync(ROWS).filter((f) => /\.ts$/.test(f)).sort()) {
  const rows = ((await import(new URL(f, ROWS).href)) as { default: Technique[] }).default;
  TECHNIQUES.push(...rows.filter((t) => !only || only.test(t.id)));
}

const PAGE = '/techniques';
let server: CompatServer;
let browser: Launched;
const pages = new Map<string, Page>();
/**
 * Every marked payload sent on a guarded host, for the closing sweep, with how many arrivals the server
 * had when the payload was last checked: the sweep reads only the later ones (those were all read then).
 */
const sentMarked: { tech: Technique; host: string; p: Payload; checked: number }[] = [];
/** One line per run, printed at the end: what happened to each payload. */
const report: string[] = [];

beforeAll(async () => {
  process.env.LC_ALL = 'C.UTF-8';
  const hosts = [...new Set([...GUARDED, CONTROL_HOST, ...TECHNIQUES.flatMap((t) => t.hosts ?? [])])];
  server = await startCompatServer(hosts);
  server.assets.set(PAGE, { type: 'text/html; charset=utf-8', body: readFileSync(new URL('./page.html', import.meta.url)) });
  for (const t of TECHNIQUES) for (const [path, asset] of Object.entries(t.assets ?? {})) server.assets.set(path, asset);
  browser = await launchWithExtension({ policy: POLICY, hosts, lang: 'ja' });
  for (const host of [...GUARDED, CONTROL_HOST]) {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, PAGE));
    pages.set(host, page);
  }
});

afterAll(async () => {
  console.log(`technique runs (host technique payload: outcome, ms)\n${report.join('\n')}`);
  await browser?.close();
  await server?.close();
});

it('every technique has a unique id and a way to run', () => {
  const ids = TECHNIQUES.map((t) => t.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const t of TECHNIQUES) expect(Boolean(t.run) !== Boolean(t.drive), t.id).toBe(true);
});

/** Runs every payload of `tech` on `host`'s page; returns what went wrong. */
async function runRow(host: string, tech: Technique, guarded: boolean): Promise<string[]> {
  const page = pages.get(host)!;
  if (tech.drive) await page.bringToFront();
  const problems: string[] = [];
  const earlier: string[] = [];
  for (const p of payloads(tech)) {
    const t0 = Date.now();
    // A marked payload's warning is waited for (it can open after a call that returned at once); a clean
    // one's too, briefly, so that a warning it wrongly raised is counted against it.
    const grace = guarded ? (p.marked ? 1_500 : 600) : 300;
    // Arrivals before this payload was sent cannot carry its nonce: only later ones are read. Reading
    // them all (decoding every megabyte body received so far) held the server's event loop for up to a
    // minute late in the run.
    const from = server.received.length;
    const warnings = (await runOne(page, tech, p, grace)).warnings;
    let arrived: boolean;
    let resent = false;
    if (guarded && p.marked) {
      await new Promise((r) => setTimeout(r, 300));
      const checked = server.received.length;
      arrived = reached(tech, server.received.slice(from, checked), p);
      sentMarked.push({ tech, host, p, checked });
      if (arrived) problems.push(`${p.label} reached the server`);
    } else {
      arrived = await waitReached(server.received, from, tech, p, 8_000);
      if (!arrived && tech.resend) {
        resent = true;
        const again = await runOne(page, tech, p, grace);
        warnings.push(...again.warnings);
        arrived = await waitReached(server.received, from, tech, p, 8_000);
      }
      if (!arrived) problems.push(`${p.label} did not arrive${guarded ? ' (the guard broke a clean upload)' : ''}`);
    }
    const warned = warnings.length > 0;
    if (!guarded && warned) problems.push(`${p.label}: a warning showed on an unguarded host`);
    // Over-blocking is a defect too: a clean payload sent on a guarded host is never asked about. A
    // warning that names an earlier payload of this row (its nonce) is that one's, opening late.
    const own = warnings.filter((w) => !earlier.some((n) => w.includes(n)));
    if (guarded && !p.marked && own.length > 0) problems.push(`${p.label}: a warning showed for a clean payload (${own[0].slice(0, 160)})`);
    // One action, one question: the page's other copies of a refused payload are refused without asking again.
    if (guarded && p.marked && own.length > 1) problems.push(`${p.label}: asked ${own.length} times for one send (${own.map((w) => w.slice(0, 200)).join(' | ')})`);
    earlier.push(p.nonce);
    report.push(`${host} ${tech.id} ${p.label} (${p.nonce}): ${arrived ? 'arrived' : 'stopped'}${resent ? ' (sent twice)' : ''}${warned ? `, warned${warnings.length > 1 ? ` ×${warnings.length}` : ''}` : ''}, ${Date.now() - t0}`);
  }
  return problems;
}

const rows = TECHNIQUES.map((t) => [`${t.id}: ${t.title}`, t] as const);

/**
 * Each row on every host: the guarded ones (a marked payload must not arrive, beyond the row's declared
 * gap; a clean one must) and the control (everything must arrive). A row run in the page (`run`) goes on
 * the three hosts at once, each in its own tab: payloads carry their own nonces, so the runs cannot see
 * each other's arrivals. A row that drives real input (`drive`: keys, drags, choosers) goes one host at a
 * time, its tab in front.
 */
it.each(rows)('%s', async (_name, tech) => {
  const hosts: [string, boolean][] = [...GUARDED.map((h) => [h, true] as [string, boolean]), [CONTROL_HOST, false]];
  const leaks = (tech.gap?.leaks ?? []).map((l) => `${l} reached the server`);
  const expected = (guarded: boolean) => (guarded && !tech.gap?.sometimes ? leaks : []);
  const got: Record<string, string[]> = {};
  const run = async (host: string, guarded: boolean) => {
    const problems = await runRow(host, tech, guarded);
    // A gap that goes either way: its leaks are neither required nor counted against the row.
    got[host] = guarded && tech.gap?.sometimes ? problems.filter((x) => !leaks.includes(x)) : problems;
  };
  if (tech.drive) for (const [host, guarded] of hosts) await run(host, guarded);
  else await Promise.all(hosts.map(([host, guarded]) => run(host, guarded)));
  expect(got, tech.gap?.why).toEqual(Object.fromEntries(hosts.map(([host, guarded]) => [host, expected(guarded)])));
});

it('no marked payload reached the server from a guarded host, even late (beyond declared gaps)', { timeout: 300_000 }, async () => {
  await new Promise((r) => setTimeout(r, 500));
  const since = reachedSince(server.received.slice());
  const leaks = sentMarked
    .filter(({ tech, p, checked }) => !tech.gap?.leaks.includes(p.label as never) && since(tech, p, checked))
    .map(({ tech, host, p }) => `${host} ${tech.id} ${p.label}`);
  expect(leaks).toEqual([]);
});
