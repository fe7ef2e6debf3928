/**
 * What bypasses DOM events: page scripts that send by fetch, XMLHttpRequest, sendBeacon, WebSocket,
 * form.submit(), FormData, chunked slices, and a fetch borrowed from a fresh iframe; plus file inputs
 * in the awkward places (open shadow root, never attached, same-origin iframe, folder picker).
 * On all five service hostnames, in real Chromium.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  CLEAN_TEXT,
  GUARDED_HOSTS,
  MARKED_TEXT,
  SAMPLES,
  WARNING_TAG,
  arrivals,
  clearAll,
  corpus,
  dismissWarning,
  dragFiles,
  launchWithExtension,
  openLabPages,
  pageLog,
  readWarning,
  startSiteServer,
  type Launched,
  type Sample,
  type SiteServer,
  type WarningView,
} from './support/index.js';

let server: SiteServer;
let browser: Launched;
let pages: Map<string, Page>;
const S = {
  cleanDocx: SAMPLES.cleanDocx(),
  nameMarked: SAMPLES.nameMarked(),
  contentDocx: SAMPLES.contentDocx(),
  contentPdf: SAMPLES.contentPdf(),
};

beforeAll(async () => {
  server = await startSiteServer({ hosts: GUARDED_HOSTS });
  browser = await launchWithExtension({ lang: 'en-US' });
  pages = await openLabPages(browser.context, server, GUARDED_HOSTS);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Lab = Record<string, (...a: unknown[]) => unknown> & { file(b64: string, name: string): File };
const b64 = (s: Sample) => s.buffer.toString('base64');

/**
 * Runs a page script whose upload should be stopped. The hooks hold the request until the employee
 * closes the warning, so close it when it shows (a repeat of a just-refused item is refused quietly).
 */
async function stopped<T>(page: Page, run: Promise<T>, seen: WarningView[] = []): Promise<T> {
  let done = false;
  const result = run.finally(() => (done = true));
  while (!done) {
    if ((await page.locator(WARNING_TAG).count()) > 0) {
      const w = await readWarning(page);
      seen.push(w);
      expect(w.action).toBe('block');
      await dismissWarning(page);
    }
    await page.waitForTimeout(50);
  }
  return result;
}

describe.each(GUARDED_HOSTS)('%s', (host) => {
  const page = () => pages.get(host)!;
  const mine = () => server.received.filter((a) => a.host === host);
  beforeAll(() => page().bringToFront());

  it('fetch: FormData / Blob bodies with marked files and JSON with marked text are rejected; clean ones arrive', async () => {
    const p = page();
    await clearAll(p, server);
    for (const s of [S.nameMarked, S.contentDocx, S.contentPdf]) {
      const ok = await stopped(
        p,
        p.evaluate(([d, n]) => ((window as unknown as { lab: Lab }).lab.fetchForm((window as unknown as { lab: Lab }).lab.file(d, n)) as Promise<boolean>).then(() => 'sent', (e: Error) => e.name), [b64(s), s.name]),
      );
      expect(ok).toBe('TypeError');
    }
    const blob = await stopped(
      p,
      p.evaluate(([d]) => {
        const lab = (window as unknown as { lab: Lab }).lab;
        const bytes = lab.file(d, 'x').slice(0); // an anonymous Blob with the DOCX bytes
        return (lab.fetchBlob(bytes, 'notes.docx') as Promise<boolean>).then(() => 'sent', (e: Error) => e.name);
      }, [b64(S.contentDocx)]),
    );
    expect(blob).toBe('TypeError');
    expect(await stopped(p, p.evaluate((t) => ((window as unknown as { lab: Lab }).lab.fetchJson(t) as Promise<boolean>).then(() => 'sent', (e: Error) => e.name), MARKED_TEXT))).toBe('TypeError');
    expect(mine()).toEqual([]);

    expect(await p.evaluate(([d, n]) => (window as unknown as { lab: Lab }).lab.fetchForm((window as unknown as { lab: Lab }).lab.file(d, n)), [b64(S.cleanDocx), S.cleanDocx.name])).toBe(true);
    expect(await p.evaluate((t) => (window as unknown as { lab: Lab }).lab.fetchJson(t), CLEAN_TEXT)).toBe(true);
    const got = await arrivals(server, (a) => a.host === host, 2);
    expect(got.map((a) => a.sha256 === S.cleanDocx.sha256 || JSON.parse(a.text!).messages[0].content.parts[0] === CLEAN_TEXT)).toEqual([true, true]);
  });

  it('FormData under another filename, or of a Blob: a name-marked file stays marked, and the page reads its entries as the spec makes them', async () => {
    // Chromium 150 hands out a new File for such an entry on every read: the decision must hold at the send.
    const p = page();
    await clearAll(p, server);
    const send = (d: string, n: string, as: string | null) =>
      p.evaluate(
        ([d, n, as]) => {
          const lab = (window as unknown as { lab: Lab }).lab;
          const fd = new FormData();
          const f = lab.file(d, n);
          if (as === null) fd.append('file', new Blob([f], { type: 'application/octet-stream' }));
          else fd.append('file', f, as);
          return fetch('/upload?ch=fd-named', { method: 'POST', body: fd }).then(() => 'sent', (e: Error) => e.name);
        },
        [d, n, as] as const,
      );
    expect(await stopped(p, send(b64(S.nameMarked), S.nameMarked.name, '見積書.docx'))).toBe('TypeError');
    expect(mine()).toEqual([]);
    const seen = await p.evaluate(([d, n]) => {
      const lab = (window as unknown as { lab: Lab }).lab;
      const f = lab.file(d, n);
      const fd = new FormData();
      fd.append('a', f, '報告書.docx');
      fd.append('b', new Blob([f], { type: 'text/plain' }));
      fd.set('c', f);
      const a = fd.get('a') as File;
      const b = fd.get('b') as File;
      return { a: [a.name, a.type, a.lastModified === f.lastModified, a.size], b: [b.name, b.type, b.size], c: fd.get('c') === f, again: fd.get('a') === a };
    }, [b64(S.cleanDocx), S.cleanDocx.name] as const);
    expect(seen).toEqual({
      a: ['報告書.docx', 'application/octet-stream', true, S.cleanDocx.buffer.length],
      b: ['blob', 'text/plain', S.cleanDocx.buffer.length],
      c: true,
      again: true,
    });
    expect(await send(b64(S.cleanDocx), S.cleanDocx.name, '報告書.docx')).toBe('sent');
    expect(await send(b64(S.cleanDocx), S.cleanDocx.name, null)).toBe('sent');
    const got = await arrivals(server, (a) => a.host === host, 2);
    expect(got.map((a) => [a.name, a.sha256 === S.cleanDocx.sha256])).toEqual([['報告書.docx', true], ['blob', true]]);
  });

  it('XMLHttpRequest: marked FormData, ArrayBuffer and text bodies fail like a network error; clean ones load', async () => {
    const p = page();
    await clearAll(p, server);
    const xhr = (kind: string, d: string, n: string) =>
      p.evaluate(
        async ([kind, d, n]) => {
          const lab = (window as unknown as { lab: Lab }).lab;
          if (kind === 'text') return lab.xhr(d);
          const f = lab.file(d, n);
          if (kind === 'form') { const fd = new FormData(); fd.append('file', f); return lab.xhr(fd); }
          return lab.xhr(await f.arrayBuffer());
        },
        [kind, d, n],
      );
    expect(await stopped(p, xhr('form', b64(S.contentPdf), S.contentPdf.name))).toBe('error');
    expect(await stopped(p, xhr('buffer', b64(S.contentDocx), 'x.bin'))).toBe('error');
    expect(await stopped(p, xhr('text', JSON.stringify({ body: MARKED_TEXT }), ''))).toBe('error');
    expect(mine()).toEqual([]);
    expect(await xhr('form', b64(S.cleanDocx), S.cleanDocx.name)).toBe('load');
    expect(await xhr('text', CLEAN_TEXT, '')).toBe('load');
    expect((await arrivals(server, (a) => a.host === host, 2)).map((a) => a.sha256 === S.cleanDocx.sha256 || a.text === CLEAN_TEXT)).toEqual([true, true]);
  });

  it('sendBeacon: a marked text or a name-marked file returns false; clean text goes', async () => {
    const p = page();
    await clearAll(p, server);
    expect(await stopped(p, p.evaluate((t) => (window as unknown as { lab: Lab }).lab.beacon(t), MARKED_TEXT + ' beacon'))).toBe(false);
    expect(await stopped(p, p.evaluate(([d, n]) => { const lab = (window as unknown as { lab: Lab }).lab; const fd = new FormData(); fd.append('f', lab.file(d, n)); return lab.beacon(fd); }, [b64(S.nameMarked), S.nameMarked.name]))).toBe(false);
    await p.waitForTimeout(300);
    expect(mine()).toEqual([]);
    expect(await p.evaluate((t) => (window as unknown as { lab: Lab }).lab.beacon(t), CLEAN_TEXT)).toBe(true);
    expect((await arrivals(server, (a) => a.host === host)).map((a) => a.text)).toEqual([CLEAN_TEXT]);
  });

  it('WebSocket: marked frames are never sent; clean frames are', async () => {
    const p = page();
    await clearAll(p, server);
    await stopped(p, p.evaluate((t) => (window as unknown as { lab: Lab }).lab.ws(t), MARKED_TEXT + ' ws'));
    await stopped(p, p.evaluate(async (d) => { const lab = (window as unknown as { lab: Lab }).lab; return lab.ws(await lab.file(d, 'x').arrayBuffer()); }, b64(S.contentDocx)));
    await p.evaluate((t) => (window as unknown as { lab: Lab }).lab.ws(t), CLEAN_TEXT);
    const got = await arrivals(server, (a) => a.host === host);
    expect(got.map((a) => a.text)).toEqual([CLEAN_TEXT]);
  });

  it('form.submit() (no submit event): marked text never leaves; a clean form does', async () => {
    const p = page();
    await clearAll(p, server);
    await stopped(p, p.evaluate((t) => (window as unknown as { lab: Lab }).lab.formSubmit(null, t), MARKED_TEXT + ' submit()'));
    await p.waitForTimeout(300);
    expect(mine()).toEqual([]);
    await p.evaluate((t) => (window as unknown as { lab: Lab }).lab.formSubmit(null, t), CLEAN_TEXT);
    expect((await arrivals(server, (a) => a.host === host && a.kind === 'text')).map((a) => a.text)).toEqual([CLEAN_TEXT]);
    await p.evaluate(() => ((document.querySelector('#form textarea') as HTMLTextAreaElement).value = ''));
  });

  it('chunked upload (slices in FormData): a marked file sends no chunk; a clean one sends every chunk, no warning', async () => {
    const p = page();
    await clearAll(p, server);
    const chunked = (s: Sample) => p.evaluate(([d, n]) => { const lab = (window as unknown as { lab: Lab }).lab; return lab.chunked(lab.file(d, n), 4096); }, [b64(s), s.name]);
    await stopped(p, chunked(S.contentPdf).catch(() => false));
    await p.waitForTimeout(300);
    expect(mine()).toEqual([]);
    expect(await chunked(S.cleanDocx)).toBe(true);
    const n = Math.ceil(S.cleanDocx.buffer.length / 4096);
    const got = await arrivals(server, (a) => a.host === host && a.channel === 'chunked', n);
    expect(got).toHaveLength(n);
    expect(await p.locator(WARNING_TAG).count()).toBe(0);
  });

  it("a fetch borrowed from a fresh iframe is hooked too", async () => {
    const p = page();
    await clearAll(p, server);
    expect(await stopped(p, p.evaluate((t) => (window as unknown as { lab: Lab }).lab.iframeFetch(t), MARKED_TEXT + ' iframe'))).toBe(false);
    expect(mine()).toEqual([]);
    expect(await p.evaluate((t) => (window as unknown as { lab: Lab }).lab.iframeFetch(t), CLEAN_TEXT)).toBe(true);
  });

  it('file inputs in an open shadow root, never attached, in a same-origin iframe, and dropped folders', async () => {
    const p = page();
    const file = (s: Sample) => ({ name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer });
    const cases: [string, (s: Sample) => Promise<void>][] = [
      ['shadow-input', (s) => p.setInputFiles('#shadow-host #inner', file(s))],
      ['iframe-input', (s) => p.frameLocator('#frame').locator('#fi').setInputFiles(file(s))],
      [
        'detached-input',
        async (s) => {
          const [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.click('#detached-btn')]);
          await chooser.setFiles(file(s));
        },
      ],
    ];
    for (const [ch, pick] of cases) {
      for (const s of [S.nameMarked, S.contentPdf]) {
        await clearAll(p, server);
        await pick(s);
        await readWarning(p);
        await dismissWarning(p);
        await p.waitForTimeout(150);
        expect(mine(), `${ch} ${s.name}`).toEqual([]);
        expect((await pageLog(p)).filter((l) => l.ch === ch), `${ch} ${s.name}`).toEqual([]);
      }
      await clearAll(p, server);
      await pick(S.cleanDocx);
      const got = await arrivals(server, (a) => a.host === host && a.channel === ch);
      expect(got.map((a) => a.sha256), ch).toEqual([S.cleanDocx.sha256]);
    }

    // Folders dragged in (the picker is in folder-picker.test.ts): one marked
    // file deep inside stops the whole drop; a clean folder arrives, its files flattened.
    const root = mkdtempSync(join(tmpdir(), 'ug-folder-'));
    const clean = join(root, 'clean');
    const dirty = join(root, 'dirty');
    for (const d of [clean, join(dirty, 'sub')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(clean, 'a.txt'), CLEAN_TEXT);
    writeFileSync(join(clean, 'b.docx'), S.cleanDocx.buffer);
    writeFileSync(join(dirty, 'a.txt'), CLEAN_TEXT);
    writeFileSync(join(dirty, 'sub', 'notes.docx'), corpus('weekly-sync-notes.docx'));
    await clearAll(p, server);
    await dragFiles(p, '#drop', [dirty]);
    const w = await readWarning(p);
    expect(w.text).toContain('notes.docx');
    await dismissWarning(p);
    await p.waitForTimeout(150);
    expect(mine()).toEqual([]);
    expect((await pageLog(p)).filter((l) => l.ch === 'drop')).toEqual([]);
    await clearAll(p, server);
    await dragFiles(p, '#drop', [clean]);
    expect((await arrivals(server, (a) => a.host === host && a.channel === 'drop', 2)).map((a) => a.name).sort()).toEqual(['a.txt', 'b.docx']);
  });
});

describe('documents a page carries inside a text body (one host)', () => {
  const host = GUARDED_HOSTS[0];

  it('a file read as a data: URL and posted in JSON is asked about once, under its name; base64 the page made itself is called data the page tried to send', async () => {
    const p = pages.get(host)!;
    await p.bringToFront();
    await clearAll(p, server);
    const post = (payload: { file?: [string, string]; text?: string }) =>
      p.evaluate(async ({ file, text }) => {
        const lab = (window as unknown as { lab: Lab }).lab;
        let data: string;
        if (file) {
          const reader = new FileReader();
          const read = new Promise((r) => (reader.onload = r));
          reader.readAsDataURL(lab.file(file[0], file[1]));
          await read;
          data = reader.result as string;
        } else data = btoa(String.fromCharCode(...new TextEncoder().encode(text)));
        const body = JSON.stringify({ attachments: [{ data }] });
        return fetch('/backend-api/files?ch=data-url', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(() => 'sent', (e: Error) => e.name);
      }, payload);

    // Content of its own: the tests above refused other marked documents on this page a moment ago, and
    // their copies are refused without a dialog (asked once).
    const nonce = Date.now().toString(36);
    const report = { name: `四半期報告_${nonce}.txt`, text: `四半期の報告です。\n秘 Confidential 取扱注意 ${nonce}\n以上\n` };

    // The file's own decision and its content decoded from the body: one question to the employee.
    const views: WarningView[] = [];
    expect(await stopped(p, post({ file: [Buffer.from(report.text).toString('base64'), report.name] }), views)).toBe('TypeError');
    await p.waitForTimeout(1_500); // a second dialog opened a moment after the first closed
    expect(await p.locator(WARNING_TAG).count()).toBe(0);
    // The decoded copy waits for the file's question, so the dialog names the file.
    expect(views.map((v) => v.text.includes(report.name)), views.map((v) => v.text).join(' / ')).toEqual([true]);

    const made: WarningView[] = [];
    expect(await stopped(p, post({ text: `見積の件です。\n秘 Confidential 社内限り ${nonce}-2\n以上` }), made)).toBe('TypeError');
    expect(made).toHaveLength(1);
    expect(made[0].text).toContain('Data this page tried to send');
    expect(made[0].text).not.toContain('Text you typed or pasted');
    await p.waitForTimeout(300);
    expect(server.received.filter((a) => a.host === host)).toEqual([]);
  });
});
