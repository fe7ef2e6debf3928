/**
 * Every technique in rows/*.ts, with marked and clean payloads, on each guarded host and on a control
 * host, in one real Chromium with the built extension (one page per host, reused).
 *
 * Fails when, on a guarded host, a marked file or text reaches the server or a clean one does not; and
 * when, on the control host, anything fails to arrive (the technique must work, or the guarded result
 * proves nothing). Add a technique to the table when the guard handles it: a row that leaks is a
 * red suite, by design.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type Launched } from '../support/index.js';
import { startCompatServer, type CompatServer } from '../compat/server.js';
import { CONTROL_HOST, GUARDED, POLICY } from '../compat/targets.js';
import { payloads, reached, runOne, waitReached, type Payload, type Technique } from './harness.js';

const ROWS = new URL('./rows/', import.meta.url);
const TECHNIQUES: Technique[] = [];
for (const f of readdirSync(ROWS).filter((f) => /\.ts$/.test(f)).sort()) {
  TECHNIQUES.push(...((await import(new URL(f, ROWS).href)) as { default: Technique[] }).default);
}

const PAGE = '/techniques';
let server: CompatServer;
let browser: Launched;
const pages = new Map<string, Page>();
/** Every marked payload sent on a guarded host, for the closing sweep. */
const sentMarked: { tech: Technique; host: string; p: Payload }[] = [];

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
  await browser?.close();
  await server?.close();
});

it('every technique has a unique id and a way to run', () => {
  const ids = TECHNIQUES.map((t) => t.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const t of TECHNIQUES) expect(Boolean(t.run) !== Boolean(t.drive), t.id).toBe(true);
});

describe.each(GUARDED)('guarded: %s', (host) => {
  it.each(TECHNIQUES.map((t) => [`${t.id}: ${t.title}`, t] as const))('%s', async (_name, tech) => {
    const page = pages.get(host)!;
    await page.bringToFront();
    const outcome: string[] = [];
    for (const p of payloads(tech)) {
      await runOne(page, tech, p);
      if (p.marked) {
        sentMarked.push({ tech, host, p });
        await new Promise((r) => setTimeout(r, 300));
        if (reached(tech, server.received, p)) outcome.push(`${p.label} reached the server`);
      } else if (!(await waitReached(server.received, tech, p, 8_000))) {
        outcome.push(`${p.label} did not arrive (the guard broke a clean upload)`);
      }
    }
    expect(outcome).toEqual([]);
  });
});

describe(`control: ${CONTROL_HOST} (not guarded: every payload must arrive)`, () => {
  it.each(TECHNIQUES.map((t) => [`${t.id}: ${t.title}`, t] as const))('%s', async (_name, tech) => {
    const page = pages.get(CONTROL_HOST)!;
    await page.bringToFront();
    const missing: string[] = [];
    for (const p of payloads(tech)) {
      const { warned } = await runOne(page, tech, p);
      if (warned) missing.push(`${p.label}: a warning showed on an unguarded host`);
      if (!(await waitReached(server.received, tech, p, 8_000))) missing.push(`${p.label} did not arrive`);
    }
    expect(missing).toEqual([]);
  });
});

it('no marked payload reached the server from a guarded host, even late', async () => {
  await new Promise((r) => setTimeout(r, 500));
  const leaks = sentMarked.filter(({ tech, p }) => reached(tech, server.received, p)).map(({ tech, host, p }) => `${host} ${tech.id} ${p.label}`);
  expect(leaks).toEqual([]);
});
