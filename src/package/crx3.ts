/**
 * CRX3: the signed package Chrome and Edge install from a self-hosted update URL.
 *
 *   "Cr24" | le32 version = 3 | le32 header length | CrxFileHeader (protobuf) | ZIP archive
 *
 * The header carries one RSA proof (public key + signature) and the signed data, which is just the
 * crx_id: the first 16 bytes of SHA-256(public key). The signature covers
 * "CRX3 SignedData\0" | le32 length | signed data | the whole ZIP, so changing one byte of the
 * archive or pairing it with another key makes Chrome refuse the package.
 * Format: components/crx_file/crx3.proto in the Chromium source.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { concat } from '../detect/bytes.js';

const MAGIC = new TextEncoder().encode('Cr24');
const SIGNATURE_CONTEXT = new TextEncoder().encode('CRX3 SignedData\x00');

/** Protobuf field numbers (crx3.proto). */
const FIELD = { proofPublicKey: 1, proofSignature: 2, sha256WithRsa: 2, signedHeaderData: 10000, crxId: 1 } as const;

export interface SigningKey {
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo, DER: what manifest.json's `key` holds in base64. */
  publicKeyDer: Uint8Array;
  /** The extension ID this key gives: 32 letters a–p. */
  extensionId: string;
}

/** Reads an RSA private key (PKCS#8 or PKCS#1 PEM, as `openssl genrsa` or Chrome's "Pack extension" writes). */
export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`the signing key must be RSA, not ${privateKey.asymmetricKeyType}`);
  const publicKeyDer = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return { privateKey, publicKeyDer, extensionId: extensionIdOf(publicKeyDer) };
}

/** Chrome's ID: SHA-256 of the public key, first 16 bytes, each nibble written as a letter a–p. */
export function extensionIdOf(publicKeyDer: Uint8Array): string {
  return [...crxIdOf(publicKeyDer)].map((b) => String.fromCharCode(97 + (b >> 4), 97 + (b & 15))).join('');
}

function crxIdOf(publicKeyDer: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(publicKeyDer).digest()).subarray(0, 16);
}

/** Wraps a ZIP of the extension into a CRX3 signed with `key`. */
export function packCrx3(zip: Uint8Array, key: SigningKey): Uint8Array {
  const signedData = field(FIELD.crxId, crxIdOf(key.publicKeyDer));
  const signature = new Uint8Array(sign('sha256', concat([SIGNATURE_CONTEXT, le32(signedData.length), signedData, zip]), key.privateKey));
  const proof = concat([field(FIELD.proofPublicKey, key.publicKeyDer), field(FIELD.proofSignature, signature)]);
  const header = concat([field(FIELD.sha256WithRsa, proof), field(FIELD.signedHeaderData, signedData)]);
  return concat([MAGIC, le32(3), le32(header.length), header, zip]);
}

/** A length-delimited protobuf field (wire type 2). */
function field(num: number, bytes: Uint8Array): Uint8Array {
  return concat([varint(num * 8 + 2), varint(bytes.length), bytes]);
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
