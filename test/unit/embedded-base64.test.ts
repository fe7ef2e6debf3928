/**
 * Files carried as base64 inside text (extract/embedded-base64.ts): a saved web page's data: URLs, JSON
 * exports and HAR captures, XML binary parts. Each stamped case here was clean before: only letters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures');
const b64 = (path: string) => readFileSync(join(FIX, path)).toString('base64');
const DOCX = b64('office/writer-header-only.docx'); // 「秘 Confidential」 in the header
const CLEAN_DOCX = b64('office/writer-traps.docx');
const PDF = b64('pdf/header-stamp.pdf');
const CLEAN_PDF = b64('pdf/trap-clean-ja.pdf');
const scan = (text: string, name: string) => scanBlob(new Blob([text]), name);
const wrap = (s: string, n = 76) => s.match(new RegExp(`.{1,${n}}`, 'g'))!.join('\n');

describe('a stamped document in base64 is read', () => {
  it.each([
    ['a saved page: <a download href="data:…docx;base64,…">', `<!doctype html><p>資料</p><a download="plan.docx" href="data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,${DOCX}">plan</a>`, 'page.html'],
    ['a saved page: <iframe src="data:application/pdf;base64,…">', `<html><body><iframe src="data:application/pdf;base64,${PDF}"></iframe></body></html>`, 'page.html'],
    ['a short data:text URL', `<html><a href="data:text/plain;charset=utf-8;base64,${Buffer.from('秘 Confidential').toString('base64')}">memo</a></html>`, 'page.html'],
    ['an SVG <image href="data:application/pdf…">', `<svg xmlns="http://www.w3.org/2000/svg"><image href="data:application/pdf;base64,${PDF}"/></svg>`, 'figure.svg'],
    ['a JSON export', JSON.stringify({ name: 'plan.docx', content: DOCX }), 'export.json'],
    ["PHP's JSON (\\/ for /)", JSON.stringify({ content: DOCX }).replace(/\//g, '\\/'), 'api.json'],
    ['a HAR capture of an upload', JSON.stringify({ log: { entries: [{ request: { postData: { mimeType: 'application/pdf', text: PDF, encoding: 'base64' } } }] } }), 'session.har'],
    ['XML with a wrapped binary part', `<?xml version="1.0"?>\n<pkg:package><pkg:part><pkg:binaryData>\n${wrap(DOCX)}\n</pkg:binaryData></pkg:part></pkg:package>`, 'doc.xml'],
    ['text that is base64 from its first line (base64 plan.docx > plan.txt)', wrap(DOCX), 'plan.txt'],
  ])('%s', async (_, text, name) => {
    const v = await scan(text, name);
    expect(v).toMatchObject({ verdict: 'marked' });
    // Documents are members; plain text in base64 is read in place.
    if (!name.endsWith('.html') || !text.includes('data:text')) expect(v).toMatchObject({ location: { path: ['(encoded file 1)'] } });
  });

  it('thousands of base64 text records (a log of encoded JSON) are read in place, not counted as files', async () => {
    const records: { data: string }[] = Array.from({ length: 20_000 }, (_, i) => ({ data: Buffer.from(JSON.stringify({ id: i, note: 'delivered, nothing to report' })).toString('base64') }));
    expect(records[0].data.length).toBeGreaterThan(40);
    expect(await scan(JSON.stringify(records), 'stream.json')).toMatchObject({ verdict: 'clean' });
    records[12_345] = { data: Buffer.from(JSON.stringify({ id: 1, note: '秘 Confidential' })).toString('base64') };
    expect(await scan(JSON.stringify(records), 'stream.json')).toMatchObject({ verdict: 'marked' });
  });
});

describe('what is not a stamped document stays as it was', () => {
  it('clean documents in base64 are read and clean', async () => {
    expect(await scan(JSON.stringify({ a: CLEAN_DOCX, b: CLEAN_PDF }), 'x.json')).toMatchObject({ verdict: 'clean' });
    expect(await scan(`<html><a href="data:application/pdf;base64,${CLEAN_PDF}">x</a></html>`, 'x.html')).toMatchObject({ verdict: 'clean' });
  });

  it('pictures, fonts, hashes and tokens are passed over (not read, not unscannable)', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(400, 7)]).toString('base64');
    const woff2 = Buffer.concat([Buffer.from('wOF2'), Buffer.alloc(300, 3)]).toString('base64');
    const sha = 'a'.repeat(10) + '0123456789abcdef'.repeat(4);
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890","name":"x"}').toString('base64url')}.${'Sfl'.repeat(20)}`;
    const page = `<html><img src="data:image/png;base64,${png}"><style>@font-face{src:url(data:font/woff2;base64,${woff2})}</style><p>${sha}</p></html>`;
    expect(await scan(page, 'page.html')).toMatchObject({ verdict: 'clean' });
    expect(await scan(JSON.stringify({ sha256: sha, token: jwt, avatar: png }), 'api.json')).toMatchObject({ verdict: 'clean' });
  });

  it('a document cut short in base64 is damaged, never clean', async () => {
    expect(await scan(JSON.stringify({ content: DOCX.slice(0, 2000) }), 'x.json')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('data: URLs written with percent-escapes', () => {
  const page = (url: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body><iframe src="${url}"></iframe></body></html>`;
  it.each([
    ['an iframe of UTF-8 text/html', 'data:text/html;charset=utf-8,%E7%A7%98%20Confidential'],
    ['plain text, the stamp split by an escaped space', 'data:text/plain,%E7%A7%98%E3%80%80Confidential'],
    ['Shift_JIS bytes', 'data:text/plain;charset=shift_jis,%94%E9%20Confidential'],
  ])('%s is read', async (_what, url) => {
    expect((await scanBlob(new Blob([page(url)]), 'page.html')).verdict).toBe('marked');
  });
  it('秘書 in one stays clean, and a base64 one is left to the base64 reader', async () => {
    expect((await scanBlob(new Blob([page('data:text/plain,%E7%A7%98%E6%9B%B8%20Confidential')]), 'page.html')).verdict).toBe('clean');
    expect((await scanBlob(new Blob([page('data:text/plain;base64,56eYIENvbmZpZGVudGlhbA%3D%3D')]), 'page.html')).verdict).not.toBe('unscannable');
  });
});

describe('a HAR response body in base64, shorter than a run', () => {
  const har = (text: string) => JSON.stringify({ log: { entries: [{ response: { status: 200, content: { mimeType: 'text/plain', encoding: 'base64', text } } }] } });
  it('is read as text because its object says base64', async () => {
    expect((await scanBlob(new Blob([har(Buffer.from('秘 Confidential').toString('base64'))]), 'capture.har')).verdict).toBe('marked');
    expect((await scanBlob(new Blob([har(Buffer.from('秘書 Confidential').toString('base64'))]), 'capture.har')).verdict).toBe('clean');
  });
});
