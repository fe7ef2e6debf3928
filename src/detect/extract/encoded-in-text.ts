/**
 * Files encoded into text anywhere in it, not only from its first byte: a note whose prose is followed by
 * `uuencode f f` or `uuencode -m` output, uuenview's `_=_ Part 001 of 001` headers before a block, BinHex
 * after a line of prose, yEnc. One home for a mail body (eml.ts) and a text file (text.ts).
 *
 * A text file is searched at byte speed: hasEncodedFileLine looks for a line break followed by a marker's
 * first byte (the byte search's pair kernel), and the text is decoded and read for files only when a line
 * starts one.
 */
import { encodedInText } from '../member-names.js';
import { blobOf } from '../bytes.js';
import { findNeedles, type Needle } from './byte-scan.js';
import { embeddedFiles } from './embedded-base64.js';
import { uuBlocks, UU_BEGIN_LINE } from './mime.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted } from './types.js';
import { ARMOR_START, dearmored, pgpMessageItems } from './pgp.js';
import { decodeBase64, decodeQuotedPrintable } from './rfc2047.js';

/** Line starts that begin an encoded file, as bytes (ASCII in every encoding a text file here may be in but UTF-16). */
const LINE_MARKERS: readonly Uint8Array[] = [
  'begin ',
  'begin-base64 ',
  '(This file must be converted',
  '=ybegin ',
  '_=_ Part ',
  'GIT binary patch',
  // A message's source pasted into a text (a helpdesk ticket, a report of a phishing mail): its base64 parts.
  'Content-Transfer-Encoding:',
  'Content-transfer-encoding:',
  // A signed (or plain) CMS message pasted in PEM: `openssl smime -sign -outform PEM`, `openssl cms`.
  '-----BEGIN PKCS7-----',
  '-----BEGIN CMS-----',
  // An OpenPGP message pasted after prose: read when only signed, unscannable when encrypted (pgp.ts).
  '-----BEGIN PGP MESSAGE-----',
].map((s) => new TextEncoder().encode(s));
/**
 * The markers after a line break, for the byte search's pair kernel (pair-scan.ts): the break and the
 * marker's first byte are the pair it looks for, 16 positions at a time, so a text is not walked line
 * by line (a call per line cost a log of short lines more than its search for 秘).
 */
export const AFTER_BREAK: readonly Needle[] = LINE_MARKERS.map((m) => ({ bytes: Uint8Array.of(0x0a, ...m), enc: 'utf-8', anchor: 1, wide: false }));

/** Whether a line of `buf` (its first, or one after a line feed) starts with an encoded file's first line. */
export function hasEncodedFileLine(buf: Uint8Array): boolean {
  if (encodedFileLineFirst(buf)) return true;
  let found = false;
  findNeedles(buf, AFTER_BREAK, 0, buf.length, () => {
    found = true;
    return false;
  });
  return found;
}
/** Whether `buf`'s first line starts with an encoded file's first line (the rest: AFTER_BREAK). */
export function encodedFileLineFirst(buf: Uint8Array): boolean {
  return LINE_MARKERS.some((m) => startsAt(buf, 0, m));
}
function startsAt(buf: Uint8Array, at: number, m: Uint8Array): boolean {
  if (at + m.length > buf.length) return false;
  for (let i = 0; i < m.length; i++) if (buf[at + i] !== m[i]) return false;
  return true;
}

/** Encodings a text may carry a file or a message in that are not decoded here. */
const UNDECODED_IN_TEXT: [RegExp, 'encrypted' | 'unsupported', string][] = [
  [/^\(This file must be converted/m, 'unsupported', 'a BinHex file in the text'],
  [/^=ybegin /m, 'unsupported', 'a yEnc file in the text'],
];
/** uuenview's header before each part (`_=_ Part 001 of 001 of file notes.txt`); its `-b` blocks are bare base64. */
const UUENVIEW_PART = /^_=_ Part (\d+) of (\d+) of file /m;

/**
 * The files encoded in `text` (`label` says where, for the reasons): each uuencoded or `begin-base64` block
 * a member (a damaged one unscannable, its name still a name), BinHex, yEnc and PGP messages unscannable,
 * and the bare base64 under uuenview's headers read as embedded files are.
 */
export async function* encodedFiles(text: string, ctx: ExtractContext, label: string): AsyncGenerator<Extracted> {
  for (const [re, reason, why] of UNDECODED_IN_TEXT) if (re.test(text)) yield { kind: 'unscannable', reason, detail: `${label}${why}`, where: { area: 'body' } };
  for (const uu of text.includes('begin') && UU_BEGIN_LINE.test(text) ? uuBlocks(text) : []) {
    ctx.checkTime();
    if (uu.bytes) {
      ctx.addEntry();
      ctx.addExpanded(uu.bytes.length);
      yield { kind: 'member', name: uu.name, data: blobOf(uu.bytes), where: { area: 'attachment' } };
    } else {
      yield nameOnly(uu.name, { area: 'attachment' });
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${label}a uuencoded file in the text is damaged`, where: { area: 'body' } };
    }
  }
  if (text.includes('GIT binary patch')) yield* gitBinaryPatches(text, ctx, label);
  if (ARMOR_START.test(text)) yield* pgpMessages(text, ctx, label);
  if (/^content-transfer-encoding:/im.test(text)) {
    yield* base64Parts(text, ctx);
    yield* qpParts(text, ctx);
  }
  if (text.includes('-----BEGIN ')) yield* pemMessages(text, ctx);
  const part = UUENVIEW_PART.exec(text);
  if (!part) return;
  // One piece of a file uuenview split into several (`-200`): the pieces after the first have no `begin` line.
  if (Number(part[2]) > 1) yield { kind: 'unscannable', reason: 'unsupported', detail: `${label}one part of ${part[2]} of a file split by uuenview: it cannot be read without the others`, where: { area: 'body' } };
  else yield* embeddedFiles(text, ctx);
}

/**
 * Armored OpenPGP messages (`gpg --sign --armor`, or encrypted): a signed one is read as `gpg -d` reads it,
 * an encrypted or damaged one is unscannable. A block without its end line is one cut short.
 */
async function* pgpMessages(text: string, ctx: ExtractContext, label: string): AsyncGenerator<Extracted> {
  const where = { area: 'body' };
  let n = 0;
  for (const message of dearmored(text)) {
    if (++n > MAX_PARTS) break;
    try {
      for await (const x of pgpMessageItems(message, ctx)) yield x.kind === 'unscannable' ? { ...x, detail: `${label}${x.detail}`, where } : { ...x, where: { area: 'attachment' } };
    } catch (err) {
      if (!(err instanceof ScanError) || err.reason !== 'corrupt') throw err;
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${label}${err.message}`, where };
    }
  }
  if (n === 0) yield { kind: 'unscannable', reason: 'corrupt', detail: `${label}a PGP message in the text without its end line (cut short)`, where };
}

/** A part's base64 transfer encoding, then its other header lines, a blank line, and its lines of base64. */
const BASE64_PART = /^content-transfer-encoding:[ \t]*base64[ \t]*\r?\n(?:[^\r\n]+\r?\n){0,16}?\r?\n((?:[A-Za-z0-9+/=]{4,}[ \t]*\r?\n?)+)/gim;
/** The name a part's nearby headers give it (`filename=`, `name=`). */
const PART_NAME = /\b(?:file)?name\*?=\s*"?([^"\r\n;]{1,255})/i;
/** The name a part's headers give it, looked for from 1 KiB before its match to `to`; else `fallback`. */
const partName = (text: string, m: RegExpExecArray, to: number, fallback: string): string => PART_NAME.exec(text.slice(Math.max(0, m.index - 1024), to))?.[1] ?? fallback;
/** Parts decoded per text, as uuBlocks' bound. */
const MAX_PARTS = 64;

/**
 * The base64 parts of a message whose source is pasted into a text after other lines (a ticket quoting a
 * mail, headers saved after a line of their own): a mail reader would decode them, so they are members,
 * named by the headers around them. The message's own reading is the mail extractor's (eml.ts), for a
 * file that is a message from its first line.
 */
const base64Parts = (text: string, ctx: ExtractContext) =>
  partMembers(text, BASE64_PART, ctx, (m) => base64Bytes(m[1]), (m) => partName(text, m, m.index + m[0].length - m[1].length, encodedInText('base64 part')));

/** A part's quoted-printable transfer encoding, then its other header lines and a blank line: its text follows. */
const QP_PART = /^content-transfer-encoding:[ \t]*quoted-printable[ \t]*\r?\n(?:[^\r\n]+\r?\n){0,16}?\r?\n/gim;
/** A boundary line (`--…`) ends a pasted part's text, else the text's end. */
const BOUNDARY_LINE = /^--/m;
/**
 * The quoted-printable parts of a pasted message source, as base64Parts: a mail reader shows 「秘 Confidential」
 * where the text holds `=E7=A7=98 Confidential`.
 */
const qpParts = (text: string, ctx: ExtractContext) =>
  partMembers(
    text,
    QP_PART,
    ctx,
    (m) => {
      const start = m.index + m[0].length;
      const end = BOUNDARY_LINE.exec(text.slice(start));
      return decodeQuotedPrintable(text.slice(start, end ? start + end.index : text.length)).bytes;
    },
    (m) => partName(text, m, m.index + m[0].length, encodedInText('quoted-printable part')),
  );

/** A PEM block of a CMS message (PKCS #7): what it signs or carries is read from its DER (sealed.ts, or as bytes). */
const PEM_CMS = /^-----BEGIN (PKCS7|CMS)-----\r?\n([A-Za-z0-9+/=\s]*?)^-----END \1-----/gm;
const pemMessages = (text: string, ctx: ExtractContext) => partMembers(text, PEM_CMS, ctx, (m) => base64Bytes(m[2]), (m) => encodedInText(`${m[1]} message`));
const base64Bytes = (s: string): Uint8Array => decodeBase64(s.replace(/\s+/g, '')).bytes;

/** Each block `re` finds in `text`, decoded by `bytesOf`, as a member named by `nameOf` (at most MAX_PARTS). */
async function* partMembers(text: string, re: RegExp, ctx: ExtractContext, bytesOf: (m: RegExpExecArray) => Uint8Array, nameOf: (m: RegExpExecArray) => string): AsyncGenerator<Extracted> {
  let n = 0;
  for (const m of text.matchAll(re)) {
    if (++n > MAX_PARTS) break;
    ctx.checkTime();
    const bytes = bytesOf(m);
    if (!bytes.length) continue;
    ctx.addEntry();
    ctx.addExpanded(bytes.length);
    yield { kind: 'member', name: nameOf(m), data: blobOf(bytes), where: { area: 'attachment' } };
  }
}

/**
 * `GIT binary patch` (git format-patch, git diff --binary): each file as `literal N` then lines of git's
 * base85, a length letter first (A–Z 1–26 bytes, a–z 27–52), holding a zlib stream of the file. The
 * stream is a member: sniffed as zlib and inflated there, under the scan's expansion limits. A `delta`
 * is against the file's earlier version, which the patch does not hold: unscannable.
 */
const GIT_BINARY = /^GIT binary patch\r?\n(literal|delta) (\d+)\r?\n((?:[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]+\r?\n)*)/gm;
/** Patches read per text, as uuBlocks' bound. */
const MAX_PATCHES = 64;
async function* gitBinaryPatches(text: string, ctx: ExtractContext, label: string): AsyncGenerator<Extracted> {
  let n = 0;
  for (const m of text.matchAll(GIT_BINARY)) {
    ctx.checkTime();
    const where = { area: 'body' };
    if (++n > MAX_PATCHES) {
      yield { kind: 'unscannable', reason: 'too-many-entries', detail: `${label}more than ${MAX_PATCHES} binary patches in the text`, where };
      return;
    }
    if (m[1] === 'delta') {
      yield { kind: 'unscannable', reason: 'unsupported', detail: `${label}a git binary delta (the file's earlier version is not in the patch)`, where };
      continue;
    }
    const bytes = base85Lines(m[3]);
    if (!bytes) {
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${label}a git binary patch that does not decode`, where };
      continue;
    }
    ctx.addEntry();
    ctx.addExpanded(bytes.length);
    yield { kind: 'member', name: encodedInText('binary patch', n), data: blobOf(bytes), where: { area: 'attachment' } };
  }
}

const B85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const B85_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B85.length; i++) B85_VALUE[B85.charCodeAt(i)] = i;

/** git's base85 lines decoded (each: a length letter, then 5 characters per 4 bytes, big-endian); null when damaged. */
function base85Lines(lines: string): Uint8Array | null {
  const out: number[] = [];
  for (const raw of lines.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line) continue;
    const c = line.charCodeAt(0);
    const len = c <= 0x5a ? c - 0x40 : c - 0x60 + 26;
    if (line.length - 1 !== Math.ceil(len / 4) * 5) return null;
    for (let i = 1, left = len; left > 0; i += 5) {
      let v = 0;
      for (let k = 0; k < 5; k++) {
        const d = B85_VALUE[line.charCodeAt(i + k)];
        if (d < 0) return null;
        v = v * 85 + d;
      }
      if (v > 0xffffffff) return null;
      for (let k = 24; k >= 0 && left > 0; k -= 8, left--) out.push((v >>> k) & 255);
    }
  }
  return Uint8Array.from(out);
}
