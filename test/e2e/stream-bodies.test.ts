/**
 * fetch with a ReadableStream body (`duplex: 'half'`, sent over HTTP/2) whose stream has no File lineage
 * (red team guard4 F1): a stream built by hand from FileReader chunks, strings through a
 * TextEncoderStream, `new Blob([text]).stream()`, `new Response(blob).body`. The hooks read such a stream
 * first (up to 64 MiB), judge its bytes and send exactly those: marked content never arrives on a guarded
 * host, clean content arrives byte for byte, and a stream longer than the cap is refused. The control host
 * (unguarded) shows each technique carries the marked bytes when nothing stops them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CLEAN_TEXT, MARKED_TEXT, UNGUARDED_HOST, siteSuite, closeWarnings } from './support/index.js';

const GUARDED = 'chatgpt.com';
const TECHS = ['handmade-filereader', 'textencoderstream', 'blob-stream', 'response-body'] as const;
/** A stamped memo and a clean one, each as a page-made File with a Japanese name (its bytes are what is streamed). */
const PAYLOADS = {
  marked: { name: '報告書_第3四半期.txt', text: `${MARKED_TEXT}\n${'来期の売上見込みと価格改定の案。\n'.repeat(40)}` },
  clean: { name: '議事録メモ_定例.txt', text: `${CLEAN_TEXT}\n${'来週の定例は水曜 10 時から。資料は各自で準備。\n'.repeat(40)}` },
};
const sha = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

const site = siteSuite([GUARDED, UNGUARDED_HOST], '/s.html', { h2: true, pages: { '/s.html': '<!doctype html><meta charset="utf-8"><title>stream</title><p>stream</p>' } });
const { open } = site;

/** Streams `text` (as the File `name`'s bytes) by `tech`; 'sent', or the error fetch failed with. */
function send(page: Page, tech: string, name: string, text: string, ch: string, label = name): Promise<string> {
  return page.evaluate(
    async ({ tech, name, text, ch, label }) => {
      const file = new File([text], name, { type: 'text/plain' });
      let body: ReadableStream<Uint8Array>;
      if (tech === 'handmade-filereader') {
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < file.size; at += 64) {
          const buf = await new Promise<ArrayBuffer>((resolve) => {
            const fr = new FileReader();
            fr.onload = () => resolve(fr.result as ArrayBuffer);
            fr.readAsArrayBuffer(file.slice(at, at + 64));
          });
          chunks.push(new Uint8Array(buf));
        }
        body = new ReadableStream({ pull: (c) => (chunks.length > 0 ? c.enqueue(chunks.shift()!) : c.close()) });
      } else if (tech === 'textencoderstream') {
        const s = await file.text();
        body = new ReadableStream<string>({
          start(c) {
            for (let i = 0; i < s.length; i += 7) c.enqueue(s.slice(i, i + 7));
            c.close();
          },
        }).pipeThrough(new TextEncoderStream());
      } else if (tech === 'blob-stream') {
        body = new Blob([text]).stream();
      } else {
        body = new Response(new Blob([text])).body!;
      }
      try {
        const r = await fetch(`/upload?ch=${ch}&name=${encodeURIComponent(label)}`, {
          method: 'POST',
          body,
          duplex: 'half',
          headers: { 'content-type': 'application/octet-stream' },
        } as RequestInit);
        return r.ok ? 'sent' : `status ${r.status}`;
      } catch (e) {
        return String(e);
      }
    },
    { tech, name, text, ch, label },
  );
}

const arrived = (host: string, ch: string) => site.server.received.filter((a) => a.host === host && a.channel === ch);

describe('fetch with a stream body of no File lineage (F1)', () => {
  for (const tech of TECHS) {
    it(`${tech}: a marked memo (報告書) does not leave for ${GUARDED}; a clean one (議事録) arrives byte for byte`, async () => {
      const page = await open(GUARDED);
      const marked = send(page, tech, PAYLOADS.marked.name, PAYLOADS.marked.text, `m-${tech}`);
      await closeWarnings(page, 3000);
      expect(await marked).not.toBe('sent');
      expect(arrived(GUARDED, `m-${tech}`)).toEqual([]);

      expect(await send(page, tech, PAYLOADS.clean.name, PAYLOADS.clean.text, `c-${tech}`)).toBe('sent');
      const got = arrived(GUARDED, `c-${tech}`);
      expect(got.map((a) => [a.name, a.size, a.sha256])).toEqual([[PAYLOADS.clean.name, Buffer.byteLength(PAYLOADS.clean.text), sha(PAYLOADS.clean.text)]]);
      await page.close();
    });
  }

  it('chunks a FileReader read out of a File marked by its name alone (秘—見積, clean content) carry its decision: refused', async () => {
    const page = await open(GUARDED);
    // The name travels nowhere in the request (the label in the URL is neutral): only the chunks' link to the File stops it.
    const sent = send(page, 'handmade-filereader', '秘—見積_第2版.txt', PAYLOADS.clean.text, 'name-marked', 'mitsumori.txt');
    await closeWarnings(page, 3000);
    expect(await sent).not.toBe('sent');
    expect(arrived(GUARDED, 'name-marked')).toEqual([]);
    await page.close();
  });

  it('control: on the unguarded host the marked memo arrives by every technique (each one streams it)', async () => {
    const page = await open(UNGUARDED_HOST);
    for (const tech of TECHS) {
      expect(await send(page, tech, PAYLOADS.marked.name, PAYLOADS.marked.text, `u-${tech}`)).toBe('sent');
      expect(arrived(UNGUARDED_HOST, `u-${tech}`).map((a) => a.sha256)).toEqual([sha(PAYLOADS.marked.text)]);
    }
    await page.close();
  });

  it('a stream longer than 64 MiB cannot be judged whole: refused, nothing arrives', async () => {
    const page = await open(GUARDED);
    const result = await page.evaluate(async () => {
      let left = 65;
      const body = new ReadableStream<Uint8Array>({ pull: (c) => (left-- > 0 ? c.enqueue(new Uint8Array(1 << 20).fill(0x41)) : c.close()) });
      try {
        await fetch('/upload?ch=over-cap&name=' + encodeURIComponent('大きい.bin'), { method: 'POST', body, duplex: 'half' } as RequestInit);
        return 'sent';
      } catch (e) {
        return String(e);
      }
    });
    expect(result).not.toBe('sent');
    expect(arrived(GUARDED, 'over-cap')).toEqual([]);
    await page.close();
  });
});
