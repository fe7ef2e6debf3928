/**
 * A File's bytes leaving as something derived from it (issue 15, hand-offs): copied chunk by chunk out
 * of a stream, re-wrapped under another name, sliced and joined, read into an ArrayBuffer and handed to
 * a Worker, and a multipart form built by hand and sent under another Content-Type. A file marked by its
 * name only has clean content: it must still not arrive, however it is re-wrapped.
 */
import type { Technique } from '../harness.js';

/** A Worker that uploads the bytes it is given (PUT), then answers. */
const UPLOAD_WORKER = `onmessage = async (e) => {
  const r = await fetch(e.data.url, { method: 'PUT', body: e.data.bytes }).then((r) => r.status, (err) => String(err));
  postMessage(r);
};`;

const rows: Technique[] = [
  {
    id: 'blob-url-stream-chunks',
    title: "a blob: URL's response stream read chunk by chunk, the chunks joined in a new Blob and PUT",
    carries: ['file'],
    run: async (p, t) => {
      const url = URL.createObjectURL(t.file(p));
      const reader = (await fetch(url)).body!.getReader();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      URL.revokeObjectURL(url);
      return t.settle(fetch(t.url('blob-url-stream-chunks'), { method: 'PUT', body: new Blob(chunks) }));
    },
  },
  {
    id: 'file-stream-copied',
    title: 'file.stream() read by async iteration, the chunks copied into one Uint8Array (set) and POSTed',
    carries: ['file'],
    run: async (p, t) => {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      for await (const c of t.file(p).stream() as unknown as AsyncIterable<Uint8Array<ArrayBuffer>>) chunks.push(c);
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return t.settle(fetch(t.url('file-stream-copied'), { method: 'POST', body: all }));
    },
  },
  {
    id: 'stream-pipe-to-sink',
    title: "file.stream() piped into the page's own WritableStream, whose sink collects the chunks and PUTs them",
    carries: ['file'],
    run: async (p, t) => {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      await t.file(p).stream().pipeTo(new WritableStream({ write: (c) => void chunks.push(c) }));
      return t.settle(fetch(t.url('stream-pipe-to-sink'), { method: 'PUT', body: new Blob(chunks) }));
    },
  },
  {
    id: 'rewrap-blob',
    title: 'new Blob([file]) appended to a FormData as "upload.bin" and POSTed',
    carries: ['file'],
    run: async (p, t) => {
      const fd = new FormData();
      fd.append('file', new Blob([t.file(p)], { type: 'application/octet-stream' }), 'upload.bin');
      return t.settle(fetch(t.url('rewrap-blob'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'rewrap-renamed',
    title: 'new File([file], a clean name) POSTed in a FormData (and the original appended under a clean filename)',
    carries: ['file'],
    run: async (p, t) => {
      const renamed = new File([t.file(p)], `renamed-${p.nonce}.txt`, { type: 'text/plain' });
      const fd = new FormData();
      fd.append('file', renamed);
      const first = await t.settle(fetch(t.url('rewrap-renamed'), { method: 'POST', body: fd }));
      const fd2 = new FormData();
      fd2.append('file', t.file(p), `other-${p.nonce}.txt`);
      return [first, await t.settle(fetch(t.url('rewrap-renamed'), { method: 'POST', body: fd2 }))];
    },
  },
  {
    id: 'slices-joined',
    title: 'file.slice() pieces joined in a new File under another name, PUT raw',
    carries: ['file'],
    run: async (p, t) => {
      const f = t.file(p);
      const joined = new File([f.slice(0, 7), f.slice(7)], 'joined.txt');
      return t.settle(fetch(t.url('slices-joined'), { method: 'PUT', body: joined }));
    },
  },
  {
    id: 'arraybuffer-to-worker',
    title: 'file.arrayBuffer() transferred to a dedicated Worker, which PUTs it',
    carries: ['file'],
    assets: { '/asset/upload-worker.js': { type: 'text/javascript', body: UPLOAD_WORKER } },
    run: async (p, t) => {
      const bytes = await t.file(p).arrayBuffer();
      const worker = new Worker('/asset/upload-worker.js');
      const answered = new Promise((r) => (worker.onmessage = (e) => r(e.data)));
      worker.postMessage({ url: new URL(t.url('arraybuffer-to-worker'), location.href).href, bytes }, [bytes]);
      const r = await Promise.race([answered, t.sleep(3000)]);
      worker.terminate();
      return r;
    },
  },
  {
    id: 'filereader-xhr',
    title: 'FileReader.readAsArrayBuffer(file), the result sent by XMLHttpRequest',
    carries: ['file'],
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsArrayBuffer(t.file(p));
      await read;
      return new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', t.url('filereader-xhr'));
        x.onloadend = resolve;
        x.send(reader.result as ArrayBuffer);
      });
    },
  },
  {
    id: 'request-file-body',
    title: 'fetch(new Request(url, { method: "PUT", body: file }))',
    carries: ['file'],
    run: (p, t) => t.settle(fetch(new Request(t.url('request-file-body'), { method: 'PUT', body: t.file(p) }))),
  },
  {
    id: 'request-read-back',
    title: 'the file read back out of a Request made with it (new Request(url, { body: file }).arrayBuffer()), then PUT',
    carries: ['file'],
    run: async (p, t) => {
      const bytes = await new Request(t.url('unused'), { method: 'POST', body: t.file(p) }).arrayBuffer();
      return t.settle(fetch(t.url('request-read-back'), { method: 'PUT', body: bytes }));
    },
  },
  {
    id: 'response-read-back',
    title: 'the file read back out of a Response made with it (new Response(file).blob()), then sent in a FormData',
    carries: ['file'],
    run: async (p, t) => {
      const fd = new FormData();
      fd.append('file', await new Response(t.file(p)).blob(), 'upload.bin');
      return t.settle(fetch(t.url('response-read-back'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'multipart-as-text',
    title: 'a multipart body built by hand from file.text() and sent as text/plain',
    carries: ['file'],
    run: async (p, t) => {
      const f = t.file(p);
      const b = `----x${p.nonce}`;
      const body = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: text/plain\r\n\r\n${await f.text()}\r\n--${b}--\r\n`;
      return t.settle(fetch(t.url('multipart-as-text'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body }));
    },
  },
  {
    id: 'multipart-as-octets',
    title: 'a multipart body built by hand as bytes and sent as application/octet-stream',
    carries: ['file'],
    run: async (p, t) => {
      const f = t.file(p);
      const b = `----x${p.nonce}`;
      const head = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\n\r\n`;
      const text = new TextEncoder().encode(`${head}${await f.text()}\r\n--${b}--\r\n`);
      return t.settle(fetch(t.url('multipart-as-octets', `&name=${p.nonce}`), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: text }));
    },
  },
  {
    id: 'typed-array-copies',
    title: "a stream chunk copied through new Uint8Array(chunk) and Array.from, byte by byte into a new buffer, PUT",
    carries: ['file'],
    // The copies keep no link to the File: the guard reads them as page-made bytes, stopped by a marking in them.
    gap: { leaks: ['name-marked-file'], why: 'bytes copied by a typed-array constructor keep no link to their File; its content is clean' },
    run: async (p, t) => {
      const { value } = await t.file(p).stream().getReader().read();
      const copy = new Uint8Array(Array.from(new Uint8Array(value!)));
      const out = new Uint8Array(copy.length);
      for (let i = 0; i < copy.length; i++) out[i] = copy[i];
      return t.settle(fetch(t.url('typed-array-copies'), { method: 'PUT', body: out }));
    },
  },
  {
    id: 'filereader-reused',
    title: 'one FileReader reads another (marked) file first, then this one; the second result is PUT',
    carries: ['file'],
    run: async (p, t) => {
      const reader = new FileReader();
      const readAll = (b: Blob) => new Promise((r) => ((reader.onload = r), reader.readAsArrayBuffer(b)));
      await readAll(new File([`前回の添付 ${p.nonce}x`], '秘—前回.txt'));
      await readAll(t.file(p));
      return t.settle(fetch(t.url('filereader-reused'), { method: 'PUT', body: reader.result as ArrayBuffer }));
    },
  },
  {
    id: 'xhr-reused-blob-url',
    title: "one XMLHttpRequest reads a (marked) file's blob: URL, then this file's; the second response is PUT",
    carries: ['file'],
    run: async (p, t) => {
      const x = new XMLHttpRequest();
      const get = (b: Blob) =>
        new Promise<ArrayBuffer>((resolve) => {
          x.open('GET', URL.createObjectURL(b));
          x.responseType = 'arraybuffer';
          x.onload = () => resolve(x.response as ArrayBuffer);
          x.send();
        });
      await get(new File([`前回の添付 ${p.nonce}x`], '秘—前回.txt'));
      const bytes = await get(t.file(p));
      return t.settle(fetch(t.url('xhr-reused-blob-url'), { method: 'PUT', body: bytes }));
    },
  },
  {
    id: 'multipart-late-delimiter',
    title: 'a multipart body built by hand as bytes behind a 4 KiB preamble, sent as application/octet-stream',
    carries: ['file'],
    run: async (p, t) => {
      const f = t.file(p);
      const b = `----x${p.nonce}`;
      const preamble = `${'This is a multipart message in MIME format. '.repeat(100)}\r\n`;
      const head = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\n\r\n`;
      const bytes = new Blob([preamble, head, f, `\r\n--${b}--\r\n`]);
      const body = new Uint8Array(await bytes.arrayBuffer()).slice(); // page-made bytes: no link to the File
      return t.settle(fetch(t.url('multipart-late-delimiter', `&name=${p.nonce}`), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(Array.from(body)) }));
    },
  },
];

export default rows;
