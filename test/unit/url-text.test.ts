import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/detect/index.js';
import { MAY_HOLD_STAMP_TEXT as MAY_HOLD_STAMP } from '../../src/guard/text-prefilter.js';
import { BASE64_STAMP, urlText } from '../../src/guard/url-text.js';

/** hooks/url.ts's test: the URL is decoded (in the page, or by the guard for base64). */
const hidesStamp = (url: string) => MAY_HOLD_STAMP.test(url) || BASE64_STAMP.test(url);

const marked = (url: string) => scanText(urlText(url)).verdict === 'marked';

describe('urlText: the text a URL carries to its server', () => {
  it('finds the stamp in queries and paths, however it is escaped', () => {
    for (const url of [
      'https://chatgpt.com/suggest?q=秘 Confidential',
      'https://chatgpt.com/suggest?q=%E7%A7%98+Confidential',
      'https://chatgpt.com/suggest?q=%E7%A7%98%20confidential&x=1',
      '/complete/search/%E7%A7%98%20CONFIDENTIAL',
      '/s?q=%25E7%25A7%2598%2520Confidential', // encoded twice
      '/s?bad=%E0%A4%A&q=%E7%A7%98+Confidential', // one malformed escape does not hide the rest
      'https://x/?%E3%8A%99Confidential', // ㊙ in a bare key
    ]) {
      expect(MAY_HOLD_STAMP.test(url), url).toBe(true);
      expect(marked(url), url).toBe(true);
    }
  });

  it('decodes a value escaped again and again, up to six times, and a hostile nest of escapes in bounded time', () => {
    const stamp = '秘 Confidential';
    const escaped = (n: number) => {
      let s = stamp;
      for (let k = 0; k < n; k++) s = encodeURIComponent(s);
      return s;
    };
    for (const n of [3, 4, 6]) {
      const url = `https://chatgpt.com/suggest?q=${escaped(n)}`;
      expect(MAY_HOLD_STAMP.test(url), `${n}×`).toBe(true);
      expect(marked(url), `${n}×`).toBe(true);
      expect(marked(`https://chatgpt.com/${escaped(n)}`), `${n}× in the path`).toBe(true);
    }
    // Clean text escaped as often stays clean, and decodes to itself.
    let clean = '来週の定例 weekly';
    for (let k = 0; k < 4; k++) clean = encodeURIComponent(clean);
    expect(urlText(`/s?q=${clean}`)).toBe('/s\nq=来週の定例 weekly');
    // Megabytes of %2525…: each pass undoes one level, and six passes are all it gets (not one per two
    // characters, a pass over the megabytes each).
    expect(urlText(`/s?q=%${'25'.repeat(1_000_000)}41`)).toBe(`/s\nq=%${'25'.repeat(1_000_000 - 6)}41`);
  });

  it('leaves clean text, fragments and local URLs alone', () => {
    expect(marked('https://x/s?q=%E7%A7%98%E6%9B%B8%E5%AE%A4')).toBe(false); // 秘書室
    expect(marked('https://x/s?a=%E7%A7%98&b=Confidential')).toBe(false); // two fields, not one text
    expect(urlText('https://x/page#秘 Confidential')).toBe('https://x/page'); // the fragment is not sent
    expect(urlText('data:text/plain,秘 Confidential')).toBe('');
    expect(urlText('blob:https://x/1234')).toBe('');
    expect(urlText('/a%2Bb?q=a+b%2Bc')).toBe('/a+b\nq=a b+c');
  });

  it('the prefilter passes plain ASCII URLs without decoding', () => {
    expect(MAY_HOLD_STAMP.test('https://cdn.example.com/img/logo.png?v=3&size=48')).toBe(false);
    expect(MAY_HOLD_STAMP.test('/s?q=%41%42')).toBe(false);
    expect(MAY_HOLD_STAMP.test('/検索?q=%E4%BA%88%E5%AE%9A')).toBe(true); // escaped bytes may spell 秘: decoded
    expect(MAY_HOLD_STAMP.test('/検索?q=来週の予定')).toBe(false); // no 秘/㊙, nothing escaped: passed as it is
  });

  describe('text hidden from percent-decoding: escape(), \\u escapes, base64 of UTF-8', () => {
    const stamped = '来期の価格表 ab12 秘 Confidential 取扱注意';
    const utf8 = Buffer.from(stamped);
    const json = JSON.stringify({ event: 'typed', props: { q: stamped } });
    const jsEscaped = (s: string) => s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

    it('finds the stamp however the page hid it, and the prefilter lets each through', () => {
      for (const url of [
        `/s?q=${escape(stamped)}`, // escape(): %u79D8
        `?ugnote=${escape(stamped)}`, // a cookie written with escape(), judged as a query
        `/s?q=${encodeURIComponent(jsEscaped(JSON.stringify(stamped)))}`, // \u79d8, percent-escaped
        `/s?q=${jsEscaped(stamped)}`,
        `/sink?q=${encodeURIComponent(utf8.toString('base64'))}`, // URLSearchParams / encodeURIComponent: %2B %2F %3D
        `/sink?q=${utf8.toString('base64')}`,
        `/sink?d=${utf8.toString('base64url')}`,
        `/track?data=${Buffer.from(json).toString('base64')}`, // an analytics pixel's base64 JSON
        `/api/suggest/${utf8.toString('base64url')}`, // a path segment: the run starts at "api"
        `/api/x/suggest/${utf8.toString('base64url')}`, // …at each of the four alignments
        `/api/xy/suggest/${utf8.toString('base64url')}`,
        `/api/xyz/suggest/${utf8.toString('base64url')}`,
        `?k=${Buffer.from('㊙ Confidential 設計書').toString('base64')}`,
        `/sink?q=${Buffer.from('3秘 Confidential 来期の価格表').toString('base64')}`, // btoa() unescaped: its '+' (M+enm…) is not a space
        // The stamp's last letters in base64's last, partial group (16 and 23 bytes), padded or not.
        `/s?q=${Buffer.from('秘 Confidential').toString('base64')}`,
        `/s?q=${Buffer.from('秘 Confidential').toString('base64url')}`,
        `/s?q=${encodeURIComponent(Buffer.from('見積 秘 Confidential').toString('base64'))}`,
      ]) {
        expect(hidesStamp(url), url).toBe(true);
        expect(marked(url), url).toBe(true);
      }
    });

    it('the prefilter\'s base64 patterns match wherever decoding finds 秘/㊙, in either alphabet, escaped or not', () => {
      // What url-text.ts decodes: the run at each of its four alignments, looking for the UTF-8 bytes.
      const decodes = (run: string) =>
        [0, 1, 2, 3].some((k) => {
          const s = run.replace(/-/g, '+').replace(/_/g, '/').slice(k);
          return /\xe7\xa7\x98|\xe3\x8a\x99/.test(Buffer.from(s.length % 4 === 1 ? s.slice(0, -1) : s, 'base64').toString('latin1'));
        });
      let seed = 7;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
      const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rand(256)));
      const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      let falseHits = 0;
      for (let i = 0; i < 3000; i++) {
        const stamp = Buffer.from(rand(2) ? '秘' : '㊙');
        // The stamp at every byte offset (so at each of base64's three positions in a group), after 0–3 characters of a key.
        const data = Buffer.concat([bytes(1 + rand(12)), stamp, bytes(rand(13))]); // also at the very end
        const key = 'abc'.slice(0, rand(4));
        const enc = [data.toString('base64'), data.toString('base64url'), encodeURIComponent(data.toString('base64'))][rand(3)];
        expect(BASE64_STAMP.test(key + enc), key + enc).toBe(true);
        // Random runs: wherever decoding finds the stamp, so does the pattern; and it rarely finds more.
        const run = Array.from({ length: 24 + rand(40) }, () => ALPHABET[rand(64)]).join('');
        if (decodes(run)) expect(BASE64_STAMP.test(run), run).toBe(true);
        else if (BASE64_STAMP.test(run)) falseHits++;
      }
      expect(falseHits).toBeLessThan(3);
    });

    it('passes tokens, digests, ids and clean text without a second look at them', () => {
      const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
      for (const url of [
        `/api/items?token=${jwt}`,
        '/x/123e4567-e89b-12d3-a456-426614174000/abcdefghijklmnopqrstuvwxyz',
        `/assets/main.${'0123456789abcdef'.repeat(4)}.js`,
        `/s?q=${Buffer.from('Meeting notes, nothing marked here').toString('base64')}`,
        `/s?q=${escape('déjà vu')}`.replace(/%E9|%E0/g, ''), // ASCII-only escapes
      ]) {
        expect(hidesStamp(url), url).toBe(false);
      }
      // 秘 as a word (秘書室): decoded and read, and clean.
      const trap = `/s?q=${Buffer.from('打合せは 3 階 秘書室に連絡済み').toString('base64')}`;
      expect(hidesStamp(trap)).toBe(true);
      expect(marked(trap)).toBe(false);
      expect(marked(`/s?q=${escape('秘密保持契約の雛形')}`)).toBe(false);
    });

    it('finds a stamp deep in a long run, and passes megabytes of base64 and escapes in one linear scan', () => {
      const long = `/s?q=${Buffer.concat([Buffer.alloc(60_000, 'a'), utf8]).toString('base64')}`;
      expect(hidesStamp(long)).toBe(true);
      expect(marked(long)).toBe(true);
      // No stack overflow, no quadratic step.
      const huge = `/s?q=${'QUJD'.repeat(500_000)}&r=${'%u0041'.repeat(200_000)}`;
      const t = performance.now();
      expect(hidesStamp(`/s?q=${'QUJD'.repeat(500_000)}`)).toBe(false);
      expect(hidesStamp(`${huge}${utf8.toString('base64')}`)).toBe(true);
      expect(urlText(huge).length).toBeGreaterThan(1_000_000);
      expect(performance.now() - t).toBeLessThan(5_000);
    });
  });
});
