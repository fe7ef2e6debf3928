/**
 * XXH64 (the hash whose low 32 bits a Zstandard frame stores as its content checksum),
 * incremental, in plain JavaScript. 64-bit words are kept as two unsigned 32-bit halves (BigInt
 * would allocate on every step and run some twenty times slower); the result of each step goes
 * to the register R. Checked against the reference test vectors and zstd's own checksums.
 */

const P1 = Uint32Array.of(0x9e3779b1, 0x85ebca87);
const P2 = Uint32Array.of(0xc2b2ae3d, 0x27d4eb4f);
const P3 = Uint32Array.of(0x165667b1, 0x9e3779f9);
const P4 = Uint32Array.of(0x85ebca77, 0xc2b2ae63);
const P5 = Uint32Array.of(0x27d4eb2f, 0x165667c5);

/**
 * The last result, high and low half. A typed array, not two variables: a module variable holding a
 * number past 2^30 is boxed, and every assignment would allocate.
 */
const R = new Uint32Array(2);

/** (ah:al) × (bh:bl) mod 2^64. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const mid = a1 * b0 + a0 * b1; // < 2^33: exact in a double; `& 0xffff` and `/ 0x10000 | 0` cut it without fmod
  const low = a0 * b0 + (mid & 0xffff) * 0x10000; // < 2^33
  R[1] = low >>> 0;
  R[0] = (a1 * b1 + ((mid / 0x10000) | 0) + (low > 0xffffffff ? 1 : 0) + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (ah:al) + (bh:bl) mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const low = al + bl;
  R[1] = low >>> 0;
  R[0] = (ah + bh + (low > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate left by 0 < n < 32. */
function rotl(h: number, l: number, n: number): void {
  R[0] = ((h << n) | (l >>> (32 - n))) >>> 0;
  R[1] = ((l << n) | (h >>> (32 - n))) >>> 0;
}

/** acc + lane × P2, rotated left 31, × P1: one lane of one stripe. */
function round(ah: number, al: number, ih: number, il: number): void {
  mul(ih, il, P2[0], P2[1]);
  add(ah, al, R[0], R[1]);
  rotl(R[0], R[1], 31);
  mul(R[0], R[1], P1[0], P1[1]);
}

const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

export class Xxh64 {
  /** The four accumulators, as [hi, lo] pairs laid out flat. */
  private readonly v = new Uint32Array(8);
  /** Bytes of an incomplete 32-byte stripe. */
  private readonly pending = new Uint8Array(32);
  private held = 0;
  private total = 0;

  constructor(private readonly seed = 0) {
    const v = this.v;
    add(0, seed, P1[0], P1[1]);
    add(R[0], R[1], P2[0], P2[1]);
    v[0] = R[0];
    v[1] = R[1];
    add(0, seed, P2[0], P2[1]);
    v[2] = R[0];
    v[3] = R[1];
    v[4] = 0;
    v[5] = seed;
    // seed − P1 = seed + (2^64 − P1)
    add(0, seed, ~P1[0] >>> 0, (~P1[1] + 1) >>> 0);
    v[6] = R[0];
    v[7] = R[1];
  }

  update(data: Uint8Array): this {
    this.total += data.length;
    let p = 0;
    if (this.held > 0) {
      const take = Math.min(32 - this.held, data.length);
      this.pending.set(data.subarray(0, take), this.held);
      this.held += take;
      p = take;
      if (this.held < 32) return this;
      this.stripe(this.pending, 0);
      this.held = 0;
    }
    for (; p + 32 <= data.length; p += 32) this.stripe(data, p);
    this.pending.set(data.subarray(p), 0);
    this.held = data.length - p;
    return this;
  }

  private stripe(b: Uint8Array, p: number): void {
    const v = this.v;
    for (let k = 0; k < 8; k += 2, p += 8) {
      round(v[k], v[k + 1], u32(b, p + 4), u32(b, p));
      v[k] = R[0];
      v[k + 1] = R[1];
    }
  }

  /** The hash of everything fed so far, as high and low 32-bit halves. */
  digest(): { hi: number; lo: number } {
    const v = this.v;
    let h: number;
    let l: number;
    if (this.total >= 32) {
      rotl(v[0], v[1], 1);
      let sh = R[0];
      let sl = R[1];
      for (const [k, n] of [[2, 7], [4, 12], [6, 18]] as const) {
        rotl(v[k], v[k + 1], n);
        add(sh, sl, R[0], R[1]);
        sh = R[0];
        sl = R[1];
      }
      for (let k = 0; k < 8; k += 2) {
        round(0, 0, v[k], v[k + 1]);
        mul((sh ^ R[0]) >>> 0, (sl ^ R[1]) >>> 0, P1[0], P1[1]);
        add(R[0], R[1], P4[0], P4[1]);
        sh = R[0];
        sl = R[1];
      }
      h = sh;
      l = sl;
    } else {
      add(0, this.seed, P5[0], P5[1]);
      h = R[0];
      l = R[1];
    }
    add(h, l, Math.floor(this.total / 0x1_0000_0000) >>> 0, this.total >>> 0);
    h = R[0];
    l = R[1];
    const b = this.pending;
    let p = 0;
    for (; p + 8 <= this.held; p += 8) {
      round(0, 0, u32(b, p + 4), u32(b, p));
      rotl((h ^ R[0]) >>> 0, (l ^ R[1]) >>> 0, 27);
      mul(R[0], R[1], P1[0], P1[1]);
      add(R[0], R[1], P4[0], P4[1]);
      h = R[0];
      l = R[1];
    }
    if (p + 4 <= this.held) {
      mul(0, u32(b, p), P1[0], P1[1]);
      rotl((h ^ R[0]) >>> 0, (l ^ R[1]) >>> 0, 23);
      mul(R[0], R[1], P2[0], P2[1]);
      add(R[0], R[1], P3[0], P3[1]);
      h = R[0];
      l = R[1];
      p += 4;
    }
    for (; p < this.held; p++) {
      mul(0, b[p], P5[0], P5[1]);
      rotl((h ^ R[0]) >>> 0, (l ^ R[1]) >>> 0, 11);
      mul(R[0], R[1], P1[0], P1[1]);
      h = R[0];
      l = R[1];
    }
    // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
    mul(h, (l ^ (h >>> 1)) >>> 0, P2[0], P2[1]);
    mul((R[0] ^ (R[0] >>> 29)) >>> 0, (R[1] ^ ((R[1] >>> 29) | (R[0] << 3))) >>> 0, P3[0], P3[1]);
    return { hi: R[0], lo: (R[1] ^ R[0]) >>> 0 };
  }
}

/** XXH64 of `data` as 16 hex digits. */
export function xxh64Hex(data: Uint8Array, seed = 0): string {
  const { hi, lo } = new Xxh64(seed).update(data).digest();
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
