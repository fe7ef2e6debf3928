/**
 * PDF Standard security handler (ISO 32000-2 §7.6.4) for the empty user password. Only the key
 * derivation (algorithms 2, 2.A, 2.B) and RC4 are written here; MD5, SHA-2 and AES come from
 * @noble/hashes and @noble/ciphers, which are audited, pure JavaScript and synchronous. Synchronous
 * matters: object loading must not wait on promises, and the R6 hash runs 64+ rounds of AES + SHA-2,
 * where a WebCrypto round trip per step costs more than the whole computation.
 */
import { cbc } from '@noble/ciphers/aes.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { concat } from '../bytes.js';
import { ScanError } from './types.js';

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

// ---------------------------------------------------------------- AES-CBC without padding

/** AES-CBC encryption, `data.length` a multiple of 16 (the R6 hash's input always is). */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return cbc(key, iv, { disablePadding: true }).encrypt(data);
}

/** AES-CBC decryption without padding removal. `data.length` is truncated to a multiple of 16. */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return cbc(key, iv, { disablePadding: true }).decrypt(data.subarray(0, data.length & ~15));
}

/** PDF AES: 16-byte IV in front, CBC, PKCS#5 padding removed leniently. */
function aesPdfDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  // A file key shorter than 11 bytes (/Length < 88 with AESV2) gives object keys AES cannot use.
  if (key.length !== 16 && key.length !== 32) throw new ScanError('corrupt', `PDF AES key of ${key.length * 8} bits`);
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
    k = m === 0 ? sha256(e) : m === 1 ? sha384(e) : sha512(e);
    // The specification counts rounds from 1 (ISO 32000-2, 7.6.4.3.4; qpdf and pdf.js alike): after
    // round i + 1, stop once at least 64 ran and E's last byte is at most that round's number - 32.
    // Counted from 0 here once, 2–5 % of owner-only AES-256 files got a wrong key and read as noise.
    if (i + 1 >= 64 && e[e.length - 1] <= i + 1 - 32) break;
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
