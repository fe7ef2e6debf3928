/**
 * Sends made through a hidden same-origin frame (a fresh about:blank iframe the page never shows):
 * the page builds the body in one realm and sends it with the other's `fetch`. The frame's own copy of
 * the hooks used to ask its own guard, whose warning opened inside the hidden frame where nobody could
 * answer it: the send waited, the parent's warning came back during the next sends, and a clean send
 * after it waited ~10 s (the red team's rt-loop rows). The parent's hooks now come first in such a frame
 * (extension/content/page-hooks.ts): one warning, in the page the employee sees.
 */
import type { Technique } from '../harness.js';

// Each row makes its hidden frame itself: a row's `run` is sent to the page as its source text
// (harness.ts), so it cannot call a helper defined here.

const rows: Technique[] = [
  {
    id: 'hidden-frame-index-fetch-form',
    title: "a hidden iframe's fetch, reached as window[n] (not contentWindow), POSTs a FormData made in the page",
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      const w = window[window.length - 1] as unknown as typeof window;
      return t.settle(w.fetch(location.origin + t.url('hidden-frame-index-fetch-form'), { method: 'POST', body: t.form(p) }));
    },
  },
  {
    id: 'hidden-frame-frames-put',
    title: "a hidden iframe's fetch, reached as window.frames[n], PUTs the raw body",
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      const w = window.frames[window.frames.length - 1] as unknown as typeof window;
      return t.settle(w.fetch(location.origin + t.url('hidden-frame-frames-put'), { method: 'PUT', body: t.body(p) }));
    },
  },
  {
    id: 'hidden-frame-cw-fetch-form',
    title: "a hidden iframe's contentWindow.fetch POSTs a FormData made in the page",
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      const w = f.contentWindow as unknown as typeof window;
      return t.settle(w.fetch(location.origin + t.url('hidden-frame-cw-fetch-form'), { method: 'POST', body: t.form(p) }));
    },
  },
  {
    id: 'hidden-frame-own-form',
    title: "a hidden iframe's contentWindow.fetch POSTs a FormData built with that frame's own FormData",
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      const w = f.contentWindow as unknown as typeof window;
      const fd = new w.FormData();
      if (p.kind === 'file') fd.append('file', t.file(p));
      else fd.append('text', p.text);
      return t.settle(w.fetch(location.origin + t.url('hidden-frame-own-form'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'hidden-frame-parent-fetch-child-form',
    title: "the page's own fetch POSTs a FormData built with a hidden iframe's FormData constructor",
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      const w = f.contentWindow as unknown as typeof window;
      const fd = new w.FormData();
      if (p.kind === 'file') fd.append('file', t.file(p));
      else fd.append('text', p.text);
      return t.settle(fetch(t.url('hidden-frame-parent-fetch-child-form'), { method: 'POST', body: fd }));
    },
  },
];

export default rows;
