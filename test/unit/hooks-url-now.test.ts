/**
 * A constructor's URL (`new EventSource(url)`, `new WebSocket(url)`) is judged in the page, at once
 * (red team guard4 F5): base64 whose bytes hold 秘 (a clean text with 秘書室 in it, a token that happens
 * to hold `56eY`) is decoded with the guard's own decoding and passes without a question; base64 of a
 * stamped text is refused at once and asked about (so the guard warns). The same URL through an
 * asynchronous channel (fetch, an image) still goes to the guard, which also reads documents in it.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subject, ToGuard } from '../../extension/content/bridge.js';

type Url = typeof import('../../extension/content/hooks/url.js');
let url: Url;
const asked: Subject[][] = [];

beforeAll(async () => {
  (globalThis as unknown as { window: unknown }).window = {
    postMessage: (_m: unknown, _o: string, ports: MessagePort[]) => {
      ports[0].onmessage = (e: MessageEvent<ToGuard>) => asked.push(e.data.subjects);
      ports[0].postMessage({ t: 'config', guarded: true });
    },
  };
  url = await import('../../extension/content/hooks/url.js');
  await new Promise((r) => setTimeout(r, 20));
});
beforeEach(() => void asked.splice(0));
const settle = () => new Promise((r) => setTimeout(r, 20));
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('a constructor URL with base64 that may hide the stamp', () => {
  const clean = `wss://chatgpt.com/ws?ctx=${encodeURIComponent(b64('{"note":"打合せは 3 階。秘書室に連絡済み"}'))}`;
  const token = 'wss://chatgpt.com/ws?token=eyJhbGciOiJIUzI1NiJ9.Qx56eYkR2mVb0aLq9TzW8nPc3sYdKfHj';
  const marked = `wss://chatgpt.com/ws?ctx=${b64('来期の価格表です。秘 Confidential 取扱注意')}`;

  it('clean base64 of 秘書室 and a token holding 56eY: ready at once, nothing asked', async () => {
    expect(url.gateUrl('websocket', clean, true)).toEqual({ ready: true });
    expect(url.gateUrl('url', token, true)).toEqual({ ready: true });
    await settle();
    expect(asked).toEqual([]);
  });

  it('base64 of a stamped text: refused at once, and the decoded text is asked about (the guard warns)', async () => {
    expect(url.gateUrl('websocket', marked, true)).toMatchObject({ ready: false, refusedNow: true });
    await settle();
    expect(asked.map((s) => s.map((x) => x.kind))).toEqual([['text']]);
    expect((asked[0][0] as { text: string }).text).toContain('秘 Confidential');
  });

  it('the same clean URL by fetch still goes to the guard (which also reads documents in it)', async () => {
    expect(url.gateUrl('fetch', clean)).toMatchObject({ ready: false, refusedNow: false });
    await settle();
    expect(asked.map((s) => s.map((x) => x.kind))).toEqual([['url']]);
  });
});
