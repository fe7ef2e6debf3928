/**
 * A uuencoded file on its own (`begin 644 name` … `end`, or `begin-base64` as `uuencode -m` and
 * `bsdtar --uuencode/--b64encode` write it): each block is a member, read as the file it is. A block
 * that does not decode leaves its content unread, so the file is unscannable, never clean.
 *
 * A shell archive (GNU shar, `bsdtar --format shardump`) is a script that carries its files: as plain
 * text in the script (read as text) or uuencoded (each block a member, as above; GNU shar's gzipped
 * files are gzip members, opened as such). GNU shar may start every line of a file with `X` (the
 * script strips it with `sed 's/^X//'`); no uuencoded line starts with X (at most 45 bytes a line: `M`),
 * so the blocks are looked for with it taken off.
 */
import { blobOf, readBytes } from '../bytes.js';
import { extractText } from './text.js';
import { UU_AT_START, uuBlocks } from './mime.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';

export const extractUu: Extractor = async function* (blob, ctx) {
  const members = uuMembers(latin1(await readBytes(blob)), ctx);
  if (members.length === 0) throw new ScanError('corrupt', 'a uuencoded file without a block that decodes');
  yield* members;
};

export const extractShellArchive: Extractor = async function* (blob, ctx) {
  yield* extractText(blob, ctx);
  const text = latin1(await readBytes(blob));
  ctx.checkTime();
  // A later part of a GNU shar split with -L: it goes on with a file the parts before it began.
  const part = SHAR_PART.exec(text.slice(0, 1024));
  if (part && Number(part[1]) > 1) yield { kind: 'unscannable', reason: 'unsupported', detail: `part ${part[1]} of a shell archive split into parts: it cannot be read without the parts before it` };
  yield* uuMembers(text.replace(/^X/gm, ''), ctx);
  for (const doc of hereDocs(text)) {
    ctx.addEntry();
    ctx.addExpanded(doc.body.length);
    yield { kind: 'member', name: doc.name, data: blobOf(doc.body) };
  }
};

/** GNU shar's first comment in each part after the first (`shar -L`): `# This is 'x.02' (part 2 of a multipart archive).` */
const SHAR_PART = /^# This is .{1,200} \(part (\d+) of a multipart archive\)/m;

/** One character per byte, so the text's pieces are the file's bytes as they are (any encoding). */
const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** A name as the tools write it: UTF-8 (a damaged one keeps its readable part). */
const nameOf = (s: string) => new TextDecoder('utf-8').decode(bytesOf(s));

/** `… << 'SHAR_EOF' > 'name'` (or `> name << EOF`): a here-document written to a file. */
const HERE_DOC = /^(.*?)<<(-?)\s*(["']?)\\?([A-Za-z_]\w*)\3(.*)$/gm;
const REDIRECT = /(?:^|[^<>&\d])>\s*(?:'([^']*)'|"([^"]*)"|([^\s;&|<>'"]+))/;

/**
 * The files a shell archive writes from here-documents, with GNU shar's `X` taken off when the script
 * takes it off. Those it pipes (`| uudecode`) or that hold a uuencoded file are the blocks above, and a
 * name built from a variable (`${lock_dir}/uue`) is not a file the employee named.
 */
function hereDocs(text: string): { name: string; body: Uint8Array }[] {
  const out: { name: string; body: Uint8Array }[] = [];
  for (const m of text.matchAll(HERE_DOC)) {
    const line = m[1] + m[5];
    const r = REDIRECT.exec(line);
    const name = r ? (r[1] ?? r[2] ?? r[3]) : null;
    if (!name || name.includes('$') || name.startsWith('/dev/') || m[5].includes('|')) continue;
    const start = m.index + m[0].length + 1;
    const close = new RegExp(`^${m[2] ? '\\t*' : ''}${m[4]}\\r?$`, 'gm');
    close.lastIndex = start;
    const end = close.exec(text);
    if (!end) continue;
    let body = text.slice(start, end.index);
    if (/sed\s+(["'])s\/\^X\/\/\1/.test(line)) body = body.replace(/^X/gm, '');
    if (UU_AT_START.test(body)) continue;
    out.push({ name: nameOf(name), body: bytesOf(body) });
  }
  return out;
}

function uuMembers(text: string, ctx: ExtractContext): Extracted[] {
  const out: Extracted[] = [];
  for (const uu of uuBlocks(text)) {
    ctx.addEntry();
    const name = nameOf(uu.name);
    if (!uu.bytes) {
      out.push(nameOnly(name));
      out.push({ kind: 'unscannable', reason: 'corrupt', detail: `the uuencoded file ${name} is damaged` });
      continue;
    }
    ctx.addExpanded(uu.bytes.length);
    out.push({ kind: 'member', name, data: blobOf(uu.bytes) });
  }
  return out;
}
