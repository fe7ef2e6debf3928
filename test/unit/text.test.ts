import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Iso2022JpDecoder } from '../../src/detect/extract/iso2022jp.js';
import { describe, expect, it } from 'vitest';
import { decodeText, detectTextEncoding, extractText, validUtf8 } from '../../src/detect/extract/text.js';
import type { Extracted } from '../../src/detect/extract/types.js';
import { collect as collectFrom, testContext as ctx } from '../support/extract.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures/text');
const CORPUS = join(__dirname, '../../../shared/corpus');


const collect = (data: Uint8Array | Blob, fullText = false) => collectFrom(extractText, data, ctx({ fullText }));

function stampIn(items: Extracted[]) {
  for (const x of items) if (x.kind === 'text') {
    const h = findStamp(x.text);
    if (h) return h;
  }
  return null;
}

const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

describe('detectTextEncoding', () => {
  it.each([
    ['marked-utf8.txt', 'utf-8'],
    ['marked-utf8-bom.txt', 'utf-8'],
    ['marked-sjis.txt', 'shift_jis'],
    ['clean-sjis.txt', 'shift_jis'],
    ['marked-eucjp.txt', 'euc-jp'],
    ['clean-eucjp.txt', 'euc-jp'],
    ['marked-iso2022jp.txt', 'iso-2022-jp'],
    ['marked-utf16be-nobom.txt', 'utf-16be'],
    ['marked-utf16le-nobom.txt', 'utf-16le'],
    ['marked-utf16le-bom.csv', 'utf-16le'],
    ['marked-utf16le-noascii.txt', 'utf-16le'],
    ['clean-hk-ascii.txt', 'utf-8'],
  ])('%s is %s', (name, enc) => {
    expect(detectTextEncoding(fixture(name))).toBe(enc);
  });

  it('decodeText strips the BOM and decodes', () => {
    expect(decodeText(fixture('marked-utf16le-bom.csv'))).toMatch(/^㊙ Confidential,値/);
    expect(decodeText(fixture('marked-utf8-bom.txt'))).toMatch(/^納品書/);
    expect(decodeText(fixture('marked-sjis.txt'))).toContain('秘\u3000Confidential');
    expect(decodeText(new Uint8Array(0))).toBe('');
  });
});

describe('validUtf8: the same answer as a fatal TextDecoder', () => {
  const fatal = (b: Uint8Array) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b);
      return true;
    } catch {
      return false;
    }
  };
  it('every one- to four-byte sequence at the edges of each range, alone and followed by text', () => {
    // Bytes that bound the WHATWG decoder's ranges: lead bytes, second bytes after E0/ED/F0/F4, continuations.
    const edges = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff];
    let checked = 0;
    const seqs: number[][] = [];
    for (const a of edges) {
      seqs.push([a]);
      for (const b of edges) {
        seqs.push([a, b]);
        for (const c of [0x41, 0x80, 0xbf, 0xc0]) {
          seqs.push([a, b, c]);
          for (const d of [0x41, 0x80, 0xbf, 0xc0]) seqs.push([a, b, c, d]);
        }
      }
    }
    for (const q of seqs) for (const tail of [[], [0x41]]) {
      const bytes = new Uint8Array([...q, ...tail]);
      expect([q, tail, validUtf8(bytes)]).toEqual([q, tail, fatal(bytes)]);
      checked++;
    }
    expect(checked).toBeGreaterThan(20_000);
  });

  it('ASCII runs passed four bytes at a time: every sequence after 0–9 ASCII bytes, at every alignment of the buffer', () => {
    const seqs = [[0xe7, 0xa7, 0x98], [0xe7, 0xa7], [0xc2, 0x41], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xff], [0x41]];
    let checked = 0;
    for (const q of seqs) for (let pre = 0; pre < 10; pre++) for (let post = 0; post < 6; post++) for (let off = 0; off < 4; off++) {
      const body = [...new Array(pre).fill(0x61), ...q, ...new Array(post).fill(0x62), ...q];
      const buf = new Uint8Array(body.length + 4);
      buf.set(body, off);
      const bytes = buf.subarray(off, off + body.length);
      expect([q, pre, post, off, validUtf8(bytes)]).toEqual([q, pre, post, off, fatal(bytes)]);
      checked++;
    }
    expect(checked).toBe(8 * 10 * 6 * 4);
  });

  it('random byte strings biased to UTF-8 shapes, and real text', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const text = new TextEncoder().encode('秘 Confidential 社外秘 — 😀 ü ©\u0000');
    let valid = 0;
    for (let k = 0; k < 20_000; k++) {
      const b = text.slice();
      for (let j = Math.floor(rnd() * 3); j > 0; j--) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = b.subarray(0, Math.floor(rnd() * (b.length + 1)));
      const ok = fatal(cut);
      if (ok) valid++;
      expect(validUtf8(cut)).toBe(ok);
    }
    // Both answers occur often, so neither a constant true nor false passes.
    expect(valid).toBeGreaterThan(2_000);
    expect(valid).toBeLessThan(18_000);
  });
});

describe('extractText fixtures', () => {
  const marked = [
    'marked-utf8.txt',
    'marked-utf8-bom.txt',
    'marked-sjis.txt',
    'marked-sjis-newline.txt',
    'marked-eucjp.txt',
    'marked-iso2022jp.txt',
    'marked-utf16be-nobom.txt',
    'marked-utf16le-nobom.txt',
    'marked-utf16le-bom.csv',
    'marked-utf16le-noascii.txt',
    'marked-gb18030.txt',
    'marked-big5.txt',
    'marked-euckr.txt',
  ];
  const clean = [
    'clean-utf8.txt',
    'clean-sjis.txt',
    'clean-eucjp.txt',
    'clean-iso2022jp.txt',
    'clean-utf16be-nobom.txt',
    'clean-utf16le-nobom.txt',
    'clean-hk-ascii.txt',
    'clean-gb18030.txt',
    'clean-big5.txt',
    'clean-euckr.txt',
  ];
  for (const fullText of [false, true]) {
    it.each(marked)(`%s is marked (fullText=${fullText})`, async (name) => {
      const items = await collect(fixture(name), fullText);
      expect(stampIn(items), name).not.toBeNull();
      for (const x of items) expect(x.kind === 'text' && x.where).toEqual({});
    });
    it.each(clean)(`%s is clean (fullText=${fullText})`, async (name) => {
      expect(stampIn(await collect(fixture(name), fullText))).toBeNull();
    });
  }

  it('full text mode yields the whole text (for company keywords)', async () => {
    const items = await collect(fixture('clean-sjis.txt'), true);
    const all = items.map((x) => (x.kind === 'text' ? x.text : '')).join('');
    expect(all).toContain('秘密保持契約書について、社外秘の扱いは秘書室に確認のこと。');
  });

  it('prefilter mode yields nothing for text without 秘', async () => {
    const bytes = new TextEncoder().encode('ただの文書です。Confidential\n'.repeat(1000));
    expect(await collect(bytes)).toEqual([]);
  });
});

describe('extractText: CSV fields side by side', () => {
  const stampWhere = (items: Extracted[]) => items.find((x) => x.kind === 'text' && findStamp(x.text))?.where;
  const enc = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['秘,Confidential', 'bare fields'],
    ['"区分","番号"\r\n"秘","Confidential"\r\n', 'quoted fields (LibreOffice, Excel)'],
    ['\ufeff"秘";"Confidential"\n', 'semicolons (European Excel)'],
    ['社外秘, CONFIDENTIAL', 'as a sheet joins neighbouring cells'],
    ['"区分 秘 ","Confidential"\r\n', 'blanks after 秘 in its field'],
    ['"区分秘\u3000",Confidential\r\n', 'an ideographic space after 秘'],
    ['"区分"\t"番号"\r\n"秘"\t"Confidential"\r\n', 'tab-separated quoted fields (Excel Unicode text, LibreOffice quote-all)'],
    ['="秘",="Confidential"\r\n', 'Excel formulas that keep text as typed'],
  ])('%j is the stamp: %s', async (csv) => {
    expect(stampWhere(await collect(enc(csv)))).toMatchObject({ area: 'cells' });
  });
  it.each([['秘,,Confidential', 'an empty field between'], ['"秘"\t\t"Confidential"', 'an empty quoted-TSV field between'], ['秘書室,Confidential', '秘 does not end its field'], ['秘,\nConfidential', 'another row']])('%j is not: %s', async (csv) => {
    expect(stampIn(await collect(enc(csv)))).toBeNull();
  });
  it('in Shift_JIS, as Excel saves CSV on Japanese Windows', async () => {
    const sjis = new Uint8Array([...new TextEncoder().encode('"'), 0x94, 0xe9, ...new TextEncoder().encode('","Confidential"\r\n')]);
    expect(stampWhere(await collect(sjis))).toMatchObject({ area: 'cells' });
  });
});

describe('extractText: the strings of a JSON array side by side, as a Jupyter notebook shows them', () => {
  it.each(['notebook-markdown-stamp.ipynb', 'notebook-output-stamp.ipynb'])('%s is the stamp', async (name) => {
    expect(stampIn(await collect(fixture(name)))).not.toBeNull();
    expect(stampIn(await collect(fixture(name), true))).not.toBeNull();
  });
  it('notebook-trap.ipynb (秘書室, 社外秘の) is not; nor two CSV rows whose first ends 「"秘",」', async () => {
    expect(stampIn(await collect(fixture('notebook-trap.ipynb')))).toBeNull();
    expect(stampIn(await collect(new TextEncoder().encode('"区分","番号"\r\n"秘",\r\n"Confidential","2"\r\n')))).toBeNull();
  });
});

describe('extractText corpus', () => {
  it.each([
    ['納品書控え.txt', true],
    ['測定結果.csv', true],
    ['秘ー打合せ記録.txt', false],
    ['社外秘文書の取扱い.txt', false],
    ['ABC—memo.txt', false],
  ])('%s marked=%s', async (name, marked) => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS, name)));
    for (const full of [false, true]) expect(stampIn(await collect(bytes, full)) !== null).toBe(marked);
  });
});

describe('extractText large input', () => {
  const SLICE = 4 << 20;
  function bigWithStampAt(offset: number, enc: 'utf-8' | 'utf-16le' | 'shift_jis'): Uint8Array {
    const filler = 'あいうえお漢字テキスト、秘密の話。\n';
    const stamp = '秘 Confidential';
    const encode = (t: string) =>
      enc === 'utf-8' ? new TextEncoder().encode(t) : enc === 'shift_jis' ? sjis(t) : utf16le(t);
    const fb = encode(filler);
    const sb = encode(stamp);
    const nl = encode('\n');
    const u = new Uint8Array(offset + sb.length + 16);
    let i = 0;
    if (enc === 'utf-16le') {
      u.set([0xff, 0xfe]);
      i = 2;
    }
    for (; i + fb.length <= offset; i += fb.length) u.set(fb, i);
    for (; i < offset; i += nl.length) u.set(nl, i);
    u.set(sb, offset);
    return u;
  }
  function utf16le(t: string): Uint8Array {
    return new Uint8Array(Uint16Array.from(t, (c) => c.charCodeAt(0)).buffer);
  }
  // Shift_JIS bytes of the few characters used above (no Shift_JIS encoder on the web platform).
  function sjis(s: string): Uint8Array {
    const table: Record<string, number[]> = {};
    const dec = new TextDecoder('shift_jis');
    for (let a = 0x81; a <= 0x9f; a++)
      for (let b = 0x40; b <= 0xfc; b++) table[dec.decode(Uint8Array.of(a, b))] ??= [a, b];
    for (let a = 0xe0; a <= 0xea; a++)
      for (let b = 0x40; b <= 0xfc; b++) table[dec.decode(Uint8Array.of(a, b))] ??= [a, b];
    const out: number[] = [];
    for (const c of s) out.push(...(c.charCodeAt(0) < 0x80 ? [c.charCodeAt(0)] : table[c]));
    return Uint8Array.from(out);
  }

  for (const enc of ['utf-8', 'shift_jis', 'utf-16le'] as const)
    it(`finds a stamp straddling the slice boundary (${enc})`, async () => {
      for (const off of [SLICE - 3, SLICE - 1, SLICE, SLICE + 1, 2 * SLICE - 8]) {
        const o = enc === 'utf-16le' ? off & ~1 : off;
        const bytes = bigWithStampAt(o, enc);
        expect(detectTextEncoding(bytes.subarray(0, 65536))).toBe(enc);
        expect(stampIn(await collect(bytes)), `${enc} @${o}`).not.toBeNull();
        expect(stampIn(await collect(bytes, true)), `${enc} full @${o}`).not.toBeNull();
      }
    });

  it('pure ASCII start, Shift_JIS stamp after the sample', async () => {
    const head = new TextEncoder().encode('log line 12345 ok\n'.repeat(10_000));
    const tail = sjis('秘　Confidential です\n');
    const u = new Uint8Array(head.length + tail.length);
    u.set(head);
    u.set(tail, head.length);
    expect(stampIn(await collect(u))).not.toBeNull();
    expect(stampIn(await collect(u, true))).not.toBeNull();
  });
});

describe('UTF-32 (no TextDecoder for it: extract/utf32.ts)', () => {
  it.each(['marked-utf32-bom.txt', 'marked-utf32be-nobom.txt'])('%s is read: marked', async (name) => {
    expect(stampIn(await collect(fixture(name)))?.match).toMatch(/^秘\s+Confidential$/);
    expect(stampIn(await collect(fixture(name), true))).not.toBeNull();
  });

  it('clean UTF-32 text stays clean (its traps are read, not missed)', async () => {
    const items = await collect(fixture('clean-utf32-bom.txt'), true);
    expect(items.map((x) => (x.kind === 'text' ? x.text : '')).join('')).toContain('秘密保持契約書');
    expect(stampIn(items)).toBeNull();
  });

  it('a stamp straddling a 4 MiB slice, and a character cut between slices', async () => {
    for (const off of [(4 << 20) - 4, (4 << 20) - 2 * 4, (4 << 20) + 4]) {
      const text = 'x'.repeat(off / 4 - 1) + '\n秘 Confidential\n';
      const u = new Uint8Array(4 + text.length * 4);
      const v = new DataView(u.buffer);
      v.setUint32(0, 0xfeff, true);
      for (let i = 0; i < text.length; i++) v.setUint32(4 + i * 4, text.charCodeAt(i), true);
      expect(stampIn(await collect(u)), `@${off}`).not.toBeNull();
    }
  });
});

describe('PostScript', () => {
  // What Cairo (GTK's "Print to file") and Ghostscript write: glyph codes in hex through an embedded font.
  const cairoLike = '%!PS-Adobe-3.0\n%%Creator: cairo 1.16.0\n/f-0-0 findfont 12 scalefont setfont\n72 700 moveto <0102030405> show\nshowpage\n%%EOF\n';
  it('text drawn through fonts is not read: unscannable, never clean', async () => {
    const { scanBlob } = await import('../../src/detect/index.js');
    expect(await scanBlob(new Blob([cairoLike]), '見積.ps')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
  it('a stamp written as a literal string is found', async () => {
    const { scanBlob } = await import('../../src/detect/index.js');
    const literal = '%!PS\n/F /GothicBBB-Medium-UniJIS-UTF8-H findfont 14 scalefont def F setfont\n72 676 moveto (秘 Confidential) show\nshowpage\n';
    expect(await scanBlob(new Blob([literal]), '見積.ps')).toMatchObject({ verdict: 'marked', rule: 1 });
    // Plain text that merely mentions PostScript stays text.
    expect((await scanBlob(new Blob(['notes: %!PS files are printed as is\n']), 'notes.txt')).verdict).toBe('clean');
  });
});

describe('Markdown emphasis', () => {
  it('the same in text the guard sees (a prompt, a paste, a request body)', async () => {
    const { scanText } = await import('../../src/detect/rules/verdicts.js');
    for (const t of ['要約して: 秘 **Confidential** の議事録', '**秘** Confidential', '秘\n~~Confidential~~']) expect(scanText(t).verdict, t).toBe('marked');
    for (const t of ['**秘書室** Confidential', '秘 * 注: Confidential は英語表記']) expect(scanText(t).verdict, t).toBe('clean');
  });

  it('marks around 秘 or the word are formatting: 秘 **Confidential**, **秘** Confidential, ~~, _, backticks', async () => {
    const { scanBlob } = await import('../../src/detect/index.js');
    for (const t of ['# 議事録\n\n秘 **Confidential**\n', '**秘** Confidential\n', '*秘* _Confidential_', '`秘` `Confidential`', '秘\n~~Confidential~~']) {
      expect((await scanBlob(new Blob([t]), 'メモ.md')).verdict, t).toBe('marked');
    }
    // The traps stay traps.
    for (const t of ['**秘書室** Confidential\n', '**社外秘** の資料、*Strictly confidential*', '秘 * 注: Confidential は英語表記']) {
      expect((await scanBlob(new Blob([t]), 'メモ.md')).verdict, t).toBe('clean');
    }
  });
});

describe('text whose first 64 KiB do not say its encoding', () => {
  /** `head` bytes, then `tail`: the sample detect() decides by is the head alone. */
  const file = (head: number[], tail: number[]) => new Blob([new Uint8Array([...head, ...tail])]);
  const ascii = (n: number) => Array.from({ length: n }, (_, i) => (i % 64 === 63 ? 0x0a : 0x61 + (i % 26)));
  const CONFIDENTIAL = Array.from(' Confidential\r\n', (c) => c.charCodeAt(0));

  it('Shift_JIS after a head valid in EUC-JP too (half-width katakana in pairs, as bank-transfer exports write)', async () => {
    const kana = Array.from({ length: 4000 }, (_, i) => [0xb1 + (i % 20), 0xb1 + ((i + 3) % 20), 0x20]).flat(); // ｱｲ ｳｴ …
    const head = [...ascii(60_000), ...kana];
    expect((await scanBlob(file(head, [0x94, 0xe9, ...CONFIDENTIAL]), 'zengin.txt')).verdict).toBe('marked'); // 秘 in Shift_JIS
    expect((await scanBlob(file(head, [0x94, 0xe9, 0x8f, 0x91, ...CONFIDENTIAL]), 'zengin.txt')).verdict).toBe('clean'); // 秘書
  });

  // A log whose first lines are UTF-8 (one accented name) and whose later lines a Shift_JIS or EUC-JP
  // program appended: the sample says UTF-8, the stamp is in the code page.
  const utf8Head = [...Array.from(new TextEncoder().encode('user=café\n')), ...ascii(70_000)];
  it.each([
    ['Shift_JIS', [0x94, 0xe9], [0x8f, 0x91, 0x8e, 0xba]],
    ['EUC-JP', [0xc8, 0xeb], [0xbd, 0xf1, 0xbc, 0xbc]],
  ])('%s after a UTF-8 head longer than the sample', async (_name, hi, shoshitsu) => {
    expect((await scanBlob(file(utf8Head, [...hi, ...CONFIDENTIAL]), 'app.log')).verdict).toBe('marked');
    expect((await collect(file(utf8Head, [...hi, ...CONFIDENTIAL]), true)).some((x) => x.kind === 'text' && findStamp(x.text))).toBe(true);
    expect((await scanBlob(file(utf8Head, [...hi, ...shoshitsu, ...CONFIDENTIAL]), 'app.log')).verdict).toBe('clean'); // 秘書室
  });

  /** Japanese text in a code page the web platform decodes but does not encode: a table from its decoder. */
  const jis = (enc: string, text: string): number[] => {
    const dec = new TextDecoder(enc);
    const table = new Map<string, number[]>();
    for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) {
      const c = dec.decode(Uint8Array.of(a, b));
      if (c.length === 1 && !table.has(c)) table.set(c, [a, b]);
    }
    return Array.from(text).flatMap((c) => (c.charCodeAt(0) < 0x80 ? [c.charCodeAt(0)] : table.get(c)!));
  };
  it.each([
    ['Shift_JIS', 'shift_jis'],
    ['EUC-JP', 'euc-jp'],
  ])('UTF-8 after a %s head longer than the sample', async (_name, enc) => {
    const head = jis(enc, '製造工程の記録、検査結果。\n'.repeat(3000));
    expect(new TextDecoder(enc).decode(Uint8Array.from(head.slice(0, 27)))).toBe('製造工程の記録、検査結果。\n');
    const utf8 = (s: string) => Array.from(new TextEncoder().encode(s));
    expect((await scanBlob(file(head, utf8('秘 Confidential\n')), 'app.log')).verdict).toBe('marked');
    expect((await scanBlob(file(head, utf8('秘書室 Confidential\n')), 'app.log')).verdict).toBe('clean');
  });

  it.each([
    ['GBK', [0xc3, 0xd8]],
    ['Big5', [0xaf, 0xb5]],
    ['EUC-KR', [0xdd, 0xfa]],
  ])('%s text after 80 KB of ASCII log', async (_name, hi) => {
    expect((await scanBlob(file(ascii(80_000), [...hi, ...CONFIDENTIAL]), 'app.log')).verdict).toBe('marked');
  });

  // A short file whose sample fits no encoding: lines of a code page, then UTF-8 lines a second program
  // appended (nkf -w and an editor in UTF-8 show those as written). The guess (Shift_JIS, EUC-JP, or
  // UTF-16 by score for cp1252's 「café」 lines) was searched alone.
  it.each([
    ['Shift_JIS', 'shift_jis'],
    ['EUC-JP', 'euc-jp'],
    ['cp1252', 'cp1252'],
  ])('UTF-8 after %s lines in a file shorter than the sample', async (_name, enc) => {
    const head = enc === 'cp1252' ? Array.from('caf\xe9 cr\xe8me\n'.repeat(60), (c) => c.charCodeAt(0)) : jis(enc, 'ログの行です。\n'.repeat(100));
    const utf8 = (s: string) => Array.from(new TextEncoder().encode(s));
    expect((await scanBlob(file(head, utf8('議事録\n秘 Confidential\n')), 'app.log')).verdict).toBe('marked');
    expect((await scanBlob(file(head, utf8('秘書室\nConfidential\n')), 'app.log')).verdict).toBe('clean');
  });

  // ISO-2022-JP is 7-bit: UTF-8 lines, then a mail body saved in it (nkf -w reads both); also after Shift_JIS.
  const iso2022 = (s: string) => Array.from(new TextEncoder().encode(s.replace('秘書室', '\x1b$BHk=q<<\x1b(B').replace('秘', '\x1b$BHk\x1b(B')));
  it.each([
    ['UTF-8', Array.from(new TextEncoder().encode('ログの行です。\n'.repeat(100)))],
    ['Shift_JIS', jis('shift_jis', 'ログの行です。\n'.repeat(100))],
  ])('ISO-2022-JP after %s lines', async (_name, head) => {
    expect(new TextDecoder('iso-2022-jp').decode(Uint8Array.from(iso2022('秘書室 秘')))).toBe('秘書室 秘');
    expect((await scanBlob(file(head, iso2022('議事録\n秘 Confidential\n')), 'mail.txt')).verdict).toBe('marked');
    expect((await scanBlob(file(head, iso2022('秘書室\nConfidential\n')), 'mail.txt')).verdict).toBe('clean');
  });
});

describe('string escapes in UTF-16 text (Windows PowerShell 5.1 writes a program\'s output as UTF-16LE)', () => {
  const utf16 = (s: string, be = false) => {
    const units = Array.from(s, (c) => c.charCodeAt(0));
    return new Uint8Array([...(be ? [0xfe, 0xff] : [0xff, 0xfe]), ...units.flatMap((u) => (be ? [u >> 8, u & 255] : [u & 255, u >> 8]))]);
  };
  it.each([false, true])('big-endian %s: \\u79d8 Confidential is the stamp; \\u79d8\\u66f8\\u5ba4 (秘書室) is not', async (be) => {
    const json = (v: string) => utf16(`{"title": "${v}", "note": "ok"}\r\n`, be);
    expect((await scanBlob(new Blob([json('\\u79d8 Confidential')]), 'out.json')).verdict).toBe('marked');
    expect((await scanBlob(new Blob([json('\\u79d8\\u66f8\\u5ba4 Confidential')]), 'out.json')).verdict).toBe('clean');
  });
});

describe('ISO-2022-JP whose escape stands far before 秘', () => {
  it('a kanji run longer than 1 KB after the escape, past 64 KiB of ASCII: still read', async () => {
    expect((await scanBlob(new Blob([fixture('marked-iso2022jp-late-longrun.txt')]), 'server.log')).verdict).toBe('marked');
    expect((await scanBlob(new Blob([fixture('clean-iso2022jp-late-longrun.txt')]), 'server.log')).verdict).toBe('clean');
  });
});

describe('EUC-JP: a false 秘 one byte off, just before the real one', () => {
  it('the real one is read in a window of its own', async () => {
    expect((await scanBlob(new Blob([fixture('marked-eucjp-false-hit-before.txt')]), 'minutes.txt')).verdict).toBe('marked');
    expect((await scanBlob(new Blob([fixture('clean-eucjp-false-hit-before.txt')]), 'minutes.txt')).verdict).toBe('clean');
  });
});

describe('ISO-2022-JP read as mail readers read it (Iso2022JpDecoder)', () => {
  // `ESC ( B ESC $ B` (two escape sequences in a row), as texts encoded piece by piece and joined carry it.
  const bytes = Uint8Array.from('x\x1b$BHk\x1b(B\x1b$B!!\x1b(BConfidential\x1b$B<<\x1b(B', (c) => c.charCodeAt(0));
  it('drops the escape sequence another one follows at once: no U+FFFD where nkf and Python show nothing', () => {
    expect(new Iso2022JpDecoder().decode(bytes)).toBe('x秘\u3000Confidential室');
  });
  it('keeps a switch to ASCII before an escape sequence it does not decode (ISO-2022-JP-2\'s ESC $ ( D)', () => {
    const jp2 = Uint8Array.from('\x1b$BHk\x1b(B\x1b$(D+1\x1b(B', (c) => c.charCodeAt(0));
    expect(new Iso2022JpDecoder().decode(jp2)).toBe(new TextDecoder('iso-2022-jp').decode(jp2));
  });
  it.each([...Array(bytes.length + 1).keys()])('streamed in two chunks cut at %i, it reads the same', (cut) => {
    const d = new Iso2022JpDecoder();
    expect(d.decode(bytes.subarray(0, cut), { stream: true }) + d.decode(bytes.subarray(cut))).toBe('x秘\u3000Confidential室');
  });
});

describe('Shift_JIS whose double-byte characters all have a lead byte 0x81–0x8D and an ASCII second byte', () => {
  it.each([
    ['C－budget.csv', 'C\x81\x7cbudget.csv'],
    ['C―plan.txt', 'C\x81\x5cplan.txt'],
    ['（注）ー', '\x81\x69\x92\x8d\x81\x6a\x81\x5b'],
  ])('%s is Shift_JIS, not EUC-JP with C1 controls', (text, raw) => {
    const b = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    expect(detectTextEncoding(b)).toBe('shift_jis');
    expect(decodeText(b)).toBe(text);
  });
  it('EUC-JP stays EUC-JP', () => {
    const b = Uint8Array.from('C\xa1\xdd\xb8\xab\xc0\xd1.csv', (c) => c.charCodeAt(0));
    expect(detectTextEncoding(b)).toBe('euc-jp');
  });
});

