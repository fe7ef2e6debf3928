/**
 * The network layer (blocking webRequest, granted as when the extension is force-installed) behind the
 * page side, on what the page side once read only in part (red team web5; since round 6 the page side
 * reads them too, and whichever layer answers first refuses): a text body whose stamp comes after its
 * first 4 MiB, the stamp as a form field's name, a field's value percent-encoded once more than the form
 * encodes it. Judged by what reaches the server: on the guarded host the marked bodies never, the clean
 * ones whole; on the control host everything.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { EXTENSION_ID } from '../../src/policy/extension-id.js';
import { UNGUARDED_HOST, closeWarnings, siteSuite, waitFor } from './support/index.js';

const GUARDED = 'chatgpt.com';
const site = siteSuite([GUARDED, UNGUARDED_HOST], '/n.html', {
  pages: { '/n.html': '<!doctype html><meta charset="utf-8"><title>送信</title><p>送信</p>' },
  args: [`--allowlisted-extension-id=${EXTENSION_ID}`],
});

const STAMP = '議事録 秘 Confidential';
const TRAP = '議事録 秘書室 Confidential';

/** Sends by `how` on channel `ch`; what fetch resolved or failed with. */
function send(page: Page, how: 'long-log' | 'field-name' | 'twice-escaped', ch: string, text: string): Promise<string> {
  return page.evaluate(
    async ({ how, ch, text }) => {
      const url = `/upload?ch=${ch}`;
      let init: RequestInit;
      if (how === 'long-log') init = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '2026-12-06 10:00:00 upload ok\n'.repeat(150_000) + text };
      else if (how === 'field-name') init = { method: 'POST', body: new URLSearchParams([[text, '1']]) };
      else init = { method: 'POST', body: new URLSearchParams([['q', encodeURIComponent(text)]]) };
      try {
        await fetch(url, init);
        return 'sent';
      } catch (e) {
        return String(e);
      }
    },
    { how, ch, text },
  );
}

const arrived = (host: string, ch: string) => site.server.received.filter((a) => a.host === host && a.channel === ch);

describe('the network layer reads what the page side reads only in part', () => {
  for (const how of ['long-log', 'field-name', 'twice-escaped'] as const) {
    it(`${how}: the stamped body never reaches ${GUARDED}, the clean one does; on ${UNGUARDED_HOST} both arrive`, async () => {
      const page = await site.open(GUARDED);
      // The page side now reads these bodies too and holds the send on its own dialog: the send is
      // answered (Escape) until it settles, refused by whichever layer stopped it first.
      let marked: string | undefined;
      void send(page, how, `${how}-marked`, STAMP).then((r) => (marked = r));
      for (let i = 0; i < 60 && marked === undefined; i++) await closeWarnings(page, 1_000);
      expect(marked).toBeDefined();
      expect(marked).not.toBe('sent');
      expect(arrived(GUARDED, `${how}-marked`)).toEqual([]);
      expect(await send(page, how, `${how}-clean`, TRAP)).toBe('sent');
      expect(await waitFor(() => arrived(GUARDED, `${how}-clean`).length > 0)).toBe(true);
      await page.close();

      const control = await site.open(UNGUARDED_HOST);
      expect(await send(control, how, `${how}-control`, STAMP)).toBe('sent');
      expect(await waitFor(() => arrived(UNGUARDED_HOST, `${how}-control`).length > 0)).toBe(true);
      await control.close();
    });
  }
});
