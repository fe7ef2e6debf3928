/**
 * LDIF (RFC 2849: `ldapsearch`, `slapcat`, Thunderbird's and Active Directory's address-book exports): a
 * value that is not plain ASCII must be written in base64 (`description:: 56eY…`), so every Japanese name
 * or note is only there encoded, often folded over lines (a line starting with one space continues the one
 * before). Read as a directory tool shows it: lines unfolded, each base64 value decoded; one that is not
 * UTF-8 text (a photo, a certificate) is a member, read as the file it is.
 */
import { blobOf, readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { decodeBase64 } from './rfc2047.js';
import { decodeText } from './text.js';
import type { Extractor } from './types.js';

/** An LDIF file's start: an optional version line and comments, then its first entry's `dn:`. */
export const LDIF_START = /^(?:\xEF\xBB\xBF)?(?:version:[ \t]*1[ \t]*\r?\n)?(?:#[^\n]*\n|[ \t]*\r?\n)*dn::?[ \t]/i;

/** Bigger than a directory export read here: read as text only, and said. */
const MAX_BYTES = 64 << 20;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export const extractLdif: Extractor = async function* (blob, ctx) {
  if (blob.size > MAX_BYTES) {
    yield { kind: 'unscannable', reason: 'too-large', detail: `an LDIF file over ${MAX_BYTES >> 20} MiB: its base64 values were not read` };
    return;
  }
  const raw = decodeText(await readBytes(blob));
  const text: string[] = [];
  let n = 0;
  for (const line of raw.replace(/\r?\n[ ]/g, '').split(/\r?\n/)) {
    if ((++n & 1023) === 0) ctx.checkTime();
    const m = /^([^:#\s][^:]*)::[ \t]*(.*)$/.exec(line);
    if (!m) {
      text.push(line);
      continue;
    }
    const bytes = decodeBase64(m[2]).bytes;
    let value: string | null = null;
    try {
      value = UTF8.decode(bytes);
    } catch {
      value = null;
    }
    if (value !== null && !/[\x00-\x08\x0e-\x1f]/.test(value)) text.push(`${m[1]}: ${value}`);
    else {
      ctx.addEntry();
      yield { kind: 'member', name: m[1], data: blobOf(bytes) };
    }
  }
  for (const chunk of chunkText(text.join('\n'))) yield { kind: 'text', text: chunk, where: {} };
};
