/**
 * Frames, the network layer and tabs that predate the guard, in real Chromium, judged by the bytes
 * that reach the server:
 * - an upload widget in a cross-origin frame on a host that is no service, inside a guarded page:
 *   a marked file chosen there never arrives, a clean one does; inside an unguarded page both arrive;
 * - a request that no page hook can see (a Service Worker building and sending the upload itself):
 *   the network layer stops a name-marked part and stamped text when blocking webRequest is granted
 *   (as for a policy-installed extension), records it with channel `network`; without that grant it
 *   records what escaped with outcome `allowed`;
 * - the package without the network layer (NETWORK_LAYER=off) starts without webRequest and keeps the
 *   page guard; a Service Worker's marked upload then arrives (the trade-off docs/scope.md states);
 * - a tab loaded before the extension existed (browser restarted with the extension newly installed
 *   and the session restored) is brought under guard.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../src/policy/extension-id.js';
import { SAMPLES, arrivals, dismissWarning, readWarning, launchWithExtension, startSiteServer, type Launched, type SiteServer } from './support/index.js';
import { withoutNetworkLayer } from './support/lean.js';

const TOP = 'mail.yahoo.co.jp';
const CONTROL = 'example.org';
const WIDGET = 'upload-widget.storage-cdn.example';
const HOSTS = [TOP, CONTROL, WIDGET];

/** A file input that uploads each chosen file on change to its own host, tagged `ch`. */
const uploadInput = (id: string, ch: string) => `<input type="file" id="${id}">
<script>
document.getElementById('${id}').addEventListener('change', async (e) => {
  for (const file of e.target.files) {
    const fd = new FormData();
    fd.append('file', file, file.name);
    await fetch('/upload?ch=${ch}', { method: 'POST', body: fd });
  }
});
</script>`;

/** The upload widget: a file input that uploads on change to its own host, like embedded pickers do. */
const WIDGET_PAGE = `<!doctype html><meta charset="utf-8">${uploadInput('f', 'widget')}`;

/** The compose page's own attachment input, uploading on change to its own host. */
const TOP_UPLOAD = uploadInput('top', 'top');

/** A Service Worker that uploads what it builds itself: no page hook runs there. */
const SW = `
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('message', (e) => {
  const { kind, name, text } = e.data;
  let body;
  if (kind === 'get') return e.waitUntil(fetch('/log/suggest?ch=sw&q=' + encodeURIComponent(text)).then(() => e.source.postMessage('sent'), () => e.source.postMessage('failed')));
  if (kind === 'file') { body = new FormData(); body.append('file', new File([text], name, { type: 'text/plain' }), name); }
  else body = JSON.stringify({ prompt: text });
  e.waitUntil(fetch('/upload?ch=sw', { method: 'POST', body, headers: kind === 'file' ? {} : { 'content-type': 'application/json' } }).then(() => e.source.postMessage('sent'), () => e.source.postMessage('failed')));
});`;
const SW_PAGE = `<!doctype html><meta charset="utf-8"><script>
window.swReady = navigator.serviceWorker.register('/ug-sw.js').then(() => navigator.serviceWorker.ready).then(async () => {
  if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
});
window.viaSw = (msg) => new Promise((resolve) => {
  navigator.serviceWorker.addEventListener('message', (e) => resolve(e.data), { once: true });
  navigator.serviceWorker.controller.postMessage(msg);
});
</script>`;

let server: SiteServer;

/**
 * A page whose speculation rules come in its `Speculation-Rules` response header, not in its markup:
 * document rules over links to the widget host's /log/, which the page's script writes (no script element
 * for the page hooks or the guard to see).
 */
const specRoute = (req: IncomingMessage, res: ServerResponse): boolean => {
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  if (path === '/spec-header') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'speculation-rules': '"/spec-rules.json"' });
    res.end('<!doctype html><meta charset="utf-8"><h1>compose</h1>');
    return true;
  }
  if (path === '/spec-rules.json') {
    res.writeHead(200, { 'content-type': 'application/speculationrules+json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ prefetch: [{ source: 'document', where: { href_matches: server.url(WIDGET, '/log/*') }, eagerness: 'immediate' }] }));
    return true;
  }
  return false;
};

beforeAll(async () => {
  server = await startSiteServer({
    hosts: HOSTS,
    route: specRoute,
    pages: {
      // Called per request, when `server` (and so its port) is known.
      '/frames-top': () => `<!doctype html><meta charset="utf-8"><h1>compose</h1>${TOP_UPLOAD}<iframe id="w" src="${server.url(WIDGET, '/widget')}"></iframe>`,
      '/widget': WIDGET_PAGE,
      '/sw-page': SW_PAGE,
      '/ug-sw.js': SW,
    },
  });
});

afterAll(async () => {
  await server?.close();
});

async function widgetFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const f = page.frames().find((x) => x.url().includes(WIDGET));
    if (f && (await f.$('#f').catch(() => null))) return f;
    await page.waitForTimeout(100);
  }
  throw new Error('no widget frame');
}

/** The events the extension queued for the collector (read from its own IndexedDB). */
type Queued = { channel: string; fileName: string | null; outcome: string; action: string; rule: number | null };
async function queuedEvents(sw: Worker): Promise<Queued[]> {
  return sw.evaluate(
    () =>
      new Promise<Queued[]>((resolve, reject) => {
        const open = indexedDB.open('upload-guard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('queue').objectStore('queue').getAll();
          req.onsuccess = () => resolve(req.result.map((r: { event?: unknown; item?: unknown }) => (r.event ?? r.item ?? r) as Queued));
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** Designated by the policy (rule 3): the URL rule blocks it too. */
const KEYWORD = 'プロジェクト青龍 Q3';

const ofChannel = (ch: string) => (a: { host: string; channel: string | null }) => a.channel === ch;

describe.sequential('frames, network layer, tabs that predate the guard', () => {
  let browser: Launched;

  beforeAll(async () => {
    browser = await launchWithExtension({ hosts: HOSTS, lang: 'ja', policy: { designated: { keywords: [KEYWORD] } }, args: [`--allowlisted-extension-id=${EXTENSION_ID}`] });
  });
  afterAll(async () => browser?.close());

  it.each([
    [TOP, false],
    [CONTROL, true],
  ])('an upload widget on an unlisted host inside %s: marked arrives = %s; clean always arrives', async (host, markedArrives) => {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, '/frames-top'));
    const frame = await widgetFrame(page);
    server.clear();
    const clean = SAMPLES.cleanText();
    await frame.setInputFiles('#f', clean.path);
    const got = await arrivals(server, ofChannel('widget'), 1);
    expect(got.map((a) => a.sha256)).toEqual([clean.sha256]);

    for (const marked of [SAMPLES.nameMarked(), SAMPLES.contentDocx()]) {
      server.clear();
      await frame.setInputFiles('#f', marked.path);
      const seen = await arrivals(server, ofChannel('widget'), 1, markedArrives ? 8000 : 3000);
      expect(seen.some((a) => a.sha256 === marked.sha256), marked.name).toBe(markedArrives);
    }
    await page.close();
  });

  it.each([
    [TOP, false],
    [CONTROL, true],
  ])('a Service Worker upload on %s (no page hook there): marked arrives = %s; clean always arrives', async (host, markedArrives) => {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, '/sw-page'));
    await page.evaluate(() => (window as unknown as { swReady: Promise<void> }).swReady);
    const send = (msg: Record<string, string>) => page.evaluate((m) => (window as unknown as { viaSw(m: unknown): Promise<string> }).viaSw(m), msg);

    server.clear();
    expect(await send({ kind: 'file', name: '週報_第12週.txt', text: '来週の予定です。' })).toBe('sent');
    expect(await send({ kind: 'text', text: '要約してください: 来週の定例について' })).toBe('sent');
    expect(await send({ kind: 'get', text: '秘書室 Confidential' })).toBe('sent');
    expect((await arrivals(server, ofChannel('sw'), 3)).length).toBe(3);

    server.clear();
    const before = (await queuedEvents(browser.serviceWorker!)).length;
    const results = [
      await send({ kind: 'file', name: '秘—顧客リスト.txt', text: '顧客一覧' }),
      await send({ kind: 'file', name: 'C—budget.csv', text: '1,2,3' }),
      await send({ kind: 'text', text: '要約して:\n秘\nConfidential 来期価格表' }),
      // Text in a suggest request's query (a GET: no body at all).
      await send({ kind: 'get', text: '秘 Confidential 来期価格表' }),
    ];
    const seen = await arrivals(server, ofChannel('sw'), 4, markedArrives ? 8000 : 2000);
    expect(seen.length).toBe(markedArrives ? 4 : 0);
    expect(results).toEqual(markedArrives ? ['sent', 'sent', 'sent', 'sent'] : ['failed', 'failed', 'failed', 'failed']);
    if (!markedArrives) {
      const events = (await queuedEvents(browser.serviceWorker!)).slice(before);
      expect(events.map((e) => [e.channel, e.fileName, e.rule, e.outcome])).toEqual([
        ['network', '秘—顧客リスト.txt', 2, 'blocked'],
        ['network', 'C—budget.csv', 2, 'blocked'],
        ['network', null, 1, 'blocked'],
        ['network', null, 1, 'blocked'],
      ]);
    }
    await page.close();
  });

  it.each([
    [TOP, false],
    [CONTROL, true],
  ])('elements built from HTML strings on %s (no page hook sees them): a stamped URL arrives = %s; a clean one always', async (host, markedArrives) => {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, '/sw-page'));
    server.clear();
    await page.evaluate((keyword) => {
      const q = (ch: string, text: string) => `/log/${ch}?ch=${ch}&q=${encodeURIComponent(text)}`;
      for (const [ch, text] of [['img-marked', '要約 秘 Confidential 来期価格'], ['img-clean', '秘書室の予定']]) {
        document.body.insertAdjacentHTML('beforeend', `<img src="${q(ch, text)}">`);
      }
      document.body.insertAdjacentHTML('beforeend', `<div style="width:9px;height:9px;background-image:url('${q('css-marked', '秘 CONFIDENTIAL')}')"></div>`);
      document.body.innerHTML += `<link rel="stylesheet" href="${q('link-marked', '㊙ Confidential')}">`;
      // NFKC folds full-width letters (typed with a Japanese IME) onto the stamp; a designated keyword.
      document.body.insertAdjacentHTML('beforeend', `<img src="${q('wide-marked', '秘　Ｃｏｎｆｉｄｅｎｔｉａｌ 議事録')}">`);
      document.body.insertAdjacentHTML('beforeend', `<img src="${q('keyword-marked', `${keyword}の進捗`)}">`);
    }, KEYWORD);
    await arrivals(server, ofChannel('img-clean'), 1);
    await page.waitForTimeout(1000);
    const chans = new Set(server.received.map((a) => a.channel));
    const marked = ['img-marked', 'css-marked', 'link-marked', 'wide-marked', 'keyword-marked'];
    expect(marked.filter((c) => chans.has(c))).toEqual(markedArrives ? marked : []);
    // Chromium took every rule: the stamp's four and the keyword's (none refused for its size).
    const ids = await browser.serviceWorker!.evaluate(async () => (await chrome.declarativeNetRequest.getDynamicRules()).map((r) => r.id));
    expect(ids.sort()).toEqual([1, 2, 3, 4, 5]);
    await page.close();
  });

  it('a prefetch a guarded page asks for is the page sending, wherever it goes: a stamped one to an unguarded host is stopped', async () => {
    // Rules in the page's `Speculation-Rules` response header (document rules over links its script writes),
    // which no page hook or guard sees (speculation.ts): left to this layer. Chromium prefetches in a tab in
    // front only, and not across sites to an origin with a Service Worker (the control host has one, from
    // the tests above).
    const page = await browser.context.newPage();
    await page.goto(server.url(TOP, '/spec-header'));
    await page.bringToFront();
    server.clear();
    const before = (await queuedEvents(browser.serviceWorker!)).length;
    await page.evaluate((urls) => {
      for (const url of urls) {
        const a = document.createElement('a');
        a.href = url;
        a.textContent = 'link';
        document.body.append(a);
      }
    }, ['prefetch-marked', 'prefetch-clean'].map((ch) => server.url(WIDGET, `/log/${ch}?ch=${ch}&q=${encodeURIComponent(ch === 'prefetch-marked' ? '秘 Confidential 来期価格表' : '秘書室の予定')}`)));
    await arrivals(server, ofChannel('prefetch-clean'), 1);
    await page.waitForTimeout(1500);
    expect(server.received.filter(ofChannel('prefetch-marked'))).toEqual([]);
    const events = (await queuedEvents(browser.serviceWorker!)).slice(before);
    expect(events.map((e) => [e.channel, e.rule, e.outcome])).toEqual([['network', 1, 'blocked']]);
    await page.close();
  });

  it('a navigation carrying stamped text in its URL (a link to a prompt, typed or clicked) is judged by where it goes', async () => {
    const to = (host: string, text: string) => server.url(host, `/log/nav?ch=nav&q=${encodeURIComponent(text)}`);
    /** From a page on `from`, go to `host` with `text` in the query (each in its own tab: a blocked one shows an error page). */
    const go = async (from: string, host: string, text: string) => {
      const page = await browser.context.newPage();
      await page.goto(server.url(from, '/sw-page'));
      server.clear();
      const done = page.goto(to(host, text)).then(() => 'loaded', (e: Error) => e.message);
      return { page, result: await done };
    };
    // From an unguarded page to a guarded one: no page hook sees it leave; the network layer does.
    const blocked = await go(CONTROL, TOP, '要約して 秘 Confidential 来期価格表');
    expect(blocked.result).toMatch(/ERR_BLOCKED_BY_CLIENT/);
    expect(server.received.filter(ofChannel('nav'))).toEqual([]);
    await blocked.page.close();
    const clean = await go(CONTROL, TOP, '要約して 秘書室の予定');
    expect(clean.result).toBe('loaded');
    await clean.page.close();
    // From a guarded page to an unguarded one: the employee going elsewhere, not the page sending.
    const page = (await go(TOP, CONTROL, '秘 Confidential 検索')).page;
    const got = await arrivals(server, ofChannel('nav'), 1);
    expect(got.map((a) => [a.host, a.text?.includes('秘 Confidential')])).toEqual([[CONTROL, true]]);
    await page.close();
  });
});

describe.sequential('without blocking webRequest (not installed by policy)', () => {
  let browser: Launched;
  beforeAll(async () => {
    browser = await launchWithExtension({ hosts: HOSTS, lang: 'ja' });
  });
  afterAll(async () => browser?.close());

  it('a Service Worker upload of a marked file arrives, and the escape is on record (outcome allowed)', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(TOP, '/sw-page'));
    await page.evaluate(() => (window as unknown as { swReady: Promise<void> }).swReady);
    server.clear();
    const r = await page.evaluate(() => (window as unknown as { viaSw(m: unknown): Promise<string> }).viaSw({ kind: 'file', name: '秘—顧客リスト.txt', text: '顧客一覧' }));
    expect(r).toBe('sent');
    expect((await arrivals(server, ofChannel('sw'), 1)).length).toBe(1);
    let events: Awaited<ReturnType<typeof queuedEvents>> = [];
    for (let i = 0; i < 50 && !events.some((e) => e.channel === 'network'); i++) {
      await page.waitForTimeout(100);
      events = await queuedEvents(browser.serviceWorker!);
    }
    expect(events.filter((e) => e.channel === 'network').map((e) => [e.fileName, e.action, e.outcome])).toEqual([['秘—顧客リスト.txt', 'block', 'allowed']]);
    await page.close();
  });
});

describe.sequential('the package without the network layer (NETWORK_LAYER=off)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ug-lean-'));
  let browser: Launched;
  beforeAll(async () => {
    browser = await launchWithExtension({ hosts: HOSTS, lang: 'ja', extensionDir: withoutNetworkLayer(root), args: [`--allowlisted-extension-id=${EXTENSION_ID}`] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('holds no webRequest, and its page guard still stops a marked file in a frame on another host', async () => {
    expect(await browser.serviceWorker!.evaluate(() => typeof (globalThis as unknown as { chrome: { webRequest?: unknown } }).chrome.webRequest)).toBe('undefined');
    const page = await browser.context.newPage();
    await page.goto(server.url(TOP, '/frames-top'));
    const frame = await widgetFrame(page);
    server.clear();
    const clean = SAMPLES.cleanText();
    await frame.setInputFiles('#f', clean.path);
    expect((await arrivals(server, ofChannel('widget'), 1)).map((a) => a.sha256)).toEqual([clean.sha256]);
    server.clear();
    const marked = SAMPLES.nameMarked();
    await frame.setInputFiles('#f', marked.path);
    expect((await arrivals(server, ofChannel('widget'), 1, 3000)).some((a) => a.sha256 === marked.sha256)).toBe(false);
    await page.close();
  });

  it('a Service Worker upload of a marked file arrives (what this package gives up), and nothing is recorded at the network', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(TOP, '/sw-page'));
    await page.evaluate(() => (window as unknown as { swReady: Promise<void> }).swReady);
    server.clear();
    const r = await page.evaluate(() => (window as unknown as { viaSw(m: unknown): Promise<string> }).viaSw({ kind: 'file', name: '秘—顧客リスト.txt', text: '顧客一覧' }));
    expect(r).toBe('sent');
    expect((await arrivals(server, ofChannel('sw'), 1)).length).toBe(1);
    await page.waitForTimeout(500);
    expect((await queuedEvents(browser.serviceWorker!)).filter((e) => e.channel === 'network')).toEqual([]);
    await page.close();
  });
});

describe.sequential('a tab restored at browser start, loaded before the extension was there', () => {
  const profile = mkdtempSync(join(tmpdir(), 'ug-restore-'));
  afterAll(() => rmSync(profile, { recursive: true, force: true }));

  it('is brought under guard: marked refused, clean arrives', async () => {
    const first = await launchWithExtension({ hosts: HOSTS, lang: 'ja', extension: false, profile });
    const p = first.context.pages()[0] ?? (await first.context.newPage());
    await p.goto(server.url(TOP, '/frames-top'));
    await p.waitForTimeout(500);
    await first.close();

    const second = await launchWithExtension({ hosts: HOSTS, lang: 'ja', profile, args: ['--restore-last-session'] });
    try {
      let page: Page | undefined;
      for (let i = 0; i < 100 && !page; i++) {
        page = second.context.pages().find((x) => x.url().includes(TOP));
        if (!page) await new Promise((r) => setTimeout(r, 100));
      }
      expect(page, 'the restored tab').toBeDefined();
      const frame = await widgetFrame(page!);
      // The sweep runs when the worker starts; give it its moment (it is not instant after a restart).
      await page!.waitForTimeout(1000);
      const clean = SAMPLES.cleanText();
      server.clear();
      await frame.setInputFiles('#f', clean.path);
      expect((await arrivals(server, ofChannel('widget'), 1)).map((a) => a.sha256)).toEqual([clean.sha256]);
      // Marked by content only: the network layer cannot see it, only a guard in the frame can.
      const marked = SAMPLES.contentDocx();
      server.clear();
      await frame.setInputFiles('#f', marked.path);
      expect((await arrivals(server, ofChannel('widget'), 1, 3000)).map((a) => a.name)).toEqual([]);
      // The guarded page itself: its clean attachment arrives (it never did before the sweep), marked ones do not.
      server.clear();
      await page!.setInputFiles('#top', clean.path);
      expect((await arrivals(server, ofChannel('top'), 1)).map((a) => a.sha256)).toEqual([clean.sha256]);
      for (const m of [SAMPLES.nameMarked(), SAMPLES.contentDocx()]) {
        server.clear();
        await page!.setInputFiles('#top', m.path);
        expect((await readWarning(page!, 15_000)).action, m.name).toBe('block');
        await dismissWarning(page!);
        expect((await arrivals(server, ofChannel('top'), 1, 2000)).map((a) => a.name), m.name).toEqual([]);
      }
    } finally {
      await second.close();
    }
  });
});
