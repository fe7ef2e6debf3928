/**
 * Documents carried inside a text body (issue 15): a File read as a data: URL (base64) or as a binary
 * string and posted in JSON or text. The guard decodes them (src/guard/encoded.ts) and judges each as
 * page-made bytes with the real engine, like the hooks' question would: real documents from the corpus,
 * encoded the ways pages encode them; clean documents and tokens that merely decode are never stopped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64Runs, binaryStrings, decodeBase64, encodedDocuments, MIN_RUN } from '../../src/guard/encoded.js';
import { judgeItem } from '../../src/guard/find.js';
import { scanBlob } from '../../src/detect/scan.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { encodedIn, textsOf } from '../../extension/content/hooks/text.js';

const CORPUS = join(__dirname, '../../../shared/corpus');
const doc = (n: string) => readFileSync(join(CORPUS, n));
const MARKED_DOCX = doc('weekly-sync-notes.docx');
const CLEAN_DOCX = doc('秘密保持契約書_雛形.docx');
const MARKED_DOC = doc('旧見積書.doc');
const MARKED_PDF = doc('技術資料_概要.pdf');

/** What the guard does with a text question: its decoded documents, each judged as bytes. */
async function verdicts(text: string): Promise<string[]> {
  const out: string[] = [];
  for (const bytes of encodedDocuments(text)) {
    const j = await judgeItem('fetch', 'https://chatgpt.com/backend-api/files', { kind: 'bytes', blob: new Blob([bytes]) }, {
      designated: { sha256: [], keywords: [], patterns: [], namePatterns: [], labels: [] },
      limits: DEFAULT_LIMITS,
      scan: (blob, name, o) => scanBlob(blob, name, o),
      textVerdict: () => ({ verdict: 'clean' }),
      encrypted: async () => false,
    });
    out.push(j.verdict.verdict);
  }
  return out;
}

/** The text the hooks hand the guard for a body (the body, then its decoded JSON strings). */
const asHooksSend = (body: string) => textsOf(body).join('\n');
const dataUrl = (b: Buffer, type: string) => `data:${type};base64,${b.toString('base64')}`;

describe('a marked document encoded in a text body is found and judged marked', () => {
  it('a .docx read as a data: URL and posted inside JSON', async () => {
    const body = JSON.stringify({ model: 'x', attachments: [{ data: dataUrl(MARKED_DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') }] });
    expect(await verdicts(asHooksSend(body))).toContain('marked');
  });

  it('the base64 alone (split off the data: URL), URL-safe without padding, and with JSON escaping `\\/`', async () => {
    const b64 = MARKED_DOCX.toString('base64');
    expect(await verdicts(JSON.stringify({ file: b64 }))).toContain('marked');
    expect(await verdicts(MARKED_DOCX.toString('base64url'))).toContain('marked');
    expect(await verdicts(`{"file":"${b64.replaceAll('/', '\\/')}"}`)).toContain('marked');
  });

  it('base64 wrapped in 76-character lines (MIME), raw or JSON-escaped', async () => {
    const wrapped = MARKED_PDF.toString('base64').replace(/.{76}/g, '$&\r\n');
    expect(await verdicts(`payload:\r\n${wrapped}`)).toContain('marked');
    expect(await verdicts(JSON.stringify({ payload: wrapped }))).toContain('marked');
  });

  it('a Word 97 .doc read as a binary string (readAsBinaryString) and posted raw or in JSON', async () => {
    const bin = MARKED_DOC.toString('latin1');
    expect(await verdicts(bin)).toContain('marked');
    expect(await verdicts(asHooksSend(JSON.stringify({ doc: bin })))).toContain('marked');
    expect(await verdicts(asHooksSend(JSON.stringify({ doc: MARKED_DOCX.toString('latin1') })))).toContain('marked');
  });

  it('a stamped text file read as a binary string (its UTF-8 bytes as chars), beside Japanese text in JSON', async () => {
    const bin = Buffer.from('設計レビュー 8c1f\n秘 Confidential\n以上\n').toString('latin1');
    expect(await verdicts(bin)).toEqual(['marked']);
    expect(await verdicts(asHooksSend(JSON.stringify({ title: '報告書', doc: bin })))).toContain('marked');
  });

  it('a stamped text file in base64 (btoa of its UTF-8)', async () => {
    const text = Buffer.from('設計レビュー 8c1f\n秘 Confidential\n以上\n');
    expect(await verdicts(JSON.stringify({ content: text.toString('base64') }))).toEqual(['marked']);
  });
});

describe('never stops clean work', () => {
  it('a clean .docx as a data: URL decodes and is not marked', async () => {
    const v = await verdicts(JSON.stringify({ data: dataUrl(CLEAN_DOCX, 'application/octet-stream') }));
    expect(v.length).toBe(1);
    expect(v).not.toContain('marked');
  });

  it('tokens, hashes and identifiers that happen to decode are judged as bytes, never marked', async () => {
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: '1234567890', name: '山田', iat: 1516239022, scope: 'read write profile email' })).toString('base64url')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
    const body = JSON.stringify({ token: jwt, sha: 'a'.repeat(64), id: 'f3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
    expect(await verdicts(body)).not.toContain('marked');
  });

  it('ordinary text and short base64 are not decoded at all', () => {
    expect(encodedDocuments('打合せは 3 階 秘書室に連絡済み. See https://example.com/a/b/c?x=1')).toEqual([]);
    expect(encodedDocuments(JSON.stringify({ icon: 'data:image/png;base64,iVBORw0KGgo=' }))).toEqual([]);
    expect(encodedDocuments('Café crème brûlée à la carte, naïve façade, señor — Ærø, '.repeat(4))).toEqual([]);
  });
});

describe('the decoding itself', () => {
  it('runs start and end at the alphabet; wrapped lines join only at whole 4-character groups', () => {
    const a = 'QUJD'.repeat(20);
    expect(base64Runs(`"${a}"`)).toEqual([a]);
    expect(base64Runs(`${a}\n${a}`)).toEqual([a + a]);
    expect(base64Runs(`${a}\\n${a}`)).toEqual([a + a]);
    // A shorter line before: not a wrapped encoding (joining would shift every group after it).
    expect(base64Runs(`abc\n${a}`)).toEqual([a]);
    expect(base64Runs('x'.repeat(MIN_RUN - 1))).toEqual([]);
  });

  it('decodes forgiving base64 and refuses what is not base64', () => {
    expect(Buffer.from(decodeBase64('44GT44KT44Gr44Gh44Gv')!).toString()).toBe('こんにちは');
    expect(Buffer.from(decodeBase64('44GT44KT44Gr44Gh44Gv4')!).toString()).toBe('こんにちは'); // a stray char
    expect(Buffer.from(decodeBase64('_-8')!)).toEqual(Buffer.from([0xff, 0xef]));
  });

  it('a binary string runs from its signature to the first char that is not a byte', () => {
    const zip = MARKED_DOCX.toString('latin1');
    const [found] = binaryStrings(`{"a":"x","doc":"${'\n'}${zip}"}秘`);
    expect(Buffer.from(found).subarray(0, zip.length).equals(MARKED_DOCX)).toBe(true);
    expect(binaryStrings('PK\x03\x04 too short')).toEqual([]);
    expect(binaryStrings(`PK\x03\x04${'x'.repeat(100)}`)).toEqual([]); // no raw bytes: text, not a binary string
  });
});

describe('the page hooks hand the guard only a text that may carry a document (encodedIn)', () => {
  it('a data: URL, a long base64 run (JSON-escaped too), a binary string', () => {
    expect(encodedIn(JSON.stringify({ d: dataUrl(MARKED_DOCX, 'application/pdf') }))).not.toBeNull();
    expect(encodedIn(`{"f":"${MARKED_DOCX.toString('base64').replaceAll('/', '\\/')}"}`)).not.toBeNull();
    expect(encodedIn(Buffer.from('秘 Confidential: 来週の定例の議事録です').toString('base64'))).not.toBeNull();
    expect(encodedIn(JSON.stringify({ doc: MARKED_DOC.toString('latin1') }))?.text).toContain('\xd0\xcf\x11\xe0');
  });

  it('keeps ordinary bodies in the page: JSON, forms, keystrokes, European text', () => {
    expect(encodedIn(JSON.stringify({ op: 'insert', pos: 12, text: 'a', rev: 'f3b0c44298fc1c14', session: 'k3j4h5' }))).toBeNull();
    expect(encodedIn('q=%E7%A7%98&lang=ja&client=web')).toBeNull();
    expect(encodedIn('Café crème brûlée à la carte, naïve façade')).toBeNull();
  });
});
