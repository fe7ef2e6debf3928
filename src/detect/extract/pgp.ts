/**
 * OpenPGP messages that are signed or stored but not encrypted (`gpg --sign`, `gpg --sign --armor`,
 * `gpg --store`): anyone reads them with `gpg -d`, no key needed, so their content is read here too.
 * The message is a sequence of packets; a compressed packet (ZIP, ZLIB, BZip2) holds another such
 * sequence, and the literal data packet holds the signed file, with the name it was signed under.
 * An encrypted message (a session key packet, encrypted data) stays `unscannable` (encrypted).
 *
 * RFC 9580 (4.2 packet headers and partial lengths, 5.6 compressed data, 5.9 literal data, 6 armor).
 */
import { SIGNED_CONTENT } from '../member-names.js';
import { blobOf, concat } from '../bytes.js';
import { decodeBzip2 } from './bzip2.js';
import { ExpansionGuard } from './expansion-guard.js';
import { inflateRaw, unzlib } from './inflate.js';
import { decodeBase64 } from './rfc2047.js';
import { ScanError, type ExtractContext, type Extracted } from './types.js';

/** Compressed packets inside compressed packets: gpg writes one; more is a bomb's shape. */
const MAX_NESTING = 4;

/** Session keys (public-key, passphrase) and encrypted data (symmetric, integrity-protected, AEAD). */
const ENCRYPTED_TAGS = new Set([1, 3, 9, 18, 20]);

interface Packet {
  tag: number;
  body: Uint8Array;
}

const damaged = (why: string) => new ScanError('corrupt', `an OpenPGP message is damaged (${why})`);

/** The packets of `b`, each body whole (partial body lengths joined). */
export function* packets(b: Uint8Array): Generator<Packet> {
  for (let at = 0; at < b.length; ) {
    const h = b[at];
    if (!(h & 0x80)) throw damaged('not a packet header');
    if (h & 0x40) {
      const tag = h & 0x3f;
      const parts: Uint8Array[] = [];
      let p = at + 1;
      for (;;) {
        const { length, partial, next } = newLength(b, p);
        if (next + length > b.length) throw damaged('cut short');
        parts.push(b.subarray(next, next + length));
        p = next + length;
        if (!partial) break;
      }
      yield { tag, body: concat(parts) };
      at = p;
    } else {
      const tag = (h >> 2) & 0x0f;
      const kind = h & 3;
      // Old format: a length of 1, 2 or 4 bytes, or (3) the packet runs to the end of the data.
      const n = [1, 2, 4, 0][kind];
      if (at + 1 + n > b.length) throw damaged('cut short');
      let length = kind === 3 ? b.length - at - 1 : 0;
      for (let i = 0; i < n; i++) length = length * 256 + b[at + 1 + i];
      const start = at + 1 + n;
      if (start + length > b.length) throw damaged('cut short');
      yield { tag, body: b.subarray(start, start + length) };
      at = start + length;
    }
  }
}

/** A new-format length at `p`: one, two or five bytes, or a partial body length (a power of two, more follows). */
function newLength(b: Uint8Array, p: number): { length: number; partial: boolean; next: number } {
  const c = b[p];
  if (c === undefined) throw damaged('cut short');
  if (c < 192) return { length: c, partial: false, next: p + 1 };
  if (c < 224) return { length: ((c - 192) << 8) + b[p + 1] + 192, partial: false, next: p + 2 };
  if (c === 255) return { length: b[p + 1] * 2 ** 24 + ((b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]), partial: false, next: p + 5 };
  return { length: 1 << (c & 0x1f), partial: true, next: p + 1 };
}

/**
 * What a binary OpenPGP message holds: each literal data packet a member (named as it was signed, else
 * `signed content`), `unscannable` when it is encrypted or compressed in a way not read here.
 */
export async function* pgpMessageItems(b: Uint8Array, ctx: ExtractContext, nesting = 0): AsyncGenerator<Extracted> {
  for (const { tag, body } of packets(b)) {
    ctx.checkTime();
    if (ENCRYPTED_TAGS.has(tag)) {
      yield { kind: 'unscannable', reason: 'encrypted', detail: 'a message encrypted with OpenPGP (gpg, PGP)' };
      return;
    }
    if (tag === 8) {
      if (nesting >= MAX_NESTING) throw new ScanError('too-deep', 'an OpenPGP message compressed inside itself more than 4 deep');
      const inner = await decompressed(body, ctx);
      if (!inner) {
        yield { kind: 'unscannable', reason: 'unsupported', detail: `an OpenPGP message compressed with algorithm ${body[0]}, which is not read here` };
        return;
      }
      yield* pgpMessageItems(inner, ctx, nesting + 1);
    } else if (tag === 11) yield literal(body, ctx);
    // Signatures, one-pass signatures, keys and markers carry no content.
  }
}

/** A literal data packet: its format byte, its name (a length byte first), a date, then the data. */
function literal(body: Uint8Array, ctx: ExtractContext): Extracted {
  const n = body[1];
  if (body.length < 6 + n) throw damaged('a literal data packet cut short');
  const name = new TextDecoder().decode(body.subarray(2, 2 + n)).trim();
  const data = body.subarray(6 + n);
  ctx.addEntry();
  ctx.addExpanded(data.length);
  // `_CONSOLE` is what gpg writes for text meant for the screen only.
  return { kind: 'member', name: name && name !== '_CONSOLE' ? name : SIGNED_CONTENT, data: blobOf(data) };
}

/** A compressed packet's content (its first byte names the algorithm), or null for an algorithm not read here. */
async function decompressed(body: Uint8Array, ctx: ExtractContext): Promise<Uint8Array | null> {
  const data = blobOf(body.subarray(1));
  const name = 'OpenPGP compressed data';
  switch (body[0]) {
    case 0:
      return body.subarray(1);
    case 1:
      return (await inflateRaw(data, ctx, { name })).bytes();
    case 2: {
      const guard = new ExpansionGuard(ctx, { name });
      await unzlib(data, guard);
      return guard.bytes();
    }
    case 3: {
      const guard = new ExpansionGuard(ctx, { name });
      await decodeBzip2(data, guard, ctx);
      return guard.bytes();
    }
    default:
      return null;
  }
}

const BEGIN = '-----BEGIN PGP MESSAGE-----';
const END = '-----END PGP MESSAGE-----';

/**
 * The binary message of each armored block in `text`, in order: after its BEGIN line, header lines
 * (`Version:`, `Hash:`) up to a blank line, then base64 up to the `=` checksum line or the END line.
 * Walked line by line (a pattern over the block backtracked for minutes on a damaged one). A block
 * without its END line is not yielded.
 */
export function* dearmored(text: string): Generator<Uint8Array> {
  for (let at = text.indexOf(BEGIN); at >= 0; at = text.indexOf(BEGIN, at + BEGIN.length)) {
    if (at > 0 && text[at - 1] !== '\n') continue;
    const end = text.indexOf(END, at);
    if (end < 0) return;
    const lines = text.slice(at, end).split(/\r?\n/).slice(1);
    const blank = lines.findIndex((l) => l.trim() === '');
    const body = blank >= 0 ? lines.slice(blank + 1) : lines;
    yield decodeBase64(body.filter((l) => !/^=[A-Za-z0-9+/]{4}\s*$/.test(l)).join('').replace(/\s+/g, '')).bytes;
  }
}

/** Whether `text` holds the first line of an armored message. */
export const ARMOR_START = /^-----BEGIN PGP MESSAGE-----/m;
