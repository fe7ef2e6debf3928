/**
 * Copies the browser makes of what a page holds, which come back as new Files, Blobs or bytes with no
 * link to the File they came from (red team web6 F1, F2): a FormData read back out of a Response or a
 * Request made with it, and a history state. In Node, with the hooks on a window-like object, talking
 * to a stand-in for the guard over the hooks' real private line, which refuses a file holding the stamp.
 * (structuredClone and data: URLs keep the link: hooks-lineage.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ToGuard } from '../../extension/content/bridge.js';

type Win = Window & typeof globalThis;
/** Node's globals, with a History of its own (Node has none), where the hooks land instead of on globalThis. */
const w = Object.create(globalThis) as Win;
const stored: unknown[] = [];
const History = class {
  pushState(state: unknown) {
    stored.push(state);
  }
  replaceState(state: unknown) {
    stored.push(state);
  }
};
(w as unknown as Record<string, unknown>).History = History;
const history = new History() as unknown as globalThis.History;

beforeAll(async () => {
  // The hooks open their line by posting a port to their window at load: the stand-in takes it and
  // answers every question, no for a file whose text holds the stamp.
  (globalThis as unknown as { window: unknown }).window = {
    postMessage: (_m: unknown, _o: string, ports: MessagePort[]) => {
      const port = ports[0];
      port.onmessage = async (e: MessageEvent<ToGuard>) => {
        if (e.data.t !== 'check') return;
        const texts = await Promise.all(e.data.subjects.map((s) => ('blob' in s ? s.blob.text() : '')));
        port.postMessage({ t: 'answer', id: e.data.id, proceed: !texts.some((t) => t.includes('秘 Confidential')) });
      };
      port.postMessage({ t: 'config', guarded: true });
    },
  };
  const { hookFormData } = await import('../../extension/content/hooks/form-data.js');
  const { hookDerived } = await import('../../extension/content/hooks/derived.js');
  const { hookBlobUrls } = await import('../../extension/content/hooks/blob-url.js');
  const { hookStorage } = await import('../../extension/content/hooks/storage.js');
  hookFormData(w);
  hookDerived(w);
  hookBlobUrls(w);
  hookStorage(w);
  await settle(); // the config arrives
});

const settle = () => new Promise((r) => setTimeout(r, 30));
const nameMarked = () => new File(['見積金額は別紙のとおり\n'], '秘—見積.txt', { type: 'text/plain' });
const stamped = () => new File(['秘 Confidential\n見積\n'], '見積.txt', { type: 'text/plain' });
const clean = () => new File(['来週の定例は水曜\n'], '議事録.txt', { type: 'text/plain' });
const formWith = (f: File) => {
  const fd = new FormData();
  fd.append('note', 'see attached');
  fd.append('file', f, 'upload.bin');
  return fd;
};

describe('a FormData read back out of a Response or a Request made with it (F1)', () => {
  it('a file marked by its name, appended under another: no Response or Request is made of it', () => {
    expect(() => new w.Response(formWith(nameMarked()))).toThrow(TypeError);
    expect(() => new w.Request('https://example.com/up', { method: 'POST', body: formWith(nameMarked()) })).toThrow(TypeError);
  });

  it('a file the guard refused (the employee dismissed the warning): none either, once the answer is in', async () => {
    const fd = formWith(stamped());
    await settle(); // the append asked; the stand-in said no
    expect(() => new w.Response(fd)).toThrow(TypeError);
  });

  it('a clean file reads back byte for byte, under the name it was appended with, by every read', async () => {
    const f = clean();
    const back = (await new w.Response(formWith(f)).formData()).get('file') as File;
    expect(back.name).toBe('upload.bin');
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(new Uint8Array(await f.arrayBuffer()));
    const request = new w.Request('https://example.com/up', { method: 'POST', body: formWith(f) });
    expect(await request.clone().text()).toContain('来週の定例は水曜');
    expect((await request.blob()).size).toBeGreaterThan(f.size);
  });
});

describe('a history state holding a Blob derived from a File (F2)', () => {
  it('is refused as it is stored when the File is refused now (its copy, read back, would have no link)', () => {
    stored.length = 0;
    expect(() => history.replaceState({ b: new w.Blob([nameMarked()]) }, '')).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
    expect(() => history.pushState({ list: [new w.File([nameMarked()], 'x.bin').slice(1)] }, '')).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
    expect(stored).toEqual([]);
  });

  it('a clean one is stored, and so is state with no File in it', () => {
    stored.length = 0;
    const state = { b: new w.Blob([clean()]) };
    history.replaceState(state, '');
    history.pushState({ page: 2, text: '秘書室' }, '');
    expect(stored).toEqual([state, { page: 2, text: '秘書室' }]);
  });
});
