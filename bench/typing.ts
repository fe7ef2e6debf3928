/**
 * `npm run bench -- typing`: what the typing watch adds to every keystroke of a typing-heavy editor page,
 * in real Chromium, with and without the extension side by side (two browsers, the same page, the
 * same keys, alternating runs). The page is a collaborative editor on a guarded host that sends every
 * keystroke as its own request; its document is a contenteditable already holding a long text
 * (≈ 20,000 and ≈ 200,000 characters of Japanese prose, the caret at the end), plus a textarea.
 *
 * Per keystroke the page itself measures, in its own handlers (which run after the guard's capture
 * listeners): keydown event time → its `input` handler (what the guard adds to the key being typed),
 * and → the moment its `fetch` for that key returned control (the synchronous cost of the request hook).
 * Keys are real key events (CDP Input.dispatchKeyEvent), clean text.
 *   node bin/run-ts.js bench/run.ts typing     (build first: npm run build)
 */
import type { Page } from 'playwright-core';
import { serveSite, type Site } from './site.js';
import { withAndWithout } from './browser-pair.js';
import { median, type Row } from './table.js';

const HOST = 'docs.google.com';
const KEYS = '来週の打合せは三階の会議室で行います。秘書室にも連絡済みです。Meeting notes follow. ';
const RUNS = 3;

function page(chars: number): string {
  const para = '来週の定例は水曜 10 時から。部品の納期と検査の段取りを確認します。議事録は各自で確認してください。';
  const text = para.repeat(Math.ceil(chars / para.length)).slice(0, chars);
  return `<!doctype html><meta charset="utf-8"><title>editor</title>
<div id="doc" contenteditable="true">${text}</div><textarea id="box"></textarea>
<script>
window.__lat = [];
for (const id of ['doc', 'box']) {
  const el = document.getElementById(id);
  let down = 0;
  el.addEventListener('keydown', (e) => { down = e.timeStamp; });
  el.addEventListener('input', (e) => {
    const input = performance.now() - down;
    fetch('/key', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'insert', text: e.data }) });
    window.__lat.push([input, performance.now() - down]);
  });
}
</script>`;
}

function serve(): Promise<Site> {
  const pages: Record<string, string> = { '/short': page(20_000), '/long': page(200_000) };
  return serveSite(HOST, (path, res) => {
    if (path === '/key') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    const body = pages[path];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
}

/** Types KEYS into `sel` (caret at the end) and returns the page's [to input, to fetch issued] per key, ms. */
async function typeAll(p: Page, url: string, sel: string): Promise<[number, number][]> {
  await p.goto(url, { waitUntil: 'load' });
  await p.evaluate((s) => {
    const el = document.querySelector(s) as HTMLElement;
    el.focus();
    if (!el.isContentEditable) return; // a textarea keeps its own caret (at the end, it is empty)
    const r = document.createRange();
    r.selectNodeContents(el);
    r.collapse(false);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(r);
  }, sel);
  const cdp = await p.context().newCDPSession(p);
  try {
    for (const c of KEYS) {
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: c, text: c, unmodifiedText: c });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: c });
    }
  } finally {
    await cdp.detach();
  }
  return p.evaluate(() => (window as unknown as { __lat: [number, number][] }).__lat);
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

export async function runTypingBench(): Promise<Row[]> {
  const server = await serve();
  try {
    return await withAndWithout([HOST], async (pair) => {
      const tabs = await Promise.all(pair.map((b) => b.context.newPage()));
      const rows: Row[] = [];
      const cases: [string, string, string][] = [
        ['contenteditable, 20,000 chars', '/short', '#doc'],
        ['contenteditable, 200,000 chars', '/long', '#doc'],
        ['textarea', '/short', '#box'],
      ];
      for (const [label, path, sel] of cases) {
        process.stderr.write(`  typing: ${label}\n`);
        const ours: [number, number][] = [];
        const base: [number, number][] = [];
        for (let i = 0; i < RUNS; i++) {
          ours.push(...(await typeAll(tabs[0], server.url(path), sel)));
          base.push(...(await typeAll(tabs[1], server.url(path), sel)));
        }
        if (ours.length === 0 || base.length === 0) {
          rows.push({ area: 'typing', case: label, ours: 'FAILED: no keystroke reached the page' });
          continue;
        }
        for (const [k, what] of [[0, 'key → page input handler'], [1, 'key → keystroke request issued']] as const) {
          const a = ours.map((x) => x[k]);
          const b = base.map((x) => x[k]);
          const added = p95(a) - p95(b);
          rows.push({
            area: 'typing',
            case: `${what}, ${label} (p50 / p95 of ${a.length} keys)`,
            ours: `${median(a).toFixed(2)} / ${p95(a).toFixed(2)} ms (+${(median(a) - median(b)).toFixed(2)} / +${added.toFixed(2)})`,
            baseline: `${median(b).toFixed(2)} / ${p95(b).toFixed(2)} ms`,
            ratio: median(a) / median(b),
            target: '≤ 4 ms added at p95 (a quarter of a 60 Hz frame)',
            met: added <= 4,
          });
        }
      }
      return rows;
    });
  } finally {
    await server.close();
  }
}
