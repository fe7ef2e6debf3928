/**
 * A File read into a string and that string sent in pieces, one request each (as chunked uploaders
 * of base64 APIs do), or sent whole without the File's name: no single body holds a document the
 * engine can read, and a file marked by its name alone has clean content. The hooks keep the strings
 * read out of Files (extension/content/hooks/read-text.ts), so each piece carries its File's decision.
 *
 * A piece counts as arrived when 16 or more base64 characters of a marked file reach the server (the
 * tail of a chunked upload shorter than that, a dozen bytes, may pass: docs/page-channels.md); a clean
 * file must arrive whole, every piece in its order.
 */
import type { Arrival } from '../../support/index.js';
import type { Payload, Technique } from '../harness.js';

/** The pieces of `p` that reached the server on channel `ch`, in their order. */
function pieces(arrivals: Arrival[], ch: string, p: Payload): string[] {
  const got: { i: number; chunk: string }[] = [];
  for (const a of arrivals) {
    if (a.channel !== ch || !a.text) continue;
    try {
      const j = JSON.parse(a.text) as { id?: string; i?: number; chunk?: string };
      if (j.id === p.nonce && typeof j.chunk === 'string' && typeof j.i === 'number') got.push({ i: j.i, chunk: j.chunk });
    } catch {
      /* not one of ours */
    }
  }
  return got.sort((a, b) => a.i - b.i).map((g) => g.chunk);
}

/** A marked file reached the server when any piece of 16+ characters did; a clean one when all did. */
const reachedInPieces = (ch: string) => (arrivals: Arrival[], p: Payload): boolean => {
  const got = pieces(arrivals, ch, p);
  return got.join('') === p.b64 || (p.marked && got.some((c) => c.length >= 16));
};

const rows: Technique[] = [
  {
    id: 'data-url-chunks',
    title: 'readAsDataURL(file), its base64 cut into 24-character pieces, each POSTed as JSON on its own (no name)',
    carries: ['file'],
    reached: reachedInPieces('data-url-chunks'),
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const b64 = (reader.result as string).split(',')[1];
      for (let i = 0, k = 0; k < b64.length; i++, k += 24) {
        const body = JSON.stringify({ id: p.nonce, i, chunk: b64.slice(k, k + 24) });
        await t.settle(fetch(t.url('data-url-chunks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      }
    },
  },
  {
    id: 'binary-string-btoa-chunks',
    title: 'readAsBinaryString(file), btoa of it, cut in two, each half sent by XMLHttpRequest as a form field',
    carries: ['file'],
    reached: reachedInPieces('binary-string-btoa-chunks'),
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsBinaryString(t.file(p));
      await read;
      const b64 = btoa(reader.result as string);
      const half = Math.ceil(b64.length / 8) * 4;
      for (const [i, chunk] of [b64.slice(0, half), b64.slice(half)].entries()) {
        await new Promise((resolve) => {
          const x = new XMLHttpRequest();
          x.open('POST', t.url('binary-string-btoa-chunks'));
          x.setRequestHeader('content-type', 'application/json');
          x.onloadend = resolve;
          x.send(JSON.stringify({ id: p.nonce, i, chunk }));
        });
      }
    },
  },
];

export default rows;
