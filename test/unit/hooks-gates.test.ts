/**
 * The gates of the page hooks for what a page derived from a File, in Node, talking to a stand-in for
 * the guard over the hooks' real private line (bridge-client.ts: a MessagePort): what each send asks the
 * guard, whether a refusal is known at once (a marked name), and that a File's decision is asked once
 * and shared by everything derived from it (no second scan of its bytes).
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subject, ToGuard } from '../../extension/content/bridge.js';

type Gates = typeof import('../../extension/content/hooks/gates.js');
type Lineage = typeof import('../../extension/content/hooks/lineage.js');
let gates: Gates;
let lineage: Lineage;
/** Every question the hooks asked the stand-in guard, in order. */
const asked: { channel: string; subjects: Subject[] }[] = [];
let guardPort: MessagePort;

beforeAll(async () => {
  // The hooks open their line by posting a port to their window at load: the stand-in takes it.
  (globalThis as unknown as { window: unknown }).window = {
    postMessage: (_m: unknown, _o: string, ports: MessagePort[]) => {
      guardPort = ports[0];
      guardPort.onmessage = (e: MessageEvent<ToGuard>) => asked.push({ channel: e.data.channel, subjects: e.data.subjects });
      guardPort.postMessage({ t: 'config', guarded: true });
    },
  };
  gates = await import('../../extension/content/hooks/gates.js');
  lineage = await import('../../extension/content/hooks/lineage.js');
  await new Promise((r) => setTimeout(r, 20)); // the config arrives
});
beforeEach(() => void asked.splice(0));

const settle = () => new Promise((r) => setTimeout(r, 20));
const describeSubject = (s: Subject) => (s.kind === 'file' ? `file ${s.name}` : s.kind);

describe('gates for derived Blobs', () => {
  it('a Blob made from a name-marked File is refused at once, by that File', async () => {
    const marked = new File(['見積金額は別紙のとおり'], '秘—見積.txt');
    const copy = new Blob(['x']);
    lineage.link(copy, lineage.derive([marked, 'tail']));
    const g = gates.gateBlob('fetch', copy);
    expect(g).toMatchObject({ ready: false, refusedNow: true });
    await settle();
    expect(asked.flatMap((a) => a.subjects.map(describeSubject))).toEqual(['file 秘—見積.txt', 'bytes']);
  });

  it("a clean File is asked about once: its pieces, copies and re-wraps share that one question's answer", async () => {
    const clean = new File(['来週の定例は水曜'], '議事録.txt');
    const piece = new Blob(['p']);
    const renamed = new File(['r'], 'renamed.txt');
    lineage.link(piece, lineage.sourcesOf(clean));
    lineage.link(renamed, lineage.derive([clean]));
    const decisions = [gates.gateBlob('fetch', clean), gates.gateBlob('xhr', piece), gates.gateBlob('fetch', renamed)];
    for (const g of decisions) expect(g).toMatchObject({ ready: false, refusedNow: false });
    await settle();
    expect(asked.flatMap((a) => a.subjects.map(describeSubject))).toEqual(['file 議事録.txt']);
    const [first] = asked;
    expect(first.subjects[0]).toMatchObject({ kind: 'file', name: '議事録.txt' });
  });

  it('a clean File re-wrapped under a marked name is refused at once by that name', async () => {
    const clean = new File(['来週の定例'], '議事録2.txt');
    const renamed = new File(['r'], '秘—議事録.txt');
    lineage.link(renamed, lineage.derive([clean]));
    expect(gates.gateBlob('fetch', renamed)).toMatchObject({ ready: false, refusedNow: true });
    await settle();
    expect(asked.flatMap((a) => a.subjects.map(describeSubject))).toEqual(['file 議事録2.txt', 'file 秘—議事録.txt']);
  });

  it('storage judges only the Files bytes came from (not downloaded page data)', async () => {
    const f = new File(['a'], 'C-plan.txt');
    const bytes = new ArrayBuffer(4);
    lineage.link(bytes, lineage.inherited(f));
    expect(gates.carriedGate('storage', { bytes }, true)).toMatchObject({ ready: false, refusedNow: true });
    expect(gates.carriedGate('storage', { data: new Uint8Array(4), blob: new Blob(['downloaded']) }, true)).toEqual({ ready: true });
    await settle();
    expect(asked.flatMap((a) => a.subjects.map(describeSubject))).toEqual(['file C-plan.txt']);
  });

  it('a multipart body in a text is asked about as bytes (its parts), and one stamped too in one question', async () => {
    const mp = 'preamble\r\n--b\r\nContent-Disposition: form-data; name="f"; filename="C-plan.txt"\r\n\r\nplan\r\n--b--\r\n';
    expect(gates.gateText('fetch', mp)).toMatchObject({ ready: false, refusedNow: false });
    expect(gates.gateText('fetch', mp.replace('plan\r\n', '秘 Confidential\r\n'))).toMatchObject({ ready: false, refusedNow: true });
    expect(gates.gateText('fetch', '{"q":"clean text"}')).toEqual({ ready: true });
    await settle();
    expect(asked.map((a) => a.subjects.map(describeSubject))).toEqual([['bytes'], ['text', 'bytes']]);
    const blob = (asked[0].subjects[0] as { blob: Blob }).blob;
    expect(await blob.text()).toBe(mp.slice('preamble\r\n'.length)); // from the delimiter line on
  });

  it('a text in a transfer encoding only the guard decodes is asked about, not passed (red team web6 #3, #4)', async () => {
    const encoded = ['note \x1b$BHk\x1b(B Confidential', JSON.stringify({ s: '\x1b$BHk\x1b(B Confidential' }), 'body==E7=A7=98 Confidential', 'q=%94%E9+Confidential', '{"s":"=?UTF-8?Q?=E7=A7=98_Confidential?="}', 'q=%u79D8%20Confidential'];
    for (const text of encoded) expect(gates.gateText('fetch', text), text).toMatchObject({ ready: false, refusedNow: false });
    // A body that percent-decodes as UTF-8 is judged here: clean, so passed.
    expect(gates.gateText('fetch', `q=${encodeURIComponent('秘書室 Confidential')}`)).toEqual({ ready: true });
    await settle();
    expect(asked.map((a) => a.subjects.map(describeSubject))).toEqual(encoded.map(() => ['text']));
  });
});
