/**
 * The hand-off bookkeeping of the page hooks, in Node with its real Blob, File, streams and Request:
 * what a page derives from a File (re-wrapped, sliced, read into bytes, streamed chunk by chunk, copied)
 * names that File as its source, so the network, message and storage gates judge it by that File's
 * decision instead of by its own anonymous bytes. The derivation hooks are installed on a window-like
 * object whose globals are Node's (their prototypes are patched for this test file's worker only).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { blobsIn } from '../../extension/content/hooks/carried.js';
import { fromBlobUrl, hookBlobUrls } from '../../extension/content/hooks/blob-url.js';
import { hookDerived } from '../../extension/content/hooks/derived.js';
import { derive, inherited, lineageOf, link, merged, sourcesOf, type Lineage } from '../../extension/content/hooks/lineage.js';
import { keptAs } from '../../extension/content/hooks/read-text.js';

// derived.ts asks the guard about a FormData body's Files (gates.ts), whose line opens at load by
// posting a port to the window: a window to post to (no guard answers here).
vi.hoisted(() => {
  (globalThis as unknown as { window?: unknown }).window ??= { postMessage() {} };
});

type Win = Window & typeof globalThis;
/** Node's globals, with the constructors the hooks replace landing on this object, not on globalThis. */
const w = Object.create(globalThis) as Win;
const marked = new File(['見積金額は別紙のとおり\n'], '秘—見積.txt', { type: 'text/plain' });
const other = new File(['議事録\n'], '議事録.txt');

// As page-hooks.ts installs them: a Request's and a Response's reads are linked by blob-url.ts.
beforeAll(() => {
  hookDerived(w);
  hookBlobUrls(w);
});

const filesOf = (v: unknown) => lineageOf(v)?.files ?? [];
const textOf = (b: Blob | null | undefined) => (b ? b.text() : Promise.resolve(null));

describe('derive: a Blob made of parts', () => {
  it('names every File among its parts once, and keeps the other parts, in order, as one rest Blob', async () => {
    const l = derive(['head:', marked, new Uint8Array([0x41, 0x42]), other, marked, ':tail'])!;
    expect(l.files).toEqual([marked, other]);
    expect(await textOf(l.rest)).toBe('head:AB:tail');
  });

  it('has no lineage when no part comes from a File: the new Blob is judged by its own bytes', () => {
    expect(derive(['秘 Confidential', new Uint8Array(4), new Blob(['x'])])).toBeUndefined();
    expect(derive([])).toBeUndefined();
  });

  it('follows parts that are themselves derived, and bytes linked to a File', () => {
    const inner = derive([marked, 'x'])!;
    const bytes = new ArrayBuffer(3);
    link(bytes, inherited(other));
    const b = new Blob(['y']);
    link(b, inner);
    const l = derive([b, new Uint8Array(bytes)])!;
    expect(l.files).toEqual([marked, other]);
  });
});

describe('link and merged', () => {
  it('links a view by its buffer, and merges what two links name without growing on repeats', async () => {
    const buf = new ArrayBuffer(8);
    link(new Uint8Array(buf, 2, 2), inherited(marked));
    expect(filesOf(buf)).toEqual([marked]);
    const withRest: Lineage = { files: [other], rest: new Blob(['r']) };
    link(buf, withRest);
    const once = lineageOf(buf);
    expect(once?.files).toEqual([marked, other]);
    for (let i = 0; i < 50; i++) link(buf, withRest); // chunk after chunk copied in: nothing new
    expect(lineageOf(buf)).toBe(once);
    expect(await textOf(merged([withRest, { files: [], rest: new Blob(['s']) }]).rest)).toBe('rs');
  });

  it('a fresh link replaces what was linked before (a FileReader or XMLHttpRequest used again), or clears it', () => {
    const reader = {};
    link(reader, inherited(marked));
    link(reader, inherited(other), true);
    expect(filesOf(reader)).toEqual([other]);
    link(reader, inherited(new Blob(['page-made'])), true); // no File behind it: judged by its own bytes again
    expect(lineageOf(reader)).toBeUndefined();
    link(reader, inherited(marked));
    link(reader, undefined); // a plain link of nothing changes nothing
    expect(filesOf(reader)).toEqual([marked]);
  });

  it('ignores what cannot carry bytes', () => {
    link(undefined, inherited(marked));
    link('text', inherited(marked));
    expect(lineageOf('text')).toBeUndefined();
    expect(inherited(new Blob(['x']))).toBeUndefined();
    expect(sourcesOf(marked)).toEqual({ files: [marked], rest: null });
  });
});

describe('the derivation hooks on real Blob, File, stream and Request objects', () => {
  it('new Blob([file]) and new File([file], another name) name the original File', async () => {
    const blob = new w.Blob([marked]);
    const renamed = new w.File(['prefix ', marked], 'renamed.txt');
    expect(filesOf(blob)).toEqual([marked]);
    expect(filesOf(renamed)).toEqual([marked]);
    expect(await textOf(lineageOf(renamed)?.rest)).toBe('prefix ');
    expect(renamed instanceof File && renamed.name).toBe('renamed.txt');
    expect(await renamed.text()).toBe(`prefix ${await marked.text()}`); // the constructor still makes the real thing
    expect(lineageOf(new w.Blob(['clean text']))).toBeUndefined();
  });

  it('reads the parts once and gives the constructor exactly those (a page iterator cannot show two lists)', async () => {
    let calls = 0;
    const sly = { [Symbol.iterator]: () => (++calls === 1 ? [marked][Symbol.iterator]() : ['clean'][Symbol.iterator]()) };
    const b = new w.Blob(sly as unknown as BlobPart[]);
    expect(calls).toBe(1);
    expect(await b.text()).toBe(await marked.text());
    expect(filesOf(b)).toEqual([marked]);
  });

  it('slices, arrayBuffer(), bytes() and copies of those bytes carry the File', async () => {
    const piece = marked.slice(2, 5);
    expect(filesOf(piece)).toEqual([marked]);
    expect(filesOf(piece.slice(1))).toEqual([marked]);
    const buf = await marked.arrayBuffer();
    expect(filesOf(buf)).toEqual([marked]);
    expect(filesOf(await piece.arrayBuffer())).toEqual([marked]);
    const copy = new Uint8Array(100);
    copy.set(new Uint8Array(buf), 10);
    expect(filesOf(copy.buffer)).toEqual([marked]);
    expect(filesOf(new Uint8Array(buf).slice(1))).toEqual([marked]);
    expect(filesOf(buf.slice(0, 4))).toEqual([marked]);
    // Bytes that never came from a File stay unlinked.
    const fresh = new Uint8Array(4);
    fresh.set([1, 2, 3]);
    expect(lineageOf(fresh)).toBeUndefined();
  });

  // (Async iteration is followed on Chromium's iterator prototype; Node gives each iterator its own
  // `next`, so it is covered by the technique suite in Chromium: file-stream-copied.)
  it('every chunk read from a File stream carries the File: reader, tee, pipeThrough, pipeTo', async () => {
    const read = async (s: ReadableStream<Uint8Array>) => {
      const r = s.getReader();
      const out: Uint8Array[] = [];
      for (let x = await r.read(); !x.done; x = await r.read()) out.push(x.value);
      return out;
    };
    const byReader = await read(marked.stream());
    expect(byReader.length).toBeGreaterThan(0);
    for (const c of byReader) expect(filesOf(c)).toEqual([marked]);
    const [a, b] = marked.stream().tee();
    for (const c of [...(await read(a)), ...(await read(b))]) expect(filesOf(c)).toEqual([marked]);
    const through = marked.stream().pipeThrough(new TransformStream<Uint8Array, Uint8Array>());
    for (const c of await read(through)) expect(filesOf(c)).toEqual([marked]);
    const sunk: Uint8Array[] = [];
    await marked.stream().pipeTo(new WritableStream({ write: (c) => void sunk.push(c) }));
    expect(sunk.length).toBeGreaterThan(0);
    for (const c of sunk) expect(filesOf(c)).toEqual([marked]);
    expect(new TextDecoder().decode(sunk[0])).toBe(await marked.text()); // piped through unchanged
  });

  it('a Request made with a File (or its stream) as its body carries the File, and so do its clones', () => {
    const r = new w.Request('https://example.com/up', { method: 'PUT', body: marked });
    expect(filesOf(r)).toEqual([marked]);
    expect(filesOf(r.clone())).toEqual([marked]);
    expect(lineageOf(new w.Request('https://example.com/up', { method: 'PUT', body: 'clean' }))).toBeUndefined();
  });

  it('what is read back out of a Request or a Response made with a File carries the File', async () => {
    const request = () => new w.Request('https://example.com/up', { method: 'PUT', body: marked });
    expect(filesOf(await request().arrayBuffer())).toEqual([marked]);
    expect(filesOf(await request().blob())).toEqual([marked]);
    expect(filesOf(await new w.Request('https://example.com/up', { method: 'PUT', body: 'clean' }).arrayBuffer())).toEqual([]);
    // Also where the page has no Cache Storage (an http: page), which once made the Response hook.
    expect(filesOf(await new w.Response(marked).blob())).toEqual([marked]);
    expect(filesOf(await new w.Response(marked.slice(3)).arrayBuffer())).toEqual([marked]);
    expect(filesOf(await new w.Response('clean').blob())).toEqual([]);
    // Its text, as a file's text(), is kept with the File (read-text.ts): its base64 sent is that File's.
    const long = new File(['見積金額は別紙のとおり、来期の単価は据え置きとします。\n'], '秘—単価表.txt');
    const text = await new w.Request('https://example.com/up', { method: 'PUT', body: long }).text();
    expect(keptAs(text)?.files).toEqual([long]);
  });

  it('a structured clone of what carries a File carries it too: Blobs and bytes, however deep (red team web6 F2)', async () => {
    const copy = w.structuredClone({ list: [new w.Blob(['head', marked])], bytes: await marked.arrayBuffer(), n: 1 });
    expect(filesOf(copy.list[0])).toEqual([marked]);
    expect(filesOf(copy.bytes)).toEqual([marked]);
    expect(await copy.list[0].text()).toBe(`head${await marked.text()}`); // the browser's own copy
    expect(filesOf(w.structuredClone(marked.slice(1)))).toEqual([marked]);
    // A copy of what carries no File is judged by its own bytes, as its source is.
    expect(lineageOf(w.structuredClone(new w.Blob(['秘書室']))) ?? null).toBeNull();
    expect(w.structuredClone({ a: [1, '社外秘'] })).toEqual({ a: [1, '社外秘'] });
  });

  it("a data: URL read out of a File (readAsDataURL), fetched back, carries the File (red team web6 F2's helper)", async () => {
    const f = new File(['見積金額は別紙のとおり、来期の単価は据え置き\n'], '秘—単価.txt');
    const url = `data:text/plain;base64,${Buffer.from(await f.arrayBuffer()).toString('base64')}`;
    link(url, inherited(f)); // what FileReader#result does for readAsDataURL (derived.ts)
    const r = new Response('x');
    expect(await fromBlobUrl(url, Promise.resolve(r))).toBe(r);
    expect(filesOf(r)).toEqual([f]);
    expect(filesOf(await r.blob())).toEqual([f]);
    // Another file's data: URL, and one never read out of a File, carry nothing.
    const other2 = new Response('y');
    await fromBlobUrl(`data:text/plain;base64,${Buffer.from('議事録: 来週の定例は水曜日').toString('base64')}`, Promise.resolve(other2));
    expect(lineageOf(other2)).toBeUndefined();
  });

  it('bytes and streams handed to postMessage or IndexedDB stand for their File there (carried.ts)', async () => {
    const bytes = await marked.arrayBuffer();
    expect(blobsIn({ job: { bytes, view: new Uint8Array(bytes, 1) } })).toEqual([marked, marked]);
    expect(blobsIn(marked.stream())).toEqual([marked]);
    expect(blobsIn(new Uint8Array(8))).toEqual([]);
  });
});
