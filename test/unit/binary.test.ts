import { describe, expect, it } from 'vitest';
import { extractBinary, mayBeFollowedByText, plausibleRuns } from '../../src/detect/extract/binary.js';
import { decoder, NEEDLES, type TextEncodingName } from '../../src/detect/extract/byte-scan.js';
import type { Extracted } from '../../src/detect/extract/types.js';
import { collect as collectFrom } from '../support/extract.js';
import { findStamp } from '../../src/detect/rules/stamp.js';


const collect = (bytes: Uint8Array) => collectFrom(extractBinary, bytes);
function stamped(items: Extracted[]) {
  return items.filter((x) => x.kind === 'text' && findStamp(x.text));
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function noise(n: number, seed = 12345): Uint8Array {
  const u = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    u[i] = x & 0xff;
  }
  return u;
}

/** The legacy encodings' bytes of the fuzz pieces' characters. */
const LEGACY: Partial<Record<TextEncodingName, Record<string, number[]>>> = {
  shift_jis: {
    '\0': [0], ' ': [0x20], '\n': [0x0a], '\u3000': [0x81, 0x40], C: [0x43], o: [0x6f], n: [0x6e], f: [0x66], i: [0x69], d: [0x64], e: [0x65], t: [0x74], a: [0x61], l: [0x6c], b: [0x62], c: [0x63],
    秘: [0x94, 0xe9], 密: [0x96, 0xa7], か: [0x82, 0xa9], な: [0x82, 0xc8], カ: [0x83, 0x4a], ナ: [0x83, 0x69], ｶ: [0xb6], ﾅ: [0xc5], 漢: [0x8a, 0xbf], 字: [0x8e, 0x9a], '（': [0x81, 0x69], 株: [0x8a, 0x94], '）': [0x81, 0x6a], '―': [0x81, 0x5c], '①': [0x87, 0x40],
  },
  'euc-jp': {
    '\0': [0], ' ': [0x20], '\n': [0x0a], '\u3000': [0xa1, 0xa1], C: [0x43], o: [0x6f], n: [0x6e], f: [0x66], i: [0x69], d: [0x64], e: [0x65], t: [0x74], a: [0x61], l: [0x6c], b: [0x62], c: [0x63],
    秘: [0xc8, 0xeb], 密: [0xcc, 0xa9], か: [0xa4, 0xab], な: [0xa4, 0xca], カ: [0xa5, 0xab], ナ: [0xa5, 0xca], ｶ: [0x8e, 0xb6], ﾅ: [0x8e, 0xc5], 漢: [0xb4, 0xc1], 字: [0xbb, 0xfa], '（': [0xa1, 0xca], 株: [0xb3, 0xf4], '）': [0xa1, 0xcb], '―': [0xa1, 0xbd], '①': [0xad, 0xa1],
  },
};

const u16le = (s: string) => new Uint8Array(Uint16Array.from(s, (c) => c.charCodeAt(0)).buffer);
const u16be = (s: string) => {
  const a = u16le(s);
  for (let i = 0; i < a.length; i += 2) [a[i], a[i + 1]] = [a[i + 1], a[i]];
  return a;
};
const utf8 = (s: string) => new TextEncoder().encode(s);
// 秘 in Shift_JIS 94 E9, EUC-JP C8 EB; ISO-2022-JP ESC $ B 48 6B ESC ( B.
const SJIS_STAMP = Uint8Array.of(0x94, 0xe9, 0x81, 0x40, ...utf8('Confidential'));
const EUC_STAMP = Uint8Array.of(0xc8, 0xeb, 0x20, ...utf8('CONFIDENTIAL'));
const JIS_STAMP = Uint8Array.of(0x1b, 0x24, 0x42, 0x48, 0x6b, 0x1b, 0x28, 0x42, ...utf8(' Confidential'));

function embed(parts: Uint8Array[], at: number[], size = 200_000): Uint8Array {
  const u = noise(size);
  parts.forEach((p, i) => u.set(p, at[i]));
  return u;
}

describe('extractBinary', () => {
  it.each([
    ['utf-8', utf8('\0\0秘 Confidential\0')],
    ['utf-8 ㊙', utf8('\0㊙Confidential\0')],
    ['utf-16le', u16le('\0秘\u3000Confidential\0')],
    ['utf-16be', u16be('\0秘 Confidential\0')],
    ['shift_jis', Uint8Array.of(0, ...SJIS_STAMP, 0)],
    ['euc-jp', Uint8Array.of(0, ...EUC_STAMP, 0)],
    ['iso-2022-jp', Uint8Array.of(0, ...JIS_STAMP, 0)],
  ])('finds a %s stamp inside noise, with its offset', async (_, stamp) => {
    for (const at of [1001, 1000, 150_001]) {
      const items = await collect(embed([stamp], [at]));
      const hits = stamped(items);
      expect(hits.length, `at ${at}`).toBeGreaterThan(0);
      const w = (hits[0] as { where: { area?: string; part?: string } }).where;
      expect(w.area).toBe('binary');
      const off = Number(/offset (\d+)/.exec(w.part ?? '')?.[1]);
      expect(off).toBeGreaterThanOrEqual(at);
      expect(off).toBeLessThan(at + 8);
    }
  });

  it('finds a UTF-16 stamp across NUL string terminators (two adjacent strings)', async () => {
    expect(stamped(await collect(embed([u16le('\0\0秘\0\0Confidential\0\0')], [5000])))).toHaveLength(1);
  });

  it('random bytes produce no stamp and almost no runs', async () => {
    const items = await collect(noise(8 << 20, 777));
    expect(stamped(items)).toHaveLength(0);
    expect(items.length).toBeLessThan(5);
  });

  it('traps stay clean', async () => {
    const traps = [u16le('\0秘密保持契約書\0社外秘\0の資料\0Confidential\0'), utf8('秘書室 Strictly confidential')];
    expect(stamped(await collect(embed(traps, [100, 4000])))).toHaveLength(0);
  });

  it('ISO-2022-JP "Hk" without an escape is plain ASCII', async () => {
    expect(stamped(await collect(utf8('xx Hk Confidential yy')))).toHaveLength(0);
  });

  it('finds stamps near and across the 4 MiB slice boundary', async () => {
    const S = 4 << 20;
    for (const at of [S - 20, S - 3, S - 1, S, S + 1]) {
      const u = new Uint8Array(S + 4096);
      u.set(u16le('秘 Confidential'), at & ~1);
      u.set(utf8('㊙ Confidential'), at + 1500);
      const hits = stamped(await collect(u));
      expect(hits.length, `at ${at}`).toBe(2);
    }
  });

  it('plausibleRuns keeps real text around the character only', () => {
    expect(plausibleRuns('\uFFFD\uFFFDabc 秘 Confidential\0\0xyz\uFFFD')).toEqual(['abc 秘 Confidential xyz']);
    expect(plausibleRuns('秘\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD')).toEqual([]);
  });

  it('the check before decoding drops only hits whose window gives no run (every encoding, text-like and random bytes after the stamp)', () => {
    // What may follow a stamp: blanks (NUL, spaces, U+3000), ASCII, kana, kanji, half-width kana, and
    // bytes of noise, in every encoding the needles are in; each sample's verdict is compared with
    // plausibleRuns on the window decoded from the hit on.
    const pieces = ['\0', ' ', '\u3000', '\n', 'Confidential', 'abc', '秘密', 'かな', 'カナ', 'ｶﾅ', '漢字', '（株）', 'é', '―', '①'];
    let x = 987654321;
    const rnd = (n: number) => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) % n);
    const encode = (s: string, enc: TextEncodingName): Uint8Array => {
      if (enc === 'utf-16le') return u16le(s);
      if (enc === 'utf-16be') return u16be(s);
      if (enc === 'utf-8') return new TextEncoder().encode(s);
      // Legacy encodings: the pieces as their bytes (TextEncoder cannot write them), from a table.
      const out: number[] = [];
      for (const c of s) out.push(...(LEGACY[enc]?.[c] ?? [0x3f]));
      return Uint8Array.from(out);
    };
    let kept = 0;
    let dropped = 0;
    for (const enc of ['utf-16le', 'utf-16be', 'utf-8', 'shift_jis', 'euc-jp'] as const) {
      for (const nd of NEEDLES[enc]) {
        for (let n = 0; n < 1500; n++) {
          const parts: Uint8Array[] = [nd.bytes];
          for (let k = rnd(12); k >= 0; k--) {
            if (rnd(3) === 0) parts.push(noise(1 + rnd(8), 1 + rnd(1 << 30)));
            else parts.push(encode(pieces[rnd(pieces.length)], enc));
          }
          parts.push(noise(300, n + 1));
          const buf = Uint8Array.from(parts.flatMap((b) => [...b]));
          const s = decoder(enc).decode(buf);
          if (/[秘㊙]/.test(s.slice(1))) continue; // one stamp character per sample
          const runs = plausibleRuns(s).length > 0;
          const kept1 = mayBeFollowedByText(buf, nd.bytes.length, enc);
          if (runs) expect(kept1, `${enc} ${Buffer.from(buf.subarray(0, 40)).toString('hex')}`).toBe(true);
          if (kept1) kept++;
          else dropped++;
        }
      }
    }
    // Both outcomes occur: the check is not a constant.
    expect(kept).toBeGreaterThan(500);
    expect(dropped).toBeGreaterThan(500);
  });

  it('the check keeps hits near the end of the bytes, and ISO-2022-JP (its state comes from an escape)', () => {
    const tail = Uint8Array.from([0xd8, 0x79, 0x01, 0x02]);
    expect(mayBeFollowedByText(tail, 2, 'utf-16le')).toBe(true);
    expect(mayBeFollowedByText(noise(400), 2, 'iso-2022-jp')).toBe(true);
  });

  it('caps verified hits and never throws on dense input', async () => {
    const u = new Uint8Array(2 << 20);
    for (let i = 0; i < u.length; i += 2) u.set([0xd8, 0x79], i);
    const items = await collect(u);
    expect(items.every((x) => x.kind === 'text')).toBe(true);
  });

  it('empty input', async () => {
    expect(await collect(new Uint8Array(0))).toEqual([]);
  });
});

describe('a gap of blanks of any length between 秘 and Confidential in a binary (text3 #5)', () => {
  const SLICE = 512 << 10; // byte-scan.ts SLICE
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const framed = (before: number, middle: Uint8Array) => {
    const out = noise(SLICE + middle.length + 4096);
    out.set(middle, SLICE - before);
    return out;
  };
  it.each([
    ['2,000 spaces (UTF-8)', 5000, utf8(`秘${' '.repeat(2000)}Confidential`)],
    ['2,000 line breaks (UTF-8), 秘 in the last bytes of a slice', 3, utf8(`秘${'\n'.repeat(2000)}Confidential`)],
    ['2,000 spaces (UTF-16LE), 秘 1,000 bytes before a slice ends', 1000, u16le(`秘${' '.repeat(2000)}Confidential`)],
    ['300,000 full-width spaces (UTF-16LE)', 5000, u16le(`秘${'\u3000'.repeat(300_000)}Confidential`)],
  ])('%s: found; the same gap before 書室 is not; a run of NULs joins nothing', async (_, before, middle) => {
    expect(stamped(await collect(framed(before, middle))).length).toBeGreaterThan(0);
    const text = new TextDecoder(middle[1] === 0x79 ? 'utf-16le' : 'utf-8').decode(middle);
    const again = (s: string) => (middle[1] === 0x79 ? u16le(s) : utf8(s));
    expect(stamped(await collect(framed(before, again(text.replace('Confidential', '書室 Confidential')))))).toEqual([]);
    expect(stamped(await collect(framed(before, again(text.replace(/[ \n\u3000]+/, '\0'.repeat(2000))))))).toEqual([]);
  });
});
