/**
 * Native form submission of a File that no <input type=file> holds (red team guard4 F2): a
 * form-associated custom element's value (`attachInternals().setFormValue(file)`), and a File the page's
 * `formdata` listener appends, sent by form.submit(), requestSubmit() or a click on the submit button.
 * The hooks (form.submit()) and the guard (the submit event) read the form as the browser sends it
 * (`new FormData(form)`), so a stamped file never arrives on a guarded host and a clean one arrives
 * intact, its Japanese name included. The unguarded control host shows each way carries the file.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CLEAN_TEXT, MARKED_TEXT, UNGUARDED_HOST, siteSuite, closeWarnings } from './support/index.js';

const GUARDED = 'chatgpt.com';
const PAGE = `<!doctype html><meta charset="utf-8"><title>form</title>
<iframe name="sink" style="width:10px;height:10px"></iframe>
<form id="f" method="post" enctype="multipart/form-data" target="sink">
  <input name="title" value="週報"><x-file name="attachment"></x-file><button id="go">送信</button>
</form>
<script>
  customElements.define('x-file', class extends HTMLElement {
    static formAssociated = true;
    constructor() { super(); this.internals = this.attachInternals(); }
    set file(f) { this.internals.setFormValue(f); }
  });
  let listener = null;
  window.arm = (how, ch, name, text) => {
    const form = document.getElementById('f');
    form.action = '/upload?ch=' + ch;
    const file = new File([text], name, { type: 'text/plain' });
    const face = document.querySelector('x-file');
    face.file = null;
    if (listener) form.removeEventListener('formdata', listener);
    listener = null;
    if (how.startsWith('face')) face.file = file;
    else form.addEventListener('formdata', (listener = (e) => e.formData.append('attachment', file, name)));
  };
  window.go = (how) => {
    const form = document.getElementById('f');
    if (how.endsWith('-submit')) form.submit();
    else if (how.endsWith('-requestSubmit')) form.requestSubmit();
  };
</script>`;
const WAYS = ['face-submit', 'face-requestSubmit', 'face-click', 'formdata-submit', 'formdata-requestSubmit', 'formdata-click'] as const;
const MARKED = { name: '報告書_第3四半期.txt', text: `${MARKED_TEXT}\n${'来期の売上見込みと価格改定の案。\n'.repeat(20)}` };
const CLEAN = { name: '議事録メモ_定例.txt', text: `${CLEAN_TEXT}\n${'来週の定例は水曜 10 時から。\n'.repeat(20)}` };
const sha = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

const site = siteSuite([GUARDED, UNGUARDED_HOST], '/form.html', { pages: { '/form.html': PAGE } });
const { open } = site;

async function submit(page: Page, how: string, ch: string, file: { name: string; text: string }): Promise<void> {
  await page.evaluate(([how, ch, name, text]) => (window as unknown as { arm: (...a: string[]) => void }).arm(how, ch, name, text), [how, ch, file.name, file.text]);
  if (how.endsWith('-click')) await page.click('#go');
  else await page.evaluate((how) => (window as unknown as { go: (h: string) => void }).go(how), how);
}

const files = (host: string, ch: string) => site.server.received.filter((a) => a.host === host && a.channel === ch && a.kind === 'file');

async function waitArrival(host: string, ch: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && files(host, ch).length === 0) await new Promise((r) => setTimeout(r, 50));
}

describe('native form submission of a File no file input holds (F2)', () => {
  for (const how of WAYS) {
    it(`${how}: a stamped file (報告書) does not leave for ${GUARDED}; a clean one (議事録) arrives intact`, async () => {
      const page = await open(GUARDED);
      await submit(page, how, `m-${how}`, MARKED);
      await closeWarnings(page, 2500);
      await page.waitForTimeout(500);
      expect(files(GUARDED, `m-${how}`)).toEqual([]);

      await submit(page, how, `c-${how}`, CLEAN);
      await waitArrival(GUARDED, `c-${how}`);
      expect(files(GUARDED, `c-${how}`).map((a) => [a.name, a.sha256])).toEqual([[CLEAN.name, sha(CLEAN.text)]]);
      await page.close();
    });
  }

  it('control: on the unguarded host the stamped file arrives by every way', async () => {
    const page = await open(UNGUARDED_HOST);
    for (const how of WAYS) {
      await submit(page, how, `u-${how}`, MARKED);
      await waitArrival(UNGUARDED_HOST, `u-${how}`);
      expect(files(UNGUARDED_HOST, `u-${how}`).map((a) => [a.name, a.sha256])).toEqual([[MARKED.name, sha(MARKED.text)]]);
      await page.goto(site.server.url(UNGUARDED_HOST, '/form.html'));
    }
    await page.close();
  });
});
