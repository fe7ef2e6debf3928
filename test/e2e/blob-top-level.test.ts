/**
 * A guarded tab that navigates itself (top level, same tab) to a `blob:` HTML page it made, whose first
 * inline script submits a form holding the text of a stamped memo (red team guard4 F4), text/plain and
 * urlencoded, to the guarded host.
 *
 * What made it leak: not the timing. A blob: page without a charset is read in the UI language's legacy
 * charset (windows-1252 under an English UI, Shift_JIS under Japanese), so the UTF-8 the page wrote
 * into its markup becomes mojibake (「ç§˜ Confidential」): not marked as the page holds it, but the form
 * sends it back in that charset, i.e. as the UTF-8 bytes it was, which the server reads as 「秘
 * Confidential」. The guard now reads every native submission's text as it is sent, and as UTF-8, in a
 * document of another charset (form-submit.ts onFormData); the network layer (blocking granted) reads
 * the bytes and judges a blob: tab by the request's initiator and target. Each layer is checked here:
 * the page side alone (no blocking webRequest), and both. Clean text arrives byte for byte; on the
 * unguarded control host the stamped memo arrives by the same technique.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { EXTENSION_ID } from '../../src/policy/extension-id.js';
import { CLEAN_TEXT, MARKED_TEXT, UNGUARDED_HOST, closeWarnings, launchWithExtension, startSiteServer, waitFor, type Launched, type SiteServer } from './support/index.js';

const GUARDED = 'chatgpt.com';
const ENCTYPES = ['text/plain', 'application/x-www-form-urlencoded'] as const;
/** The text of the stamped memo 「報告書_第3四半期.txt」, as the page holds it (a string). */
const MARKED = `報告書_第3四半期.txt\n${MARKED_TEXT}\n来期の売上見込み。`;
const CLEAN = `議事録_定例.txt\n${CLEAN_TEXT}\n来週の定例は水曜 10 時から。`;

let server: SiteServer;

beforeAll(async () => {
  server = await startSiteServer({ hosts: [GUARDED, UNGUARDED_HOST], pages: { '/b.html': '<!doctype html><meta charset="utf-8"><title>blob</title><p>blob</p>' } });
});
afterAll(async () => {
  await server?.close();
});

/**
 * Navigates `page` to a blob: page whose first script submits `text` in a `q` textarea with `enctype`,
 * to channel `ch`. `utf8`: the page declares its charset (otherwise it is read in the UI's legacy one).
 */
async function navigateAndSubmit(page: Page, text: string, enctype: string, ch: string, utf8: boolean): Promise<void> {
  await page.evaluate(
    ({ text, enctype, ch, utf8 }) => {
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const html = `${utf8 ? '<meta charset="utf-8">' : ''}<form method=post action="${location.origin}/upload?ch=${ch}" enctype="${enctype}"><textarea name=q>${esc(text)}</textarea></form><script>document.forms[0].submit()</script>`;
      location.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    },
    { text, enctype, ch, utf8 },
  );
}

/** What the server reads for `text` under `enctype` (the field as the browser writes it, read as UTF-8). */
const body = (text: string, enctype: string) =>
  enctype === 'text/plain' ? `q=${text.replace(/\n/g, '\r\n')}\r\n` : new URLSearchParams({ q: text.replace(/\n/g, '\r\n') }).toString();
const read = (s: string | null) => {
  try {
    return decodeURIComponent((s ?? '').replace(/\+/g, ' '));
  } catch {
    return s ?? '';
  }
};

/** A page whose form was posted is on the server's answer; closing it can hang: not waited for past 2 s. */
const shut = (page: Page) => Promise.race([page.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);

const arrived = (host: string, ch: string) => server.received.filter((a) => a.host === host && a.channel === ch);

describe.each([
  ['the page side alone (no blocking webRequest)', false],
  ['both layers (blocking webRequest granted, as when force-installed)', true],
] as const)('a top-level blob: page submitting at once (F4): %s', (_, network) => {
  let browser: Launched;
  beforeAll(async () => {
    // An English UI: a blob: page without a charset is read as windows-1252, which gives every byte back.
    browser = await launchWithExtension({ lang: 'en', hosts: [GUARDED, UNGUARDED_HOST], args: network ? [`--allowlisted-extension-id=${EXTENSION_ID}`] : [] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(host: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(server.url(host, '/b.html'));
    return page;
  }

  for (const enctype of ENCTYPES) {
    for (const utf8 of [false, true]) {
      const tag = `${network ? 'n' : 'p'}-${enctype === 'text/plain' ? 'plain' : 'urlenc'}-${utf8 ? 'utf8' : 'legacy'}`;
      const how = utf8 ? 'a UTF-8 page' : 'a page without a charset (windows-1252)';
      it(`${enctype}, ${how}: the stamped memo never reaches ${GUARDED} and the employee is warned; a clean one arrives as sent`, async () => {
        const page = await open(GUARDED);
        await navigateAndSubmit(page, MARKED, enctype, `${tag}-marked`, utf8);
        expect(await closeWarnings(page, 3000)).toBeGreaterThanOrEqual(1);
        await page.waitForTimeout(300);
        // The submission is refused (UTF-8 page), or goes without the marked field (legacy charset): either way no stamp.
        expect(arrived(GUARDED, `${tag}-marked`).filter((a) => read(a.text).includes('Confidential'))).toEqual([]);
        await shut(page);

        const clean = await open(GUARDED);
        await navigateAndSubmit(clean, CLEAN, enctype, `${tag}-clean`, utf8);
        expect(await waitFor(() => arrived(GUARDED, `${tag}-clean`).length > 0)).toBe(true);
        expect(arrived(GUARDED, `${tag}-clean`).map((a) => a.text)).toEqual([body(CLEAN, enctype)]);
        expect(await closeWarnings(clean, 300)).toBe(0);
        await shut(clean);
      });
    }

    it(`${enctype}: control: on ${UNGUARDED_HOST} the stamped memo arrives, whole, from a page without a charset`, async () => {
      const page = await open(UNGUARDED_HOST);
      const tag = `${network ? 'n' : 'p'}-${enctype === 'text/plain' ? 'plain' : 'urlenc'}-control`;
      await navigateAndSubmit(page, MARKED, enctype, tag, false);
      expect(await waitFor(() => arrived(UNGUARDED_HOST, tag).length > 0)).toBe(true);
      expect(arrived(UNGUARDED_HOST, tag).map((a) => a.text)).toEqual([body(MARKED, enctype)]);
      await shut(page);
    });
  }
});
