/**
 * `new EventSource(url)` and `new WebSocket(url)` cannot wait for the guard (red team guard4 F5): a clean
 * URL whose query holds base64 whose bytes hold 秘 (base64 of 「…秘書室…」, or a token that merely contains
 * `56eY`) was refused with a SecurityError and no dialog. The hooks now decode such a URL in the page and
 * judge its text at once: clean ones connect, marked ones are refused with the warning. A URL that still
 * cannot be judged at once (the page replaced built-ins the in-page decoding relies on) is refused, the
 * employee is told why once the guard has cleared it, and the page's retry of it connects.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CLEAN_TEXT, MARKED_TEXT, UNGUARDED_HOST, siteSuite, closeWarnings, readWarning, waitFor } from './support/index.js';

const GUARDED = 'chatgpt.com';
/** base64 of UTF-8, as pages put text in a realtime API's URL (`btoa(unescape(encodeURIComponent(s)))`). */
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** A clean context whose base64 holds 秘's bytes (秘書室 in 「議事録_定例.txt」's summary). */
const CLEAN_CTX = b64(`{"file":"議事録_定例.txt","note":"${CLEAN_TEXT}"}`);
const MARKED_CTX = b64(`{"file":"報告書_第3四半期.txt","note":"${MARKED_TEXT}"}`);
/** A JWT-like token that happens to contain `56eY` (one of 秘's base64 alignments). */
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.Qx56eYkR2mVb0aLq9TzW8nPc3sYdKfHj.x7Ua1';

const site = siteSuite([GUARDED, UNGUARDED_HOST], '/c.html', { pages: { '/c.html': '<!doctype html><meta charset="utf-8"><title>接続</title><p>接続</p>' } });
const { open } = site;

/**
 * Opens `kind` on the query `q` (channel `ch`): 'open' once connected (a WebSocket then sends `ch` as its
 * first frame), or the error its constructor threw.
 */
function connect(page: Page, kind: 'es' | 'ws', ch: string, q: string): Promise<string> {
  return page.evaluate(
    ({ kind, ch, q }) =>
      new Promise<string>((resolve) => {
        try {
          if (kind === 'es') {
            const es = new EventSource(`/log/events?ch=${ch}&${q}`);
            es.onopen = () => (es.close(), resolve('open'));
            es.onerror = () => (es.close(), resolve('error event'));
          } else {
            const ws = new WebSocket(`wss://${location.host}/ws?${q}`);
            ws.onopen = () => (ws.send(ch), ws.close(), resolve('open'));
            ws.onerror = () => resolve('error event');
          }
        } catch (e) {
          resolve(`${(e as Error).name}: ${(e as Error).message}`);
        }
      }),
    { kind, ch, q },
  );
}

const arrived = (host: string, ch: string) =>
  site.server.received.filter((a) => a.host === host && (a.channel === ch || (a.channel === 'websocket' && a.text === ch)));

describe('EventSource and WebSocket URLs are judged at once (F5)', () => {
  for (const kind of ['es', 'ws'] as const) {
    it(`${kind}: base64 of a clean text with 秘書室, and a token containing 56eY, connect on ${GUARDED} with no dialog`, async () => {
      const page = await open(GUARDED);
      expect(await connect(page, kind, `${kind}-clean-ctx`, `ctx=${encodeURIComponent(CLEAN_CTX)}`)).toBe('open');
      expect(await connect(page, kind, `${kind}-clean-ctx-raw`, `ctx=${CLEAN_CTX}`)).toBe('open');
      expect(await connect(page, kind, `${kind}-token`, `token=${TOKEN}`)).toBe('open');
      expect(await waitFor(() => arrived(GUARDED, `${kind}-token`).length > 0)).toBe(true);
      expect(arrived(GUARDED, `${kind}-clean-ctx`)).toHaveLength(1);
      expect(arrived(GUARDED, `${kind}-clean-ctx-raw`)).toHaveLength(1);
      if (kind === 'es') expect(arrived(GUARDED, 'es-clean-ctx')[0].text).toContain(CLEAN_CTX);
      expect(await closeWarnings(page, 500)).toBe(0);
      await page.close();
    });

    it(`${kind}: base64 of a stamped text is refused on ${GUARDED}, and the employee sees the warning`, async () => {
      const page = await open(GUARDED);
      const result = connect(page, kind, `${kind}-marked`, `ctx=${encodeURIComponent(MARKED_CTX)}`);
      expect(await result).toMatch(/^SecurityError/);
      const w = await readWarning(page);
      expect(w.action).toBe('block');
      expect(w.text).toContain('秘');
      await closeWarnings(page, 1000);
      await page.waitForTimeout(300);
      expect(arrived(GUARDED, `${kind}-marked`)).toEqual([]);
      await page.close();
    });
  }

  it('a URL the page cannot judge at once (it replaced a built-in) is refused with an explanation, and its retry connects', async () => {
    const page = await open(GUARDED);
    // A new own property on String.prototype: the hooks no longer trust their own decoding here.
    await page.evaluate(() => Object.defineProperty(String.prototype, 'ugPolyfill', { value: 1, configurable: true }));
    expect(await connect(page, 'ws', 'ws-unchecked', `ctx=${CLEAN_CTX}`)).toMatch(/^SecurityError/);
    const w = await readWarning(page);
    expect(w.text).toContain('接続を保留しました');
    await closeWarnings(page, 1000);
    expect(await connect(page, 'ws', 'ws-unchecked-retry', `ctx=${CLEAN_CTX}`)).toBe('open');
    expect(await waitFor(() => arrived(GUARDED, 'ws-unchecked-retry').length > 0)).toBe(true);
    // Marked stays refused, with its own warning (not the explanation).
    expect(await connect(page, 'ws', 'ws-unchecked-marked', `ctx=${MARKED_CTX}`)).toMatch(/^SecurityError/);
    const m = await readWarning(page);
    expect(m.text).not.toContain('接続を保留しました');
    await closeWarnings(page, 1000);
    expect(arrived(GUARDED, 'ws-unchecked-marked')).toEqual([]);
    await page.close();
  });

  it('control: on the unguarded host the stamped base64 connects by both constructors', async () => {
    const page = await open(UNGUARDED_HOST);
    expect(await connect(page, 'es', 'u-es-marked', `ctx=${encodeURIComponent(MARKED_CTX)}`)).toBe('open');
    expect(await connect(page, 'ws', 'u-ws-marked', `ctx=${encodeURIComponent(MARKED_CTX)}`)).toBe('open');
    expect(await waitFor(() => arrived(UNGUARDED_HOST, 'u-ws-marked').length > 0)).toBe(true);
    expect(arrived(UNGUARDED_HOST, 'u-es-marked')).toHaveLength(1);
    await page.close();
  });
});
