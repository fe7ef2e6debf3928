/**
 * Documents carried inside a text body (issue 15): a File read as a data: URL (base64) or as a binary
 * string and posted in JSON or text. The guard decodes them (src/guard/encoded.ts) and judges each as
 * page-made bytes with the real engine, like the hooks' question would: real documents from the corpus,
 * encoded the ways pages encode them; clean documents and tokens that merely decode are never stopped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64Runs, binaryStrings, decodeBase64, encodedDocuments, exec, mayCarryDocument, slice, SHORT_RUN } from '../../src/guard/encoded.js';
import { judgeItem } from '../../src/guard/find.js';
import { scanBlob } from '../../src/detect/scan.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { encodedIn, textsOf } from '../../extension/content/hooks/text.js';
import { itemsOf } from '../../extension/content/hook-items.js';

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
    expect(base64Runs('x'.repeat(SHORT_RUN - 1))).toEqual([]);
    expect(base64Runs('x'.repeat(SHORT_RUN))).toEqual(['x'.repeat(SHORT_RUN)]);
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

  it('hands over a text of more than 4 MiB whole: a document of 3 MB or more is longer than that in base64', () => {
    const big = JSON.stringify({ data: `data:text/plain;base64,${Buffer.from(`${'a log line of no interest\n'.repeat(200_000)}秘 Confidential 以上\n`).toString('base64')}` });
    expect(big.length).toBeGreaterThan(6_000_000);
    expect(encodedIn(big)?.text.includes(big.slice(-2000))).toBe(true);
  });

  it('keeps ordinary bodies in the page: JSON, forms, keystrokes, European text', () => {
    expect(encodedIn(JSON.stringify({ op: 'insert', pos: 12, text: 'a', rev: 'f3b0c44298fc1c14', session: 'k3j4h5' }))).toBeNull();
    expect(encodedIn('q=%E7%A7%98&lang=ja&client=web')).toBeNull();
    expect(encodedIn('Café crème brûlée à la carte, naïve façade')).toBeNull();
  });
});

describe('digests, tokens and images need no decoding; every text the guard would stop does (mayCarryDocument)', () => {
  const asks = (text: string) => mayCarryDocument(textsOf(text).join('\n'), atob, exec, slice);
  /** Every way this file tests a document encoded in a body. */
  const encodings = (b: Buffer): string[] => {
    const b64 = b.toString('base64');
    return [
      JSON.stringify({ data: `data:application/octet-stream;base64,${b64}` }),
      JSON.stringify({ file: b.toString('base64url') }),
      `{"file":"${b64.replaceAll('/', '\\/')}"}`,
      `payload:\r\n${b64.replace(/.{76}/g, '$&\r\n')}`,
      JSON.stringify({ payload: b64.replace(/.{76}/g, '$&\n') }),
      `x=${encodeURIComponent(b64)}&y=1`,
      JSON.stringify({ doc: b.toString('latin1') }),
    ];
  };

  it('every corpus file and every stamped text the guard stops when encoded is asked about, every way it is encoded', async () => {
    const files = readdirSync(CORPUS).filter((n) => !/\.(md|sh|json)$/.test(n)).map((n) => [n, doc(n)] as const);
    // Containers, encodings and drawings read since the corpus was made (cpio, ar, .Z, sfx, uu, shar,
    // V7 tar, ISO and UDF, iWork, metafiles): their stamps are compressed, encoded or in UTF-16.
    for (const dir of ['archives/containers', 'metafile', 'iwork']) {
      const at = new URL(`../fixtures/${dir}/`, import.meta.url);
      for (const n of readdirSync(at).filter((n) => !/\.(md|mjs)$/.test(n))) files.push([`${dir}/${n}`, readFileSync(new URL(n, at))]);
    }
    const texts = ['秘 Confidential', '設計レビュー a1b2c3d4\n秘 Confidential\n以上\n', '来期の価格表 秘 Confidential 取扱注意'.repeat(3)];
    for (const t of texts) {
      for (const enc of ['utf-8', 'utf-16le', 'latin1'] as const) files.push([`${t.slice(0, 8)} (${enc})`, Buffer.from(t, enc === 'latin1' ? 'utf-8' : enc)]);
    }
    // 秘 in Shift_JIS and in EUC-JP, with ASCII around it.
    files.push(['shift_jis', Buffer.concat([Buffer.from('Note:\r\n'), Buffer.from([0x94, 0xe9]), Buffer.from(' Confidential\r\nprice list follows\r\n')])]);
    files.push(['euc-jp', Buffer.concat([Buffer.from('Note:\n'), Buffer.from([0xc8, 0xeb]), Buffer.from(' Confidential\nprice list follows\n')])]);
    let stopped = 0;
    for (const [name, bytes] of files) {
      for (const body of encodings(bytes)) {
        if (!(await verdicts(asHooksSend(body))).includes('marked')) continue;
        stopped++;
        expect(asks(body), `${name}: ${body.slice(0, 60)}`).toBe(true);
        // The page's own check (captured built-ins, the policy known and without content rules) asks too.
        expect(encodedIn(body, false), `page: ${name}: ${body.slice(0, 60)}`).not.toBeNull();
      }
    }
    expect(stopped).toBeGreaterThan(40);
  });

  it('a drawing the engine cannot open (DWG 2004 on) is asked about: the guard warns that it was not checked', () => {
    // Compressed sections after the header: bytes above 0x7f, as any real drawing has (a fixed pattern, not random: a test that cannot flake).
    const dwg = Buffer.concat([Buffer.from('AC1032'), Buffer.alloc(7), Buffer.from(Array.from({ length: 400 }, (_, i) => 0x80 | ((i * 37) & 0x7f)))]);
    for (const body of encodings(dwg)) expect(asks(body), body.slice(0, 40)).toBe(true);
  });

  it('a document hidden behind an image header in its first KiB (a PDF after PNG bytes) is still asked about', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(asks(JSON.stringify({ img: Buffer.concat([png, Buffer.from('%PDF-1.7\n'), MARKED_PDF]).toString('base64') }))).toBe(true);
    expect(asks(JSON.stringify({ img: Buffer.concat([png, randomBytes(300), Buffer.from('1 0 obj <<')]).toString('base64') }))).toBe(true);
  });

  it('a lowercase hex run, of any length, can never decode to a format marker or to 秘/㊙ in any encoding (exhaustive)', () => {
    // Base64 decodes 4 characters to 3 bytes, group by group: every byte string a hex run can decode to
    // is a sequence of these 16^4 groups, so a byte pattern fits in one only if each of its pieces fits
    // the group it falls in, at one of the three alignments.
    const hex = '0123456789abcdef';
    const groups: string[] = [];
    for (let i = 0; i < 65536; i++) groups.push(atob([12, 8, 4, 0].map((sh) => hex[(i >> sh) & 15]).join('')));
    const fits = (pat: string, aligns: number[]) =>
      aligns.some((a) => {
        for (let i = 0, pos = a; i < pat.length; ) {
          const off = pos % 3;
          const take = Math.min(3 - off, pat.length - i);
          const piece = pat.slice(i, i + take);
          if (!groups.some((g) => g.slice(off, off + take) === piece)) return false;
          i += take;
          pos += take;
        }
        return true;
      });
    const needles = ['\xe7\xa7\x98', '\xe3\x8a\x99', '\xd8y', 'y\xd8', '\x992', '2\x99', '\x94\xe9', '\xc8\xeb', 'Hk'];
    const anywhere = ['%PDF', 'obj', 'ustar', '\n'];
    const atStart = ['PK', '\xd0\xcf', '\x1f\x8b', '7z', 'Rar', '\xfd7z', 'BZh', '(\xb5', 'MSCF', '{\\rtf', '<', '\xef\xbb\xbf', ' ', '\t', '\r', '\f', '\v', '\xa0', '--'];
    for (const p of [...needles, ...anywhere]) expect(fits(p, [0, 1, 2]), JSON.stringify(p)).toBe(false);
    for (const p of atStart) expect(fits(p, [0]), JSON.stringify(p)).toBe(false);
    for (let c = 0x50; c < 0x60; c++) expect(fits(`${String.fromCharCode(c)}*M`, [0])).toBe(false); // zstd's skippable frame
    expect(groups.some((g) => g[2] === '-')).toBe(false); // LZH's `..-l`
  });

  it('SHA-256 and SHA-512 hex digests, JWTs, tokens and base64 images need no decoding', () => {
    // Lowercase hex never decodes to a format's first bytes or to 秘/㊙'s (checked on 1,000 digests);
    // uppercase hex now and then holds their bytes by chance (about 1 digest in 100): asked then.
    let upper = 0;
    for (let i = 0; i < 500; i++) {
      const h = createHash('sha256').update(String(i)).digest();
      expect(asks(JSON.stringify({ sha256: h.toString('hex'), sha512: createHash('sha512').update(String(i)).digest('hex') }))).toBe(false);
      if (asks(JSON.stringify({ SHA256: h.toString('hex').toUpperCase() }))) upper++;
    }
    expect(upper).toBeLessThan(15);
    const jwt = (claims: object, sig: Buffer) =>
      [Buffer.from('{"alg":"RS256","kid":"a1b2c3d4e5f60718293a4b5c6d7e8f90","typ":"JWT"}'), Buffer.from(JSON.stringify(claims)), sig].map((b) => b.toString('base64url')).join('.');
    expect(asks(JSON.stringify({ idToken: jwt({ iss: 'https://accounts.example.com', sub: '110169484474386276334', email: 'taro@example.co.jp', name: '山田太郎' }, Buffer.alloc(256, 7)) }))).toBe(false);
    const png = (n: number) => `data:image/png;base64,${Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(n)]).toString('base64')}`;
    const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), randomBytes(50_000)]).toString('base64');
    expect(asks(JSON.stringify({ avatar: png(30_000), photo: jpeg }))).toBe(false);
    // Random bytes (signatures, sealed tokens): asked only when 秘/㊙'s bytes happen to be in them.
    let asked = 0;
    for (let i = 0; i < 400; i++) if (asks(JSON.stringify({ session: randomBytes(96).toString('base64'), sig: jwt({ sub: String(i) }, randomBytes(256)) }))) asked++;
    expect(asked).toBeLessThan(400 * 0.1);
  });

  it('the guard decodes nothing for such a text, except under designated content rules or before the policy is known (itemsOf)', async () => {
    const none = { sha256: [], keywords: [], patterns: [], namePatterns: [], labels: [] };
    const text = JSON.stringify({ sha256: createHash('sha256').update('x').digest('hex'), avatar: `data:image/png;base64,${Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(3000)]).toString('base64')}` });
    const subjects = [{ kind: 'text' as const, text }];
    expect((await itemsOf(subjects, none))).toHaveLength(1); // the text itself
    expect((await itemsOf(subjects, undefined)).length).toBeGreaterThan(1);
    expect((await itemsOf(subjects, { ...none, keywords: ['Project X'] })).length).toBeGreaterThan(1);
    expect((await itemsOf(subjects, { ...none, sha256: ['00'] })).length).toBeGreaterThan(1);
    expect((await itemsOf([{ kind: 'text', text: JSON.stringify({ f: MARKED_DOCX.toString('base64') }) }], none))).toHaveLength(2);
  });
});

describe('a stamped line in a short base64 run (under 64 characters: a field, a cookie-sized value)', () => {
  const forms: [string, Buffer][] = [
    ['utf-8', Buffer.from('秘 Confidential')],
    ['utf-8, no space', Buffer.from('秘Confidential')],
    ['㊙ utf-8', Buffer.from('㊙ Confidential')],
    ['utf-16le', Buffer.from('秘 Confidential', 'utf16le')],
    ['shift_jis', Buffer.concat([Buffer.from([0x94, 0xe9]), Buffer.from('Confidential')])],
    ['euc-jp', Buffer.concat([Buffer.from([0xc8, 0xeb]), Buffer.from(' Confidential')])],
  ];

  it('is decoded and judged marked, and the page asks the guard about it', async () => {
    for (const [enc, b] of forms) {
      for (const b64 of [b.toString('base64'), b.toString('base64url')]) {
        expect(b64.length, enc).toBeLessThan(64);
        expect(b64.length, enc).toBeGreaterThanOrEqual(SHORT_RUN);
        const body = JSON.stringify({ note: b64, at: 3 });
        expect(await verdicts(asHooksSend(body)), `${enc} ${b64}`).toContain('marked');
        expect(encodedIn(body, false), `${enc} ${b64}`).not.toBeNull();
      }
    }
  });

  it('short tokens that decode to anything else are kept in the page, or asked about only now and then', () => {
    expect(encodedIn(JSON.stringify({ id: '550e8400-e29b-41d4-a716-446655440000', word: 'internationalization', user: 'taro_yamada_1984' }), false)).toBeNull();
    expect(encodedIn(JSON.stringify({ text: '\u3042\u3044\u3046\u3048\u304a\u304b\u304d\u304f\u3051\u3053' }).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`), false)).toBeNull();
    expect(encodedDocuments(Buffer.from('秘書室 Confidential').toString('base64'))).toHaveLength(1); // holds 秘: judged (and clean: 秘書室 is no stamp)
    expect(encodedDocuments(Buffer.from('a note of no interest at all').toString('base64'))).toEqual([]);
    let asked = 0;
    for (let i = 0; i < 1000; i++) if (encodedIn(JSON.stringify({ session: randomBytes(16).toString('base64url'), csrf: randomBytes(30).toString('base64') }), false)) asked++;
    expect(asked).toBeLessThan(1000 * 0.02);
  });
});

describe('the page check cannot be bent by the page (it runs among the page\'s own built-ins)', () => {
  it('a marked .docx is asked about with atob, RegExp#exec, String#slice and Symbol.replace replaced', () => {
    const body = JSON.stringify({ file: MARKED_DOCX.toString('base64url') });
    const g = globalThis as unknown as Record<PropertyKey, unknown>;
    const saved = { atob: g.atob, exec: RegExp.prototype.exec, slice: String.prototype.slice };
    let got: unknown;
    try {
      g.atob = () => '\x89PNG\r\n\x1a\n';
      RegExp.prototype.exec = () => null;
      String.prototype.slice = () => '';
      (String.prototype as unknown as Record<symbol, unknown>)[Symbol.replace] = () => 'AAAA';
      got = encodedIn(body, false);
    } finally {
      g.atob = saved.atob;
      RegExp.prototype.exec = saved.exec;
      String.prototype.slice = saved.slice;
      delete (String.prototype as unknown as Record<symbol, unknown>)[Symbol.replace];
    }
    expect(got).not.toBeNull();
  });
});

describe('page-made bytes that are text: a JSON body the page wraps in a Blob, or encodes with TextEncoder (itemsOf)', () => {
  const none = { sha256: [], keywords: [], patterns: [], namePatterns: [], labels: [] };
  const json = JSON.stringify({ attachments: [{ data: dataUrl(MARKED_DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') }] });
  const bytes = (blob: Blob) => [{ kind: 'bytes' as const, blob }];
  /** What the guard does with the hooks' question about these bytes: every item judged, as judgeItem does. */
  async function judged(blob: Blob): Promise<string[]> {
    const out: string[] = [];
    for (const item of await itemsOf(bytes(blob), none)) {
      if (item.kind !== 'bytes') continue;
      const j = await judgeItem('fetch', 'https://chatgpt.com/backend-api/files', item, {
        designated: none,
        limits: DEFAULT_LIMITS,
        scan: (b, name, o) => scanBlob(b, name, o),
        textVerdict: () => ({ verdict: 'clean' }),
        encrypted: async () => false,
      });
      out.push(j.verdict.verdict);
    }
    return out;
  }

  it('a marked .docx in a data: URL inside JSON is decoded, whether the Blob says JSON, says nothing, or is TextEncoder bytes', async () => {
    expect(await judged(new Blob([json], { type: 'application/json' }))).toContain('marked');
    expect(await judged(new Blob([json]))).toContain('marked');
    expect(await judged(new Blob([new TextEncoder().encode(json)], { type: 'application/octet-stream' }))).toContain('marked');
    expect(await judged(new Blob([JSON.stringify({ note: Buffer.from('秘 Confidential').toString('base64') })], { type: 'text/plain' }))).toContain('marked');
  });

  it('binary bytes are not read as text; a clean or token-only JSON Blob adds nothing', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(4000)]);
    expect(await itemsOf(bytes(new Blob([png])), none)).toHaveLength(1);
    expect(await itemsOf(bytes(new Blob([MARKED_DOCX])), none)).toHaveLength(1); // the engine reads the .docx itself
    const tokens = JSON.stringify({ sha256: createHash('sha256').update('x').digest('hex'), session: 'k3j4h5' });
    expect(await itemsOf(bytes(new Blob([tokens], { type: 'application/json' })), none)).toHaveLength(1);
    expect(await judged(new Blob([JSON.stringify({ data: dataUrl(CLEAN_DOCX, 'application/octet-stream') })]))).not.toContain('marked');
  });
});
