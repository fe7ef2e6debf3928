/**
 * Files sealed by a cryptographic envelope: encrypted ones (OpenPGP `gpg -c`/`-e`, `openssl enc`,
 * CMS/PKCS #7 enveloped data as S/MIME and `.p7m` tools write, age), whose content cannot be read
 * without a key, and CMS signed data (`.p7m` of a signed document, opaque-signed S/MIME), whose content
 * is inside the signature's DER. Before this module an encrypted file was read as bytes or text and
 * came back clean; now it is `unscannable` (encrypted), and a signed one is read through to its content.
 *
 * RFC 4880/9580 (OpenPGP packets and armor), RFC 5652 (CMS), https://age-encryption.org/v1.
 */
import { SIGNED_CONTENT } from '../member-names.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { ARMOR_START, dearmored, pgpMessageItems } from './pgp.js';
import { concat, readBytes } from '../bytes.js';
import { base64Head } from './rfc2047.js';
import { extractBinary } from './binary.js';

export interface Sealed {
  reason: 'encrypted' | 'unsupported';
  what: string;
}

/** Armor lines and text headers, at the start of a file (after blank space). */
const ARMORED: [RegExp, Sealed][] = [
  [/^\s*-----BEGIN AGE ENCRYPTED FILE-----/, { reason: 'encrypted', what: 'a file encrypted with age' }],
  [/^age-encryption\.org\/v1\n/, { reason: 'encrypted', what: 'a file encrypted with age' }],
  [/^Salted__/, { reason: 'encrypted', what: 'a file encrypted with OpenSSL (openssl enc)' }],
  [/^\s*U2FsdGVkX1/, { reason: 'encrypted', what: 'a file encrypted with OpenSSL (openssl enc, in base64)' }],
];

const PGP_ARMOR = /^\s*-----BEGIN PGP MESSAGE-----\r?\n(?:[^\r\n]+\r?\n)*?\r?\n([A-Za-z0-9+/]{8,})/;
const CMS_PEM = /^\s*-----BEGIN (?:PKCS7|CMS)-----\r?\n([A-Za-z0-9+/=\r\n]+)/;

/**
 * The envelope the file whose first bytes these are (and the same as latin1) begins: `signed` (read
 * through by extractSigned), what seals it, or null. One look, for sniff.ts.
 */
export function envelopeOf(head: Uint8Array, ascii: string): 'signed' | Sealed | null {
  for (const [re, s] of ARMORED) if (re.test(ascii)) return s;
  const armored = PGP_ARMOR.exec(ascii);
  if (armored) {
    const packet = pgpPacket(base64Head(armored[1]));
    return packet === 'encrypted' ? PGP_ENCRYPTED : PGP_UNREAD;
  }
  const packet = pgpPacket(head);
  if (packet === 'encrypted') return PGP_ENCRYPTED;
  if (packet === 'message') return PGP_UNREAD;
  const cms = cmsType(derOf(head, ascii));
  if (cms === 'signed') return 'signed';
  return cms ? { reason: 'encrypted', what: `an encrypted CMS/PKCS #7 message (${cms}; S/MIME, .p7m)` } : null;
}

const PGP_ENCRYPTED: Sealed = { reason: 'encrypted', what: 'a file encrypted with OpenPGP (gpg, PGP)' };
/** A message signed or stored, not encrypted: extractSealed reads it through. */
const PGP_UNREAD: Sealed = { reason: 'unsupported', what: 'an OpenPGP message (signed or compressed)' };

/**
 * The first OpenPGP packet: 'encrypted' when it starts an encrypted message (a session key encrypted to
 * a public key or a passphrase), checked down to its version and algorithm bytes.
 */
function pgpPacket(b: Uint8Array): 'encrypted' | 'message' | 'other' | null {
  if (b.length < 4 || !(b[0] & 0x80)) return null;
  let tag: number;
  let at: number;
  if (b[0] & 0x40) {
    tag = b[0] & 0x3f;
    at = b[1] < 192 ? 2 : b[1] < 224 ? 3 : b[1] === 255 ? 6 : 2;
  } else {
    tag = (b[0] >> 2) & 0x0f;
    at = 1 + [1, 2, 4, 0][b[0] & 3];
  }
  // An encrypted message starts with a session key: to a public key (PKESK, tag 1) or a passphrase (SKESK,
  // tag 3). Its version and algorithm bytes are checked too, so random bytes are seldom taken for one.
  const v = b[at];
  const pkesk = tag === 1 && ((v === 3 && PUBLIC_KEY_ALGOS.has(b[at + 9])) || (v === 6 && (b[at + 1] === 0 || b[at + 1] === 21 || b[at + 1] === 33)));
  const skesk = tag === 3 && ((v === 4 && b[at + 1] >= 1 && b[at + 1] <= 13 && S2K.has(b[at + 2])) || ((v === 5 || v === 6) && b[at + 1] < 64));
  if (pkesk || skesk) return 'encrypted';
  return signedOrCompressed(tag, b, at) ? 'message' : 'other';
}

/**
 * A binary OpenPGP message that is not encrypted (`gpg --sign`, `gpg --store -z`): a compressed packet
 * (tag 8, ZIP/ZLIB/BZip2, its stream's own header checked), a one-pass signature (tag 4) or literal data
 * (tag 11) first. Its content is compressed or framed in packets: not read here, so never clean.
 */
function signedOrCompressed(tag: number, b: Uint8Array, at: number): boolean {
  const v = b[at];
  if (tag === 8) {
    const z = b.subarray(at + 1);
    // ZIP: raw deflate, whose first block type is not the reserved 3; ZLIB: its header's check; BZip2: `BZh`.
    return (v === 1 && (z[0] & 6) !== 6) || (v === 2 && (z[0] & 0x0f) === 8 && ((z[0] << 8) | z[1]) % 31 === 0) || (v === 3 && z[0] === 0x42 && z[1] === 0x5a && z[2] === 0x68);
  }
  // One-pass signature v3: a signature type (binary, text), a hash algorithm, a public-key algorithm.
  if (tag === 4) return v === 3 && b[at + 1] <= 1 && HASH_ALGOS.has(b[at + 2]) && SIGNING_ALGOS.has(b[at + 3]);
  // Literal data: its format byte (binary, text, UTF-8, MIME, local).
  if (tag === 11) return 'btuml1'.includes(String.fromCharCode(v));
  return false;
}
/** MD5, SHA-1, RIPEMD-160, SHA-256/384/512/224, SHA3-256/512; RSA, DSA, ECDSA, EdDSA, Ed25519, Ed448 (RFC 9580 9.1, 9.5). */
const HASH_ALGOS = new Set([1, 2, 3, 8, 9, 10, 11, 12, 14]);
const SIGNING_ALGOS = new Set([1, 3, 17, 19, 22, 27, 28]);

/** RSA, Elgamal, ECDH, X25519, X448 (RFC 9580 9.1); S2K types simple, salted, iterated, Argon2. */
const PUBLIC_KEY_ALGOS = new Set([1, 2, 16, 18, 25, 26]);
const S2K = new Set([0, 1, 3, 4]);

// ---------------------------------------------------------------- CMS (BER/DER)

const OID_PREFIX = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01]; // 1.2.840.113549.1
const CMS_TYPES: Record<string, string> = { '7.2': 'signed', '7.3': 'enveloped data', '7.6': 'encrypted data', '9.16.1.23': 'authenticated enveloped data' };

/** The DER of a CMS file: its bytes, or its PEM body decoded. */
function derOf(head: Uint8Array, ascii: string): Uint8Array {
  const pem = CMS_PEM.exec(ascii);
  return pem ? base64Head(pem[1]) : head;
}

/** ContentInfo's contentType, when the bytes begin a CMS ContentInfo: 'signed', or what encrypts it. */
function cmsType(b: Uint8Array): string | null {
  const outer = tlv(b, 0);
  if (!outer || b[0] !== 0x30) return null;
  const oid = tlv(b, outer.start);
  if (!oid || b[outer.start] !== 0x06) return null;
  const v = b.subarray(oid.start, oid.start + oid.length);
  if (!OID_PREFIX.every((x, i) => v[i] === x)) return null;
  return CMS_TYPES[[...v.subarray(OID_PREFIX.length)].join('.')] ?? null;
}

interface Tlv {
  /** Where the value starts. */
  start: number;
  /** Its length; -1 for BER's indefinite length (the value ends at two zero bytes). */
  length: number;
}

/** The tag-length header at `at`, or null when it runs past the bytes or is not one. */
function tlv(b: Uint8Array, at: number): Tlv | null {
  if (at + 2 > b.length || (b[at] & 0x1f) === 0x1f) return null;
  const l = b[at + 1];
  if (l < 0x80) return { start: at + 2, length: l };
  if (l === 0x80) return { start: at + 2, length: -1 };
  const n = l & 0x7f;
  if (n > 4 || at + 2 + n > b.length) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i];
  return { start: at + 2 + n, length: len };
}

/** A parsed element: its tag, where its value starts and ends, and where the next one begins. */
interface Element {
  tag: number;
  start: number;
  end: number;
  next: number;
}

/** Reads BER: definite and indefinite lengths (Outlook and `openssl smime -stream` write the latter). */
class Ber {
  constructor(private readonly b: Uint8Array) {}

  at(pos: number, depth = 0): Element {
    const h = tlv(this.b, pos);
    if (!h || depth > 32) throw damaged();
    if (h.length >= 0) {
      const end = h.start + h.length;
      if (end > this.b.length) throw damaged();
      return { tag: this.b[pos], start: h.start, end, next: end };
    }
    if (!(this.b[pos] & 0x20)) throw damaged(); // only constructed values may be indefinite
    let p = h.start;
    while (!(this.b[p] === 0 && this.b[p + 1] === 0)) {
      if (p >= this.b.length) throw damaged();
      p = this.at(p, depth + 1).next;
    }
    return { tag: this.b[pos], start: h.start, end: p, next: p + 2 };
  }

  children(e: Element): Element[] {
    const out: Element[] = [];
    for (let p = e.start; p < e.end; ) {
      const c = this.at(p);
      out.push(c);
      p = c.next;
    }
    return out;
  }

  /** An OCTET STRING's bytes, its pieces joined when BER writes it constructed. */
  octets(e: Element): Uint8Array {
    if (e.tag === 0x04) return this.b.subarray(e.start, e.end);
    if (e.tag !== 0x24) throw damaged();
    return concat(this.children(e).map((c) => this.octets(c)));
  }
}

const damaged = () => new ScanError('corrupt', 'a CMS/PKCS #7 signed file is damaged (its structure cannot be read)');

/**
 * The content a CMS SignedData carries (ContentInfo → [0] SignedData → encapContentInfo → [0] eContent),
 * or null for a detached signature, which carries none.
 */
export function cmsSignedContent(der: Uint8Array): Uint8Array | null {
  const ber = new Ber(der);
  const info = ber.children(ber.at(0));
  const explicit = info[1];
  if (!explicit || explicit.tag !== 0xa0) throw damaged();
  const signedData = ber.children(explicit)[0];
  if (!signedData || signedData.tag !== 0x30) throw damaged();
  const encap = ber.children(signedData)[2];
  if (!encap || encap.tag !== 0x30) throw damaged();
  const content = ber.children(encap)[1];
  if (!content) return null;
  if (content.tag !== 0xa0) throw damaged();
  const octets = ber.children(content)[0];
  if (!octets) return null;
  return ber.octets(octets);
}

/** An encrypted file: nothing in it can be read without its key. An OpenPGP message only signed or stored is read through (pgp.ts). */
export const extractSealed: Extractor = async function* (blob, ctx) {
  const head = await readBytes(blob, 0, Math.min(blob.size, 4096));
  const e = envelopeOf(head, latin1(head));
  const s = e && e !== 'signed' ? e : null;
  if (s === PGP_UNREAD) yield* openPgp(blob, ctx);
  else yield { kind: 'unscannable', reason: s?.reason ?? 'encrypted', detail: s?.what ?? 'an encrypted file' };
};

/**
 * A signed or stored OpenPGP message, binary or armored, read as `gpg -d` reads it. One that cannot be
 * read (damaged) is searched as bytes first: a message stored without compression (`gpg -s -z 0`) keeps its text as it is.
 */
async function* openPgp(blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const bytes = await readBytes(blob);
  try {
    if (!ARMOR_START.test(latin1(bytes.subarray(0, 1024)))) yield* pgpMessageItems(bytes, ctx);
    else {
      let n = 0;
      for (const message of dearmored(latin1(bytes))) {
        n++;
        yield* pgpMessageItems(message, ctx);
      }
      if (n === 0) throw new ScanError('corrupt', 'an armored OpenPGP message without its end line (cut short)');
    }
  } catch (err) {
    if (!(err instanceof ScanError) || err.reason !== 'corrupt') throw err;
    yield* extractBinary(blob, ctx);
    yield { kind: 'unscannable', reason: 'corrupt', detail: err.message };
  }
}

const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

/** CMS signed data (`.p7m`): the signed content is a member, read as the file it is (a PDF, a document, a message). */
export const extractSigned: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  // PEM is told by its first line; only then is the whole file read as text.
  const pem = CMS_PEM.test(latin1(bytes.subarray(0, 1024))) ? CMS_PEM.exec(latin1(bytes)) : null;
  const content = cmsSignedContent(pem ? base64Head(pem[1]) : bytes);
  if (!content) return; // a detached signature: no content in it, only the signature
  ctx.addEntry();
  ctx.addExpanded(content.length);
  yield signedMember(content);
};

/**
 * The signed content as a member. Opaque-signed S/MIME signs a MIME entity (its own Content-Type
 * header, then the body), which no sniff can tell from text: named `.eml`, it is read as the message it is.
 */
export function signedMember(content: Uint8Array): Extracted {
  const head = new TextDecoder('latin1').decode(content.subarray(0, 1024));
  const name = MIME_ENTITY.test(head) ? 'signed message.eml' : SIGNED_CONTENT;
  return { kind: 'member', name, data: new Blob([content as Uint8Array<ArrayBuffer>]) };
}

/** Header fields up to a Content-Type one, at the very start. */
const MIME_ENTITY = /^(?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)*?content-type:/i;
