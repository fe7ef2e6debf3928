/**
 * Requests the browser sends later: `fetchLater` (Chromium 135+) registers a request that leaves after
 * `activateAfter` milliseconds, or when the page goes, whichever comes first (analytics and autosave use
 * it so that nothing is lost when a tab closes). It answers at once, so a body that needs a scan is
 * registered only once it passed.
 */
import type { Technique } from '../harness.js';

type FetchLater = (input: string, init: RequestInit & { activateAfter?: number }) => { activated: boolean };

const rows: Technique[] = [
  {
    id: 'fetch-later-form',
    title: 'fetchLater() of a FormData (the file, or the text as a field), sent after 0 ms',
    run: async (p, t) => {
      (window as unknown as { fetchLater: FetchLater }).fetchLater(t.url('fetch-later-form'), { method: 'POST', body: t.form(p), activateAfter: 0 });
      await t.sleep(1500);
    },
  },
  {
    id: 'fetch-later-json',
    title: 'fetchLater() of the text in a JSON body, sent when the page goes (here: after 200 ms)',
    carries: ['text'],
    run: async (p, t) => {
      const body = JSON.stringify({ draft: p.text });
      (window as unknown as { fetchLater: FetchLater }).fetchLater(t.url('fetch-later-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body, activateAfter: 200 });
      await t.sleep(1500);
    },
  },
];

export default rows;
