/**
 * A multipart form upload recognised by its content, whatever Content-Type it is sent under (issue 15):
 * the delimiter line the page hooks look for in a text body (src/detect/form-data-line.ts), and the
 * guard's decision on such a body handed to it as bytes (src/guard/find.ts judgeItem with the real
 * engine: src/detect/extract/form-data.ts), with real documents from the corpus as file parts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formDataStart } from '../../src/detect/form-data-line.js';
import { scanBlob } from '../../src/detect/scan.js';
import { judgeItem } from '../../src/guard/find.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { withLateForm } from '../../src/guard/late-form.js';

const CORPUS = join(__dirname, '../../../shared/corpus');
const B = '----WebKitFormBoundary7MA4YWxkTrZu0gW';

/** A multipart body as a browser writes it (CRLF), or with bare LF as some hand-made ones do. */
function body(parts: { name: string; filename?: string; type?: string; data: string | Buffer }[], opts: { boundary?: string; eol?: string; preamble?: string } = {}): Buffer {
  const b = opts.boundary ?? B;
  const eol = opts.eol ?? '\r\n';
  const chunks: Buffer[] = [Buffer.from(opts.preamble ?? '')];
  for (const p of parts) {
    const disp = `Content-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${b}${eol}${disp}${eol}${p.type ? `Content-Type: ${p.type}${eol}` : ''}${eol}`), Buffer.from(p.data), Buffer.from(eol));
  }
  chunks.push(Buffer.from(`--${b}--${eol}`));
  return Buffer.concat(chunks);
}

const judge = (bytes: Buffer) =>
  judgeItem('fetch', 'https://drive.google.com/upload', { kind: 'bytes', blob: new Blob([new Uint8Array(bytes)]) }, {
    designated: { sha256: [], keywords: [], patterns: [], namePatterns: [], labels: [] },
    limits: DEFAULT_LIMITS,
    scan: withLateForm((blob, name, o) => scanBlob(blob, name, o)), // as the extension's scanner port does (ui-entry.ts)
    textVerdict: () => ({ verdict: 'clean' }),
    encrypted: async () => false,
  });

describe('formDataStart: a multipart body in a text, whatever its Content-Type said', () => {
  it('finds the first delimiter line followed by a part header, after a preamble too, with its boundary', () => {
    const text = body([{ name: 'f', filename: 'a.txt', data: 'x' }]).toString('latin1');
    expect(formDataStart(text)).toEqual({ at: 0, boundary: B });
    expect(formDataStart(`preamble text\r\n${text}`)).toEqual({ at: 15, boundary: B });
    expect(formDataStart(body([{ name: 'f', data: 'x' }], { eol: '\n', boundary: 'b 1 ' }).toString())).toEqual({ at: 0, boundary: 'b 1' });
    expect(formDataStart('--x\r\nX-Other: 1\r\ncontent-type: text/plain\r\n\r\nhi')?.boundary).toBe('x');
  });

  it('is not fooled by text that merely has dashes at a line start', () => {
    expect(formDataStart('# Notes\n---\nContent follows here')).toBeNull();
    expect(formDataStart('-- \nYamada Taro\nContent-Type: none')).toBeNull(); // a mail signature
    expect(formDataStart('{"a":"--x\\r\\nContent-Disposition: form-data"}')).toBeNull(); // escaped in JSON: one line
    expect(formDataStart('')).toBeNull();
  });
});

describe("the guard's decision on a multipart body sent as bytes", () => {
  it('a part named 「秘—…」 is marked by its name, though its content is clean', async () => {
    const j = await judge(body([{ name: 'note', data: 'よろしくお願いします' }, { name: 'file', filename: '秘—見積.txt', type: 'text/plain', data: '見積金額は別紙のとおり' }]));
    expect(j.verdict).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(j.finding).toMatchObject({ verdict: 'marked', rule: 2, fileName: null });
  });

  it('a real document part is read as a document: a stamp inside a docx is found; a clean docx passes', async () => {
    const stamped = readFileSync(join(CORPUS, 'weekly-sync-notes.docx'));
    const clean = readFileSync(join(CORPUS, '秘密保持契約書_雛形.docx'));
    const type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect((await judge(body([{ name: 'file', filename: 'notes.docx', type, data: stamped }]))).verdict).toMatchObject({ verdict: 'marked', rule: 1 });
    const ok = await judge(body([{ name: 'title', data: '秘密保持契約書の雛形です' }, { name: 'file', filename: '契約書.docx', type, data: clean }]));
    expect(ok.verdict.verdict).toBe('clean');
    expect(ok.finding).toBeNull();
  });

  it('a stamp in a text field, bare LF line endings and a preamble are all read', async () => {
    expect((await judge(body([{ name: 'msg', data: '来期の価格表 秘 Confidential' }], { eol: '\n' }))).verdict.verdict).toBe('marked');
    const preamble = body([{ name: 'f', filename: 'C-plan.txt', data: 'plan' }], { preamble: 'This is a multipart body.\r\n' });
    expect((await judge(preamble)).verdict).toMatchObject({ verdict: 'marked', rule: 2 });
  });

  it('a preamble longer than the engine looks (1 KiB) does not hide the parts: a 「秘—…」 part, a stamped docx', async () => {
    const long = 'This is a multipart body. '.repeat(200); // 5 KiB
    const named = body([{ name: 'f', filename: '秘—見積.txt', data: '見積金額は別紙のとおり' }], { preamble: `${long}\r\n` });
    expect((await judge(named)).verdict).toMatchObject({ verdict: 'marked', rule: 2 });
    const type = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const docx = body([{ name: 'file', filename: 'notes.docx', type, data: readFileSync(join(CORPUS, 'weekly-sync-notes.docx')) }], { preamble: `${long}\r\n` });
    expect((await judge(docx)).verdict).toMatchObject({ verdict: 'marked', rule: 1 });
    const clean = body([{ name: 'f', filename: '議事録.txt', data: '来週の定例' }], { preamble: `${long}\r\n` });
    expect((await judge(clean)).finding).toBeNull();
  });

  it('a clean form upload stays clean (nothing to report) and keeps its format', async () => {
    const clean = body([{ name: 'file', filename: '議事録.txt', type: 'text/plain', data: '来週の定例は水曜 10 時から。秘書室にも連絡済み。' }]);
    const r = await scanBlob(new Blob([new Uint8Array(clean)]), 'upload.bin');
    expect(r).toMatchObject({ verdict: 'clean', format: 'form-data' });
    expect((await judge(clean)).finding).toBeNull();
  });
});
