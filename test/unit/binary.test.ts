import { describe, expect, it } from 'vitest';
import { extractBinary, plausibleRuns } from '../../src/detect/extract/binary.js';
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
