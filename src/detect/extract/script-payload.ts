/**
 * A shell script with an archive appended: makeself installers and the `.run`/`.bin` packages built
 * like them (a script that extracts itself with `tail -n +N "$0" | tar xz`). The script is text; the
 * archive after it is a member, read by its own format.
 */
import { readBytes, startsWith } from '../bytes.js';
import { extractText } from './text.js';
import { base64Head } from './rfc2047.js';
import { ScanError, type Extractor } from './types.js';

/** How far into a script its appended archive is looked for (makeself's header is about 20 KB). */
const SCRIPT_HEAD = 1 << 20;

/**
 * Signatures an appended archive starts with: gzip, xz, bzip2, zstd, 7z; and what makeself's other
 * options write, read (or called unscannable) by their own formats: Unix compress (`--compress`, a flags
 * byte of 9 to 16 bits), LZ4 (`--lz4`), OpenSSL's encryption (`--ssl-encrypt`).
 */
const SIGNATURES: readonly (readonly number[])[] = [
  [0x1f, 0x8b, 0x08],
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  [0x42, 0x5a, 0x68], // BZh, then the level and a block's magic (checked below)
  [0x28, 0xb5, 0x2f, 0xfd],
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  [0x04, 0x22, 0x4d, 0x18],
  [0x53, 0x61, 0x6c, 0x74, 0x65, 0x64, 0x5f, 0x5f], // Salted__
];

function archiveAt(b: Uint8Array, at: number): boolean {
  if (startsWith(b, [0x75, 0x73, 0x74, 0x61, 0x72], at + 257)) return true; // tar's ustar magic
  if (b[at] === 0x1f && b[at + 1] === 0x9d && (b[at + 2] & 0x1f) >= 9 && (b[at + 2] & 0x1f) <= 16) return true; // .Z
  return SIGNATURES.some((sig) => startsWith(b, sig, at) && (sig[0] !== 0x42 || /^[1-9]1AY&SY$/.test(String.fromCharCode(...b.subarray(at + 3, at + 10)))));
}

/** Characters of a base64 payload decoded to tell its archive (a tar's magic is at byte 257). */
const B64_HEAD = 512;
/**
 * A payload in base64 (makeself `--base64`): lines of base64 from this line start on whose decoded head
 * starts an archive. Only a line of 64 or more base64 characters is decoded.
 */
function base64ArchiveAt(b: Uint8Array, at: number): boolean {
  if (!/^[A-Za-z0-9+/]{64}/.test(String.fromCharCode(...b.subarray(at, at + 64)))) return false;
  const text = String.fromCharCode(...b.subarray(at, at + B64_HEAD + 64));
  const head = base64Head(text.replace(/[\r\n]/g, ''), B64_HEAD);
  return head.length > 300 && archiveAt(head, 0);
}

/** Where the archive appended to a `#!` script starts (at the start of a line), or -1. */
export async function scriptPayloadStart(blob: Blob): Promise<number> {
  const head = await readBytes(blob, 0, Math.min(blob.size, SCRIPT_HEAD));
  if (head[0] !== 0x23 || head[1] !== 0x21) return -1;
  for (let nl = head.indexOf(0x0a); nl >= 0; nl = head.indexOf(0x0a, nl + 1)) {
    if (archiveAt(head, nl + 1) || base64ArchiveAt(head, nl + 1)) return nl + 1;
  }
  return -1;
}

export const extractScriptPayload: Extractor = async function* (blob, ctx) {
  const at = await scriptPayloadStart(blob);
  if (at < 0) throw new ScanError('corrupt', 'no archive after the script');
  yield* extractText(blob.slice(0, at), ctx);
  ctx.addEntry();
  yield { kind: 'member', name: '', data: blob.slice(at) };
};
