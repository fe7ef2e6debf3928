/**
 * PDF Standard security handler (ISO 32000-2 §7.6.4) for the empty user password, with the
 * primitives it needs, all synchronous and by hand: MD5 and RC4 (not in crypto.subtle), AES-CBC
 * (so object loading stays synchronous), and SHA-256/384/512 + AES-128-CBC encryption for the R6
 * key derivation (64+ rounds: WebCrypto's async round trips made it ~20 ms; this takes ~1 ms).
 * The unit tests check every primitive against WebCrypto / node:crypto.
 */
import { concat } from '../bytes.js';
import { Sha256 } from '../sha256.js';

// ---------------------------------------------------------------- MD5 (RFC 1321)

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_K = new Int32Array(64);
for (let i = 0; i < 64; i++) MD5_K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0;

export function md5(data: Uint8Array): Uint8Array {
  const n = data.length;
  const padded = new Uint8Array(((n + 8) >> 6) * 64 + 64);
  padded.set(data);
  padded[n] = 0x80;
  const bits = n * 8;
  const pl = padded.length;
  padded[pl - 8] = bits & 0xff;
  padded[pl - 7] = (bits >>> 8) & 0xff;
  padded[pl - 6] = (bits >>> 16) & 0xff;
  padded[pl - 5] = (bits >>> 24) & 0xff;
  const hi = Math.floor(n / 0x20000000);
  padded[pl - 4] = hi & 0xff;
  padded[pl - 3] = (hi >>> 8) & 0xff;
  let a0 = 0x67452301 | 0,
    b0 = 0xefcdab89 | 0,
    c0 = 0x98badcfe | 0,
    d0 = 0x10325476 | 0;
  const w = new Int32Array(16);
  for (let off = 0; off < pl; off += 64) {
    for (let j = 0; j < 16; j++) {
      const p = off + j * 4;
      w[j] = padded[p] | (padded[p + 1] << 8) | (padded[p + 2] << 16) | (padded[p + 3] << 24);
    }
    let a = a0,
      b = b0,
      c = c0,
      d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number, g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const tmp = d;
      d = c;
      c = b;
      const x = (a + f + MD5_K[i] + w[g]) | 0;
      const s = MD5_S[(i >> 4) * 4 + (i & 3)];
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
      a = tmp;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  const out = new Uint8Array(16);
  const words = [a0, b0, c0, d0];
  for (let i = 0; i < 4; i++) {
    out[i * 4] = words[i] & 0xff;
    out[i * 4 + 1] = (words[i] >>> 8) & 0xff;
    out[i * 4 + 2] = (words[i] >>> 16) & 0xff;
    out[i * 4 + 3] = (words[i] >>> 24) & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------- RC4

export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  const kl = key.length;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % kl]) & 0xff;
    const t = s[i];
    s[i] = s[j];
    s[j] = t;
  }
  const out = new Uint8Array(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]) & 0xff;
    const t = s[i];
    s[i] = s[j];
    s[j] = t;
    out[k] = data[k] ^ s[(s[i] + s[j]) & 0xff];
  }
  return out;
}

// ---------------------------------------------------------------- AES decryption (FIPS 197)

const SBOX = new Uint8Array(256);
const INV = new Uint8Array(256);
const TD0 = new Uint32Array(256);
const TD1 = new Uint32Array(256);
const TD2 = new Uint32Array(256);
const TD3 = new Uint32Array(256);
(() => {
  const rotl8 = (x: number, s: number) => ((x << s) | (x >> (8 - s))) & 0xff;
  let p = 1,
    q = 1;
  do {
    p = (p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0)) & 0xff;
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    SBOX[p] = (q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63) & 0xff;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let i = 0; i < 256; i++) INV[SBOX[i]] = i;
  const mul = (a: number, b: number) => {
    let r = 0;
    while (b) {
      if (b & 1) r ^= a;
      a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
      b >>= 1;
    }
    return r & 0xff;
  };
  for (let x = 0; x < 256; x++) {
    const v = INV[x];
    const w = ((mul(v, 14) << 24) | (mul(v, 9) << 16) | (mul(v, 13) << 8) | mul(v, 11)) >>> 0;
    TD0[x] = w;
    TD1[x] = ((w >>> 8) | (w << 24)) >>> 0;
    TD2[x] = ((w >>> 16) | (w << 16)) >>> 0;
    TD3[x] = ((w >>> 24) | (w << 8)) >>> 0;
  }
})();

const TE0 = new Uint32Array(256);
const TE1 = new Uint32Array(256);
const TE2 = new Uint32Array(256);
const TE3 = new Uint32Array(256);
(() => {
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x];
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x11b : 0)) & 0xff;
    const w = ((s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s)) >>> 0;
    TE0[x] = w;
    TE1[x] = ((w >>> 8) | (w << 24)) >>> 0;
    TE2[x] = ((w >>> 16) | (w << 16)) >>> 0;
    TE3[x] = ((w >>> 24) | (w << 8)) >>> 0;
  }
})();

/** AES-CBC encryption without padding (`data.length` a multiple of 16), for the R6 hash. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const { ek, rounds } = aesExpandKey(key);
  const n = data.length & ~15;
  const out = new Uint8Array(n);
  let c0 = (iv[0] << 24) | (iv[1] << 16) | (iv[2] << 8) | iv[3];
  let c1 = (iv[4] << 24) | (iv[5] << 16) | (iv[6] << 8) | iv[7];
  let c2 = (iv[8] << 24) | (iv[9] << 16) | (iv[10] << 8) | iv[11];
  let c3 = (iv[12] << 24) | (iv[13] << 16) | (iv[14] << 8) | iv[15];
  for (let o = 0; o < n; o += 16) {
    let s0 = ((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3]) ^ c0 ^ ek[0];
    let s1 = ((data[o + 4] << 24) | (data[o + 5] << 16) | (data[o + 6] << 8) | data[o + 7]) ^ c1 ^ ek[1];
    let s2 = ((data[o + 8] << 24) | (data[o + 9] << 16) | (data[o + 10] << 8) | data[o + 11]) ^ c2 ^ ek[2];
    let s3 = ((data[o + 12] << 24) | (data[o + 13] << 16) | (data[o + 14] << 8) | data[o + 15]) ^ c3 ^ ek[3];
    let k = 4;
    for (let r = 1; r < rounds; r++, k += 4) {
      const t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ ek[k];
      const t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ ek[k + 1];
      const t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ ek[k + 2];
      const t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ ek[k + 3];
      s0 = t0;
      s1 = t1;
      s2 = t2;
      s3 = t3;
    }
    c0 = ((SBOX[s0 >>> 24] << 24) | (SBOX[(s1 >>> 16) & 255] << 16) | (SBOX[(s2 >>> 8) & 255] << 8) | SBOX[s3 & 255]) ^ ek[k];
    c1 = ((SBOX[s1 >>> 24] << 24) | (SBOX[(s2 >>> 16) & 255] << 16) | (SBOX[(s3 >>> 8) & 255] << 8) | SBOX[s0 & 255]) ^ ek[k + 1];
    c2 = ((SBOX[s2 >>> 24] << 24) | (SBOX[(s3 >>> 16) & 255] << 16) | (SBOX[(s0 >>> 8) & 255] << 8) | SBOX[s1 & 255]) ^ ek[k + 2];
    c3 = ((SBOX[s3 >>> 24] << 24) | (SBOX[(s0 >>> 16) & 255] << 16) | (SBOX[(s1 >>> 8) & 255] << 8) | SBOX[s2 & 255]) ^ ek[k + 3];
    out[o] = c0 >>> 24;
    out[o + 1] = c0 >>> 16;
    out[o + 2] = c0 >>> 8;
    out[o + 3] = c0;
    out[o + 4] = c1 >>> 24;
    out[o + 5] = c1 >>> 16;
    out[o + 6] = c1 >>> 8;
    out[o + 7] = c1;
    out[o + 8] = c2 >>> 24;
    out[o + 9] = c2 >>> 16;
    out[o + 10] = c2 >>> 8;
    out[o + 11] = c2;
    out[o + 12] = c3 >>> 24;
    out[o + 13] = c3 >>> 16;
    out[o + 14] = c3 >>> 8;
    out[o + 15] = c3;
  }
  return out;
}

function aesExpandKey(key: Uint8Array): { ek: Uint32Array; rounds: number } {
  const nk = key.length >> 2;
  const rounds = nk + 6;
  const total = 4 * (rounds + 1);
  const ek = new Uint32Array(total);
  for (let i = 0; i < nk; i++) ek[i] = ((key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3]) >>> 0;
  let rcon = 1;
  for (let i = nk; i < total; i++) {
    let t = ek[i - 1];
    if (i % nk === 0) {
      t = ((SBOX[(t >>> 16) & 255] << 24) | (SBOX[(t >>> 8) & 255] << 16) | (SBOX[t & 255] << 8) | SBOX[t >>> 24]) ^ (rcon << 24);
      rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0);
    } else if (nk > 6 && i % nk === 4) {
      t = (SBOX[t >>> 24] << 24) | (SBOX[(t >>> 16) & 255] << 16) | (SBOX[(t >>> 8) & 255] << 8) | SBOX[t & 255];
    }
    ek[i] = (ek[i - nk] ^ t) >>> 0;
  }
  return { ek, rounds };
}

/** Decryption round keys (equivalent inverse cipher) for a 16- or 32-byte key. */
export function aesDecryptKey(key: Uint8Array): { dk: Uint32Array; rounds: number } {
  const { ek, rounds } = aesExpandKey(key);
  const total = ek.length;
  const dk = new Uint32Array(total);
  for (let r = 0; r <= rounds; r++) {
    for (let j = 0; j < 4; j++) {
      const w = ek[4 * (rounds - r) + j];
      dk[4 * r + j] =
        r === 0 || r === rounds
          ? w
          : (TD0[SBOX[w >>> 24]] ^ TD1[SBOX[(w >>> 16) & 255]] ^ TD2[SBOX[(w >>> 8) & 255]] ^ TD3[SBOX[w & 255]]) >>> 0;
    }
  }
  return { dk, rounds };
}

/** AES-CBC decryption without padding removal. `data.length` is truncated to a multiple of 16. */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const { dk, rounds } = aesDecryptKey(key);
  const n = data.length & ~15;
  const out = new Uint8Array(n);
  let p0 = (iv[0] << 24) | (iv[1] << 16) | (iv[2] << 8) | iv[3];
  let p1 = (iv[4] << 24) | (iv[5] << 16) | (iv[6] << 8) | iv[7];
  let p2 = (iv[8] << 24) | (iv[9] << 16) | (iv[10] << 8) | iv[11];
  let p3 = (iv[12] << 24) | (iv[13] << 16) | (iv[14] << 8) | iv[15];
  for (let o = 0; o < n; o += 16) {
    const c0 = (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3];
    const c1 = (data[o + 4] << 24) | (data[o + 5] << 16) | (data[o + 6] << 8) | data[o + 7];
    const c2 = (data[o + 8] << 24) | (data[o + 9] << 16) | (data[o + 10] << 8) | data[o + 11];
    const c3 = (data[o + 12] << 24) | (data[o + 13] << 16) | (data[o + 14] << 8) | data[o + 15];
    let s0 = c0 ^ dk[0],
      s1 = c1 ^ dk[1],
      s2 = c2 ^ dk[2],
      s3 = c3 ^ dk[3];
    let k = 4;
    for (let r = 1; r < rounds; r++, k += 4) {
      const t0 = TD0[s0 >>> 24] ^ TD1[(s3 >>> 16) & 255] ^ TD2[(s2 >>> 8) & 255] ^ TD3[s1 & 255] ^ dk[k];
      const t1 = TD0[s1 >>> 24] ^ TD1[(s0 >>> 16) & 255] ^ TD2[(s3 >>> 8) & 255] ^ TD3[s2 & 255] ^ dk[k + 1];
      const t2 = TD0[s2 >>> 24] ^ TD1[(s1 >>> 16) & 255] ^ TD2[(s0 >>> 8) & 255] ^ TD3[s3 & 255] ^ dk[k + 2];
      const t3 = TD0[s3 >>> 24] ^ TD1[(s2 >>> 16) & 255] ^ TD2[(s1 >>> 8) & 255] ^ TD3[s0 & 255] ^ dk[k + 3];
      s0 = t0;
      s1 = t1;
      s2 = t2;
      s3 = t3;
    }
    const r0 = ((INV[s0 >>> 24] << 24) | (INV[(s3 >>> 16) & 255] << 16) | (INV[(s2 >>> 8) & 255] << 8) | INV[s1 & 255]) ^ dk[k] ^ p0;
    const r1 = ((INV[s1 >>> 24] << 24) | (INV[(s0 >>> 16) & 255] << 16) | (INV[(s3 >>> 8) & 255] << 8) | INV[s2 & 255]) ^ dk[k + 1] ^ p1;
    const r2 = ((INV[s2 >>> 24] << 24) | (INV[(s1 >>> 16) & 255] << 16) | (INV[(s0 >>> 8) & 255] << 8) | INV[s3 & 255]) ^ dk[k + 2] ^ p2;
    const r3 = ((INV[s3 >>> 24] << 24) | (INV[(s2 >>> 16) & 255] << 16) | (INV[(s1 >>> 8) & 255] << 8) | INV[s0 & 255]) ^ dk[k + 3] ^ p3;
    out[o] = r0 >>> 24;
    out[o + 1] = r0 >>> 16;
    out[o + 2] = r0 >>> 8;
    out[o + 3] = r0;
    out[o + 4] = r1 >>> 24;
    out[o + 5] = r1 >>> 16;
    out[o + 6] = r1 >>> 8;
    out[o + 7] = r1;
    out[o + 8] = r2 >>> 24;
    out[o + 9] = r2 >>> 16;
    out[o + 10] = r2 >>> 8;
    out[o + 11] = r2;
    out[o + 12] = r3 >>> 24;
    out[o + 13] = r3 >>> 16;
    out[o + 14] = r3 >>> 8;
    out[o + 15] = r3;
    p0 = c0;
    p1 = c1;
    p2 = c2;
    p3 = c3;
  }
  return out;
}

/** PDF AES: 16-byte IV in front, CBC, PKCS#5 padding removed leniently. */
function aesPdfDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length < 32) return new Uint8Array(0);
  const out = aesCbcDecrypt(key, data.subarray(0, 16), data.subarray(16));
  const pad = out[out.length - 1];
  if (pad >= 1 && pad <= 16 && pad <= out.length) return out.subarray(0, out.length - pad);
  return out;
}

// ---------------------------------------------------------------- security handler

const PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e, 0x00,
  0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

export type CipherKind = 'none' | 'rc4' | 'aes128' | 'aes256';

export interface EncryptParams {
  filter: string | null;
  subFilter?: string | null;
  v: number;
  r: number;
  length: number; // bits
  o: Uint8Array;
  u: Uint8Array;
  ue?: Uint8Array | null;
  perms?: Uint8Array | null;
  p: number;
  id0: Uint8Array;
  encryptMetadata: boolean;
  stmCipher: CipherKind;
  strCipher: CipherKind;
}


function eq(a: Uint8Array, b: Uint8Array, n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Describes the cipher for error messages, e.g. `AES-256`, `RC4 128-bit`. */
export function describeCipher(p: EncryptParams): string {
  const c = p.stmCipher !== 'none' ? p.stmCipher : p.strCipher;
  if (c === 'aes256') return 'AES-256';
  if (c === 'aes128') return 'AES-128';
  if (c === 'rc4') return `RC4 ${p.length}-bit`;
  return 'no cipher';
}

/** A decryptor for one document: strings and streams per object (§7.6.2). */
export class Decryptor {
  private readonly objKeyCache = new Map<number, Uint8Array>();
  constructor(
    private readonly key: Uint8Array,
    readonly params: EncryptParams,
  ) {}

  private objKey(num: number, gen: number, aes: boolean): Uint8Array {
    const id = num * 65536 * 2 + gen * 2 + (aes ? 1 : 0);
    let k = this.objKeyCache.get(id);
    if (k) return k;
    const n = this.key.length;
    const buf = new Uint8Array(n + 5 + (aes ? 4 : 0));
    buf.set(this.key);
    buf[n] = num & 0xff;
    buf[n + 1] = (num >> 8) & 0xff;
    buf[n + 2] = (num >> 16) & 0xff;
    buf[n + 3] = gen & 0xff;
    buf[n + 4] = (gen >> 8) & 0xff;
    if (aes) buf.set([0x73, 0x41, 0x6c, 0x54], n + 5);
    k = md5(buf).subarray(0, Math.min(n + 5, 16));
    if (this.objKeyCache.size > 4096) this.objKeyCache.clear();
    this.objKeyCache.set(id, k);
    return k;
  }

  private run(c: CipherKind, data: Uint8Array, num: number, gen: number): Uint8Array {
    switch (c) {
      case 'none':
        return data;
      case 'rc4':
        return rc4(this.objKey(num, gen, false), data);
      case 'aes128':
        return aesPdfDecrypt(this.objKey(num, gen, true), data);
      case 'aes256':
        return aesPdfDecrypt(this.key, data);
    }
  }

  string(data: Uint8Array, num: number, gen: number): Uint8Array {
    return this.run(this.params.strCipher, data, num, gen);
  }

  stream(data: Uint8Array, num: number, gen: number): Uint8Array {
    return this.run(this.params.stmCipher, data, num, gen);
  }
}

/** Algorithm 2: file key from a (padded) user password, R2-R4. */
function legacyKey(p: EncryptParams, password: Uint8Array): Uint8Array {
  const n = p.r === 2 ? 5 : Math.max(5, Math.min(16, (p.length / 8) | 0));
  const pw = new Uint8Array(32);
  pw.set(password.subarray(0, 32));
  pw.set(PAD.subarray(0, 32 - Math.min(32, password.length)), Math.min(32, password.length));
  const pbytes = Uint8Array.from([p.p & 0xff, (p.p >> 8) & 0xff, (p.p >> 16) & 0xff, (p.p >>> 24) & 0xff]);
  const parts = [pw, p.o.subarray(0, 32), pbytes, p.id0];
  if (p.r >= 4 && !p.encryptMetadata) parts.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
  let h = md5(concat(parts));
  if (p.r >= 3) for (let i = 0; i < 50; i++) h = md5(h.subarray(0, n));
  return h.slice(0, n);
}

/** Algorithms 4/5: does `key` reproduce /U? */
function legacyUserOk(p: EncryptParams, key: Uint8Array): boolean {
  if (p.r === 2) return eq(rc4(key, PAD), p.u, 32);
  let x = rc4(key, md5(concat([PAD, p.id0])));
  for (let i = 1; i <= 19; i++) {
    const k = new Uint8Array(key.length);
    for (let j = 0; j < key.length; j++) k[j] = key[j] ^ i;
    x = rc4(k, x);
  }
  return eq(x, p.u, 16);
}

// ---------------------------------------------------------------- SHA-256 / SHA-384 / SHA-512 (FIPS 180-4)
// Synchronous: the R6 hash runs 64+ rounds of AES + SHA-2, and a WebCrypto round trip per step
// costs more than the whole computation. Constants are derived from the primes (no tables to mistype).

function iroot(n: bigint, k: bigint): bigint {
  let x = BigInt(Math.floor(Math.pow(Number(n), 1 / Number(k)))) + (1n << 24n);
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (y >= x) break;
    x = y;
  }
  while (x ** k > n) x--;
  while ((x + 1n) ** k <= n) x++;
  return x;
}

let shaConst: { k512: Int32Array; h512: Int32Array; h384: Int32Array } | null = null;
function constants() {
  if (shaConst) return shaConst;
  const primes: number[] = [];
  for (let n = 2; primes.length < 80; n++) if (primes.every((p) => n % p)) primes.push(n);
  const frac = (p: number, root: bigint, bits: bigint) => {
    const v = iroot(BigInt(p) << (bits * root), root);
    return v & ((1n << bits) - 1n);
  };
  const k512 = new Int32Array(160);
  const h512 = new Int32Array(16);
  const h384 = new Int32Array(16);
  for (let i = 0; i < 80; i++) {
    const v = frac(primes[i], 3n, 64n);
    k512[2 * i] = Number(v >> 32n) | 0;
    k512[2 * i + 1] = Number(v & 0xffffffffn) | 0;
  }
  for (let i = 0; i < 8; i++) {
    const a = frac(primes[i], 2n, 64n);
    h512[2 * i] = Number(a >> 32n) | 0;
    h512[2 * i + 1] = Number(a & 0xffffffffn) | 0;
    const b = frac(primes[i + 8], 2n, 64n);
    h384[2 * i] = Number(b >> 32n) | 0;
    h384[2 * i + 1] = Number(b & 0xffffffffn) | 0;
  }
  shaConst = { k512, h512, h384 };
  return shaConst;
}

function shaPad(data: Uint8Array, block: number): Uint8Array {
  const lenBytes = block === 64 ? 8 : 16;
  const total = Math.ceil((data.length + 1 + lenBytes) / block) * block;
  const m = new Uint8Array(total);
  m.set(data);
  m[data.length] = 0x80;
  const bits = data.length * 8;
  const hi = Math.floor(bits / 0x100000000);
  const dv = new DataView(m.buffer);
  dv.setUint32(total - 8, hi);
  dv.setUint32(total - 4, bits >>> 0);
  return m;
}

/** SHA-256 (synchronous, unlike crypto.subtle): the R6 key derivation hashes 64+ times per attempt. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

/** SHA-512, or SHA-384 when `is384`. 64-bit words as (hi, lo) pairs of int32. */
export function sha512(data: Uint8Array, is384 = false): Uint8Array {
  const { k512, h512, h384 } = constants();
  const m = shaPad(data, 128);
  const dv = new DataView(m.buffer);
  const h = Int32Array.from(is384 ? h384 : h512);
  const w = new Int32Array(160);
  const st = new Int32Array(16);
  for (let off = 0; off < m.length; off += 128) {
    for (let t = 0; t < 32; t++) w[t] = dv.getInt32(off + 4 * t);
    for (let t = 16; t < 80; t++) {
      // s0 = rotr1 ^ rotr8 ^ shr7 of w[t-15]; s1 = rotr19 ^ rotr61 ^ shr6 of w[t-2]
      let xh = w[2 * (t - 15)], xl = w[2 * (t - 15) + 1];
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      xh = w[2 * (t - 2)];
      xl = w[2 * (t - 2) + 1];
      const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
      const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
      const lo = (s0l >>> 0) + (s1l >>> 0) + (w[2 * (t - 7) + 1] >>> 0) + (w[2 * (t - 16) + 1] >>> 0);
      const hi = s0h + s1h + w[2 * (t - 7)] + w[2 * (t - 16)] + Math.floor(lo / 0x100000000);
      w[2 * t] = hi | 0;
      w[2 * t + 1] = lo | 0;
    }
    let ah = h[0], al = h[1], bh = h[2], bl = h[3], ch = h[4], cl = h[5], dh = h[6], dl = h[7];
    let eh = h[8], el = h[9], fh = h[10], fl = h[11], gh = h[12], gl = h[13], hh = h[14], hl = h[15];
    for (let t = 0; t < 80; t++) {
      // Σ1(e) = rotr14 ^ rotr18 ^ rotr41
      const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chh = (eh & fh) ^ (~eh & gh);
      const chl = (el & fl) ^ (~el & gl);
      const t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (k512[2 * t + 1] >>> 0) + (w[2 * t + 1] >>> 0);
      const t1h = (hh + S1h + chh + k512[2 * t] + w[2 * t] + Math.floor(t1l / 0x100000000)) | 0;
      // Σ0(a) = rotr28 ^ rotr34 ^ rotr39
      const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const mjh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const mjl = (al & bl) ^ (al & cl) ^ (bl & cl);
      const t2l = (S0l >>> 0) + (mjl >>> 0);
      const t2h = (S0h + mjh + Math.floor(t2l / 0x100000000)) | 0;
      hh = gh; hl = gl;
      gh = fh; gl = fl;
      fh = eh; fl = el;
      const el2 = (dl >>> 0) + ((t1l | 0) >>> 0);
      eh = (dh + t1h + Math.floor(el2 / 0x100000000)) | 0;
      el = el2 | 0;
      dh = ch; dl = cl;
      ch = bh; cl = bl;
      bh = ah; bl = al;
      const al2 = ((t1l | 0) >>> 0) + ((t2l | 0) >>> 0);
      ah = (t1h + t2h + Math.floor(al2 / 0x100000000)) | 0;
      al = al2 | 0;
    }
    st[0] = ah; st[1] = al; st[2] = bh; st[3] = bl; st[4] = ch; st[5] = cl; st[6] = dh; st[7] = dl;
    st[8] = eh; st[9] = el; st[10] = fh; st[11] = fl; st[12] = gh; st[13] = gl; st[14] = hh; st[15] = hl;
    for (let i = 0; i < 16; i += 2) {
      const lo = (h[i + 1] >>> 0) + (st[i + 1] >>> 0);
      h[i] = (h[i] + st[i] + Math.floor(lo / 0x100000000)) | 0;
      h[i + 1] = lo | 0;
    }
  }
  const n = is384 ? 48 : 64;
  const out = new Uint8Array(64);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) ov.setInt32(4 * i, h[i]);
  return out.slice(0, n);
}

/** Algorithm 2.B (R6) or plain SHA-256 (R5). */
export function hash2B(r: number, password: Uint8Array, salt: Uint8Array, udata: Uint8Array): Uint8Array {
  let k = sha256(concat([password, salt, udata]));
  if (r < 6) return k;
  for (let i = 0; ; i++) {
    const k1one = concat([password, k, udata]);
    const k1 = new Uint8Array(k1one.length * 64);
    for (let j = 0; j < 64; j++) k1.set(k1one, j * k1one.length);
    const e = aesCbcEncrypt(k.subarray(0, 16), k.subarray(16, 32), k1);
    let sum = 0;
    for (let j = 0; j < 16; j++) sum += e[j];
    const m = sum % 3;
    k = m === 0 ? sha256(e) : sha512(e, m === 1);
    if (i >= 63 && e[e.length - 1] <= i - 32) break;
    if (i > 1000) break;
  }
  return k.subarray(0, 32);
}

/**
 * Opens the document with the empty user password. Returns a decryptor, or null when the user
 * password is not empty (the caller reports `encrypted`).
 */
export async function openWithEmptyPassword(p: EncryptParams): Promise<Decryptor | null> {
  const empty = new Uint8Array(0);
  if (p.v >= 5 || p.r >= 5) {
    if (p.u.length < 48 || !p.ue || p.ue.length < 32) return null;
    // Derive the key first and check it against /Perms (one R6 hash instead of two); only when
    // /Perms is absent or disagrees, validate the password against /U the long way.
    const ik = hash2B(p.r, empty, p.u.subarray(40, 48), empty);
    const key = aesCbcDecrypt(ik, new Uint8Array(16), p.ue.subarray(0, 32));
    if (p.perms && p.perms.length >= 16) {
      const perms = aesCbcDecrypt(key, new Uint8Array(16), p.perms.subarray(0, 16));
      if (perms[9] === 0x61 && perms[10] === 0x64 && perms[11] === 0x62) return new Decryptor(key, p);
    }
    const h = hash2B(p.r, empty, p.u.subarray(32, 40), empty);
    if (!eq(h, p.u, 32)) return null;
    return new Decryptor(key, p);
  }
  const key = legacyKey(p, empty);
  if (!legacyUserOk(p, key)) return null;
  return new Decryptor(key, p);
}
