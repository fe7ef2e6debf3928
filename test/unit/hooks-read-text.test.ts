/**
 * Strings read out of Files carry their File (read-text.ts): a body holding a piece of one is judged by
 * that File's decision. In Node, with the derivation hooks on a window-like object (as hooks-lineage).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { hookDerived } from '../../extension/content/hooks/derived.js';
import { inherited, link } from '../../extension/content/hooks/lineage.js';
import { keptAs, keptIn } from '../../extension/content/hooks/read-text.js';

// derived.ts asks the guard about a FormData body's Files (gates.ts), whose line opens at load by
// posting a port to the window: a window to post to (no guard answers here).
vi.hoisted(() => {
  (globalThis as unknown as { window?: unknown }).window ??= { postMessage() {} };
});

type Win = Window & typeof globalThis;
const w = Object.create(globalThis) as Win;
beforeAll(() => hookDerived(w));

const bytesOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + ((i * i) >> 3)) & 0xff);
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const fileOf = (name: string, u: Uint8Array) => new File([u as BlobPart], name, { type: 'application/octet-stream' });

describe('a string read out of a File, and the bodies that carry a piece of it', () => {
  it('a data: URL kept by link(), found again in any of its 16+ character pieces, whatever wraps them', () => {
    const f = fileOf('秘—見積.bin', bytesOf(300, 1));
    const url = `data:application/octet-stream;base64,${b64(bytesOf(300, 1))}`;
    link(url, inherited(f));
    const body64 = url.split(',')[1];
    for (let k = 0; k + 24 <= body64.length; k += 24) {
      const piece = body64.slice(k, k + 24);
      expect(keptIn(JSON.stringify({ id: 'x', i: k, chunk: piece }))?.files[0], piece).toBe(f);
    }
    expect(keptIn(`content=${encodeURIComponent(body64.slice(40, 80))}&name=a`)?.files[0]).toBe(f); // a form body, decoded
    expect(keptIn(`{"data":"${body64.slice(100, 140).replaceAll('/', '\\/')}"}`)?.files[0]).toBe(f); // JSON's \/ resolved
  });

  it('a piece two files share (their first line) is the latest read file\'s, also once the ring has wrapped', () => {
    const head = bytesOf(18, 4); // 24 base64 characters every one of these files starts with
    const withHead = (seed: number) => Uint8Array.from([...head, ...bytesOf(60, seed)]);
    let latest: File | undefined;
    for (let n = 0; n < 11; n++) {
      latest = fileOf(`報告書_${n}.bin`, withHead(20 + n));
      link(`data:application/octet-stream;base64,${b64(withHead(20 + n))}`, inherited(latest));
      const files = keptIn(JSON.stringify({ i: 0, chunk: b64(head) }))?.files ?? [];
      expect(files.length).toBe(1);
      expect(files[0], `after ${n + 1} reads`).toBe(latest); // the same File (toEqual finds every File equal)
    }
  });

  it('a piece the page turned URL-safe (-_ for +/) is still found, between those characters', () => {
    const u = bytesOf(240, 7);
    const f = fileOf('秘—u.bin', u);
    link(b64(u), inherited(f));
    const urlSafe = b64(u).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
    expect(urlSafe).not.toBe(b64(u));
    expect(keptIn(JSON.stringify({ part: urlSafe.slice(60, 200) }))?.files[0]).toBe(f);
  });

  it('leaves other bodies alone: its own words, short pieces, another file', () => {
    const f = fileOf('a.bin', bytesOf(200, 2));
    const s = b64(bytesOf(200, 2));
    link(s, inherited(f));
    expect(keptIn(JSON.stringify({ prompt: 'data:application/octet-stream please', model: 'gpt-4o-mini' }))).toBeUndefined();
    expect(keptIn(JSON.stringify({ tail: s.slice(0, 12) }))).toBeUndefined(); // under 16 characters
    expect(keptIn(JSON.stringify({ other: b64(bytesOf(200, 9)) }))).toBeUndefined();
    // Not a File's (page-made bytes): not kept.
    const mine = b64(bytesOf(120, 5));
    link(mine, { files: [], rest: new Blob(['x']) });
    expect(keptIn(mine)).toBeUndefined();
  });

  it('Blob#text() of a File, and btoa of a binary string read from one, are kept', async () => {
    const f = fileOf('notes.txt', new TextEncoder().encode(`${'0123456789abcdef'.repeat(4)} end of notes\n`));
    const text = await f.text();
    expect(keptIn(`{"q":"see 0123456789abcdef0123456789abcdef please"}`)?.files[0]).toBe(f);
    const bin = String.fromCharCode(...bytesOf(90, 3));
    const g = fileOf('秘—x.bin', bytesOf(90, 3));
    link(bin, inherited(g));
    expect(keptAs(bin)?.files[0]).toBe(g);
    const encoded = w.btoa(bin);
    expect(encoded).toBe(b64(bytesOf(90, 3)));
    expect(keptIn(encoded.slice(30, 60))?.files[0]).toBe(g);
    expect(text.length).toBeGreaterThan(16);
    // Called as the browser's: no argument is an error, not the base64 of "undefined".
    expect(() => (w.btoa as unknown as () => string)()).toThrow(TypeError);
  });

  it('another file sharing the first bytes (a format header, a common start) is not taken for the kept one', () => {
    const head = bytesOf(600, 60);
    const mine = Uint8Array.from([...head, ...bytesOf(200, 61)]);
    const theirs = Uint8Array.from([...head, ...bytesOf(200, 62)]);
    const f = fileOf('秘—mine.docx', mine);
    link(`data:application/octet-stream;base64,${b64(mine)}`, inherited(f));
    expect(keptIn(JSON.stringify({ data: `data:application/octet-stream;base64,${b64(theirs)}` }))).toBeUndefined();
    expect(keptIn(JSON.stringify({ chunk: b64(theirs).slice(0, 800) }))?.files[0]).toBe(f); // the same 600 bytes: a piece of mine too
    expect(keptIn(JSON.stringify({ data: b64(mine) }))?.files[0]).toBe(f);
  });

  it('a string read again is kept once (a page reading reader.result twice does not push out the others)', () => {
    const f = fileOf('once.bin', bytesOf(64, 30));
    const url = `data:application/octet-stream;base64,${b64(bytesOf(64, 30))}`;
    const older = fileOf('older.bin', bytesOf(64, 31));
    link(b64(bytesOf(64, 31)), inherited(older));
    for (let i = 0; i < 12; i++) link(url, inherited(f));
    expect(keptIn(b64(bytesOf(64, 31)))?.files[0]).toBe(older);
  });

  it('keeps the last eight strings: an older one is no longer found', () => {
    const first = fileOf('first.bin', bytesOf(64, 40));
    const firstText = b64(bytesOf(64, 40));
    link(firstText, inherited(first));
    expect(keptIn(firstText)?.files[0]).toBe(first);
    for (let i = 0; i < 8; i++) link(b64(bytesOf(64, 50 + i)), inherited(fileOf(`f${i}.bin`, bytesOf(64, 50 + i))));
    expect(keptIn(firstText)).toBeUndefined();
  });
});
