/**
 * The CRX3 writer, checked by an independent reader written here from the format (crx3.proto): the
 * header decodes, the crx_id is the key's hash, the RSA signature verifies over exactly the bytes
 * Chrome checks, and one changed byte breaks it. Chromium's own packer is the reference for layout.
 * (That Chromium installs our CRX is shown end to end in test/e2e/deploy-force-install.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { extensionIdOf, packCrx3, signingKeyFromPem } from '../../../src/package/crx3.js';
import { zipDirectory } from '../../../src/package/archive.js';
import { EXTENSION_ID } from '../../../src/policy/extension-id.js';

interface ParsedCrx {
  version: number;
  publicKey: Buffer;
  signature: Buffer;
  signedData: Buffer;
  crxId: Buffer;
  archive: Buffer;
}

/** Protobuf wire format, just enough: varints and length-delimited fields. */
function fields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = () => {
    let n = 0;
    let shift = 1;
    for (;;) {
      const b = buf[i++]!;
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
      shift *= 128;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    if ((tag & 7) !== 2) throw new Error(`unexpected wire type ${tag & 7}`);
    const len = varint();
    const num = Math.floor(tag / 8);
    out.set(num, [...(out.get(num) ?? []), buf.subarray(i, i + len)]);
    i += len;
  }
  return out;
}

function parseCrx(crx: Buffer): ParsedCrx {
  expect(crx.subarray(0, 4).toString('latin1')).toBe('Cr24');
  const version = crx.readUInt32LE(4);
  const headerLen = crx.readUInt32LE(8);
  const header = fields(crx.subarray(12, 12 + headerLen));
  const proofs = header.get(2) ?? [];
  expect(proofs).toHaveLength(1);
  const proof = fields(proofs[0]!);
  const signedData = header.get(10000)![0]!;
  return {
    version,
    publicKey: proof.get(1)![0]!,
    signature: proof.get(2)![0]!,
    signedData,
    crxId: fields(signedData).get(1)![0]!,
    archive: crx.subarray(12 + headerLen),
  };
}

function signatureHolds(p: ParsedCrx): boolean {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(p.signedData.length);
  const message = Buffer.concat([Buffer.from('CRX3 SignedData\x00', 'latin1'), len, p.signedData, p.archive]);
  return verify('sha256', message, createPublicKey({ key: p.publicKey, format: 'der', type: 'spki' }), p.signature);
}

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const key = signingKeyFromPem(pem);

function sampleExtension(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ug-crx-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'crx test', version: '1.2.3' }));
  writeFileSync(join(dir, 'sub', 'a.js'), 'console.log("秘")');
  return dir;
}

describe('CRX3', () => {
  it('writes a header whose proof, crx_id and signature check out, around the ZIP unchanged', () => {
    const zip = zipDirectory(sampleExtension());
    const p = parseCrx(Buffer.from(packCrx3(zip, key)));
    expect(p.version).toBe(3);
    expect(p.publicKey.equals(Buffer.from(key.publicKeyDer))).toBe(true);
    expect(p.crxId.equals(createHash('sha256').update(p.publicKey).digest().subarray(0, 16))).toBe(true);
    expect(signatureHolds(p)).toBe(true);
    expect(p.archive.equals(Buffer.from(zip))).toBe(true);
    expect(Object.keys(unzipSync(p.archive)).sort()).toEqual(['manifest.json', 'sub/a.js']);
  });

  it('one changed archive byte, or another key, breaks the signature', () => {
    const crx = Buffer.from(packCrx3(zipDirectory(sampleExtension()), key));
    const tampered = Buffer.from(crx);
    tampered[tampered.length - 30]! ^= 1;
    expect(signatureHolds(parseCrx(tampered))).toBe(false);
    const other = signingKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const swapped = { ...parseCrx(crx), publicKey: Buffer.from(other.publicKeyDer) };
    expect(signatureHolds(swapped)).toBe(false);
  });

  it('the extension ID follows the key: the shipped manifest key gives the shipped ID', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../manifest.json', import.meta.url), 'utf8'));
    expect(extensionIdOf(Buffer.from(manifest.key, 'base64'))).toBe(EXTENSION_ID);
    expect(key.extensionId).toMatch(/^[a-p]{32}$/);
    expect(key.extensionId).not.toBe(EXTENSION_ID);
  });

  it('refuses keys that are not RSA private keys', () => {
    expect(() => signingKeyFromPem('not a key')).toThrow();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => signingKeyFromPem(ec)).toThrow(/RSA/);
  });

  it('archives are reproducible: the same directory gives the same bytes', () => {
    const dir = sampleExtension();
    expect(Buffer.from(zipDirectory(dir)).equals(Buffer.from(zipDirectory(dir)))).toBe(true);
  });

  const CHROMIUM = '/usr/lib/chromium/chromium';
  it.skipIf(!existsSync(CHROMIUM))("matches Chromium's own packer: same layout, same crx_id for the same key", () => {
    const dir = sampleExtension();
    const keyFile = join(mkdtempSync(join(tmpdir(), 'ug-key-')), 'key.pem');
    writeFileSync(keyFile, pem);
    execFileSync(CHROMIUM, ['--no-sandbox', '--headless', `--pack-extension=${dir}`, `--pack-extension-key=${keyFile}`], { stdio: 'ignore', timeout: 60_000 });
    const theirs = parseCrx(readFileSync(`${dir}.crx`));
    const ours = parseCrx(Buffer.from(packCrx3(zipDirectory(dir), key)));
    expect(theirs.version).toBe(ours.version);
    expect(theirs.crxId.equals(ours.crxId)).toBe(true);
    expect(theirs.publicKey.equals(ours.publicKey)).toBe(true);
    expect(signatureHolds(theirs)).toBe(true);
  });
});
