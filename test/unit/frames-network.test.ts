/**
 * Frames on other hosts inside a guarded page run under the top page's service, also across policy
 * pushes; and the network layer's body check (src/guard/request.ts) on what webRequest hands it.
 */
import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/detect/index.js';
import { markedInBody, markedInUrl, urlMayBeMarked } from '../../src/guard/request.js';
import { urlText } from '../../src/guard/url-text.js';
import { MARKED, file, started } from '../support/guard.js';

const WIDGET = 'https://upload-widget.storage-cdn.example/picker?x=1';
const TOP = 'https://mail.yahoo.co.jp/compose';

describe('a frame on an unlisted host inside a guarded page', () => {
  it('is guarded with the top page service, and stays so when a new policy is pushed', async () => {
    const h = await started({ url: WIDGET, top: TOP });
    expect(h.guard.view()?.service?.name).toMatch(/Yahoo/);
    const fetches = h.viewFetches;
    h.guard.receiveSnapshot(h.setPolicy({ designated: { keywords: ['プロジェクトX'] } }));
    // Its own URL says "not guarded": it must not stand down on that, it asks the background.
    expect(h.guard.isGuarded()).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.viewFetches).toBe(fetches + 1);
    expect(h.guard.view()?.service).not.toBeNull();
    h.verdicts.set('報告.docx', MARKED);
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: file('報告.docx'), name: '報告.docx' }])).toBe(false);
    expect(h.events.at(-1)?.service).toBe(h.guard.view()?.service?.id);
  });

  it('the same widget inside an unguarded page stays idle', async () => {
    const h = await started({ url: WIDGET, top: 'https://intranet.example.co.jp/' });
    expect(h.guard.view()?.service).toBeNull();
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: file('秘—x.docx'), name: '秘—x.docx' }])).toBe(true);
  });
});

describe('a window on an allowed host paired with a guarded page by the opener relation', () => {
  // The background answers such a window with the guarded page's service (window-follow.ts); `top` stands
  // for that page here. Its own URL is a top-level page's and says "not guarded".
  it('keeps the guarded page service when a new policy is pushed: it asks, it does not take its own URL', async () => {
    const h = await started({ url: 'https://acme.box.com/uploader', top: TOP, policy: { allow: ['acme.box.com'] } });
    expect(h.guard.view()?.service?.name).toMatch(/Yahoo/);
    const fetches = h.viewFetches;
    h.guard.receiveSnapshot(h.setPolicy({ allow: ['acme.box.com'], designated: { keywords: ['プロジェクトX'] } }));
    expect(h.guard.isGuarded()).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.viewFetches).toBe(fetches + 1);
    expect(h.guard.view()?.service?.name).toMatch(/Yahoo/);
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: file('秘—x.docx'), name: '秘—x.docx' }])).toBe(false);
  });

  it('a page guarded by its own URL takes the pushed policy at once, without asking', async () => {
    const h = await started({ url: TOP });
    const fetches = h.viewFetches;
    h.guard.receiveSnapshot(h.setPolicy({ designated: { keywords: ['プロジェクトX'] } }));
    expect(h.viewFetches).toBe(fetches);
    expect(h.guard.view()?.designated.keywords).toContain('プロジェクトX');
  });
});

const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

describe('markedInBody: what the network layer catches', () => {
  it('a name-marked file part, as Chromium parses multipart (the value is the file name)', () => {
    const hit = markedInBody({ formData: { file: ['秘—設計書.docx'], note: ['よろしく'] } }, {});
    expect(hit?.fileName).toBe('秘—設計書.docx');
    expect(hit?.verdict.rule).toBe(2);
    expect(markedInBody({ formData: { file: ['設計書.docx'], note: ['C-3PO'] } }, {})).toBeNull();
  });

  it('a name-marked part in a multipart body the page built by hand, also as filename*=UTF-8', () => {
    const body = `--b\r\nContent-Disposition: form-data; name="f"; filename="C—budget.xlsx"\r\n\r\nPK...\r\n--b--\r\n`;
    expect(markedInBody({ raw: [{ bytes: bytes(body) }] }, {})?.fileName).toBe('C—budget.xlsx');
    const star = `--b\r\nContent-Disposition: form-data; name="f"; filename*=UTF-8''${encodeURIComponent('秘ー見積.pdf')}\r\n\r\nx\r\n--b--`;
    expect(markedInBody({ raw: [{ bytes: bytes(star) }] }, {})?.fileName).toBe('秘ー見積.pdf');
  });

  it('a disk file sent as the body, by its name', () => {
    expect(markedInBody({ raw: [{ file: '/home/taro/秘—x.txt' }] }, {})?.fileName).toBe('秘—x.txt');
    expect(markedInBody({ raw: [{ file: 'C:\\Users\\taro\\plan.txt' }] }, {})).toBeNull();
  });

  it('stamped text in fields, JSON, and percent-encoded bodies; designated keywords too', () => {
    expect(markedInBody({ formData: { q: ['来期 ㊙ Confidential'] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes(JSON.stringify({ prompt: '秘\nCONFIDENTIAL 資料' })) }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes('{"p":"\\u79d8 Confidential"}') }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes(`q=${encodeURIComponent('秘 Confidential')}`) }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes('text=%E7%A7%98+Confidential') }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { t: ['プロジェクトX の件'] } }, { keywords: ['プロジェクトX'] })?.verdict.rule).toBe(3);
  });

  it('character references: an HTML body, and a form posted from a page whose charset lacks 秘', () => {
    expect(markedInBody({ raw: [{ bytes: bytes('{"html":"<p>&#31192; Confidential</p>"}') }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes('<p>&#x79D8;&nbsp;Confidential</p>') }] }, {})?.verdict.rule).toBe(1);
    // A windows-1252 page: the browser sends 秘 as &#31192;, percent-encoded.
    expect(markedInBody({ raw: [{ bytes: bytes('body=%26%2331192%3B+Confidential') }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { body: ['&#12953; confidential'] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { body: ['<p>秘&nbsp;Confidential</p>'] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes('<p>&#31192;&#26360;&#23460; Confidential &#39;x&#39;</p>') }] }, {})).toBeNull();
  });

  it('clean bodies, bodies it cannot see, and malformed escapes pass without a throw', () => {
    expect(markedInBody({ formData: { t: ['秘書室 宛て', '社外秘'] } }, {})).toBeNull();
    expect(markedInBody({ error: 'Unknown error.' }, {})).toBeNull();
    expect(markedInBody(undefined, {})).toBeNull();
    expect(markedInBody({ raw: [{ bytes: bytes('%E7%A7 %ZZ 秘 Confident') }] }, {})).toBeNull();
    expect(markedInBody({ raw: [{ bytes: new Uint8Array([0xff, 0xfe, 0x00, 0x80]).buffer }] }, {})).toBeNull();
  });
});

describe('markedInUrl: stamped text in a URL, as its server reads it', () => {
  it('finds it escaped as UTF-8, with plus for space, or in a path', () => {
    expect(markedInUrl(`https://chatgpt.com/?q=${encodeURIComponent('要約して 秘 Confidential 来期価格')}`, {})?.verdict.rule).toBe(1);
    expect(markedInUrl('https://x.example/suggest?q=%E7%A7%98+Confidential', {})?.fileName).toBeNull();
    expect(markedInUrl('https://x.example/log/%E3%8A%99%20Confidential', {})?.verdict.rule).toBe(1);
  });

  it('finds it hidden from percent-decoding: escape(), and base64 of its UTF-8 bytes', () => {
    const stamped = '要約して 秘 Confidential 来期価格';
    expect(markedInUrl(`https://x.example/s?q=${escape(stamped)}`, {})?.verdict.rule).toBe(1);
    expect(markedInUrl(`https://x.example/p?data=${encodeURIComponent(Buffer.from(JSON.stringify({ q: stamped })).toString('base64'))}`, {})?.verdict.rule).toBe(1);
    expect(markedInUrl(`https://x.example/p?data=${Buffer.from('秘書室に連絡済み、来期の予定').toString('base64')}`, {})).toBeNull();
  });

  it('finds it escaped in Shift_JIS or EUC-JP (a form of a page in a legacy encoding)', () => {
    // 秘 is 94 E9 in Shift_JIS and C8 EB in EUC-JP; neither is valid UTF-8.
    expect(markedInUrl('https://x.example/search?q=%94%E9+Confidential', {})?.verdict.rule).toBe(1);
    expect(markedInUrl('https://x.example/search?kw=%C8%EB%20Confidential&p=1', {})?.verdict.rule).toBe(1);
    expect(scanText(urlText('https://x.example/search?q=%94%E9+Confidential')).verdict).toBe('clean'); // what UTF-8 alone reads
    // 秘書室 in Shift_JIS (94 E9 8F 91 8E BA) is not the stamp.
    expect(markedInUrl('https://x.example/search?q=%94%E9%8F%91%8E%BA+Confidential', {})).toBeNull();
  });

  it('passes clean URLs, fragments and plain ASCII without decoding; designated ASCII keywords are read', () => {
    expect(markedInUrl('https://x.example/s?q=%E7%A7%98%E6%9B%B8%E5%AE%A4', {})).toBeNull(); // 秘書室
    expect(markedInUrl('https://x.example/page#秘 Confidential', {})).toBeNull();
    expect(markedInUrl('https://x.example/s?q=%E7%A7%98 %ZZ Confident', {})).toBeNull();
    expect(urlMayBeMarked('https://cdn.example/app.js?v=3', {})).toBe(false);
    expect(urlMayBeMarked('https://cdn.example/app.js?v=3', { keywords: ['ProjectX'] })).toBe(true);
    expect(markedInUrl('https://x.example/s?q=projectx+launch', { keywords: ['ProjectX'] })?.verdict.rule).toBe(3);
  });
});

describe('markedInBody: red team web5 (text past 4 MiB, field names, escapes in fields)', () => {
  const stamp = '議事録 秘 Confidential';
  it('a text body past its first 4 MiB is read on (a log or a prompt); a body of bytes is not', () => {
    const log = '2026-12-06 10:00:00 upload ok\n'.repeat(150_000);
    expect(log.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(markedInBody({ raw: [{ bytes: bytes(log + stamp) }] }, {})?.verdict.rule).toBe(1);
    // Split over two elements, as Chromium hands a long body.
    expect(markedInBody({ raw: [{ bytes: bytes(log) }, { bytes: bytes(log + stamp) }] }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ raw: [{ bytes: bytes(log + stamp.replace('秘 ', '秘書室 ')) }] }, {})).toBeNull();
    // NULs in the first 4 MiB: a file's bytes, read as text only that far (the page side judges files).
    expect(markedInBody({ raw: [{ bytes: bytes('\0' + log + stamp) }] }, {})).toBeNull();
  });

  it('the stamp as a field name, or escaped once more than the form encodes it, in a field', () => {
    expect(markedInBody({ formData: { [stamp]: [''] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { q: [encodeURIComponent(stamp)] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { q: [encodeURIComponent(encodeURIComponent(stamp))] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { q: [JSON.stringify(stamp).replace('秘', '\\u79d8')] } }, {})?.verdict.rule).toBe(1);
    expect(markedInBody({ formData: { ['議事録 秘書室 Confidential']: [encodeURIComponent('社外秘')] } }, {})).toBeNull();
  });
});
