/**
 * AutoCAD DXF drawings (ASCII): what CAD tools export for a supplier, and where a title block carries the
 * stamp. Read as plain text they hide it three ways: a code page that lacks 秘 writes it as `\U+79D8`
 * (AutoCAD, ezdxf; R2000 and older), MTEXT puts formatting codes between the words
 * (`{\fMS Gothic|b1;秘}\P{\LConfidential}`), and 「秘」 and 「Confidential」 typed as two TEXT entities are
 * two records apart. So the file is read as group-code/value pairs: every string value is decoded
 * (escapes, formatting codes), and text entities that share a baseline are joined in drawing order
 * (baseline.ts), like a metafile's text records.
 *
 * Encoding: UTF-8 from R2007 (AC1021); before, the code page `$DWGCODEPAGE` names (ANSI_932 is
 * Shift_JIS). Objects embedded through OLE (OLE2FRAME: an Excel table pasted into a drawing) are
 * members. https://help.autodesk.com/view/OARX/2024/ENU/?guid=GUID-235B22E0-A567-4CF6-92D3-38A2306D73F3
 */
import { embeddedObject } from '../member-names.js';
import { hexBytes } from '../bytes.js';
import { readRange } from '../range-read.js';
import { chunkText } from '../text-chunks.js';
import { linesByBaseline, type PlacedRun } from './baseline.js';
import { detectTextEncoding } from './text.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';

/** An ASCII DXF: optional comments, then the first section (`0 / SECTION / 2 / HEADER`…). */
const DXF_START = /^(?:\xEF\xBB\xBF)?(?:[ \t]*999\r?\n[^\r\n]*\r?\n)*[ \t]*0\r?\nSECTION\r?\n[ \t]*2\r?\n[A-Z]+\r?\n/;

/** Whether the first bytes (as latin1) begin an ASCII DXF file. */
export const isDxf = (ascii: string): boolean => DXF_START.test(ascii);

/** `$DWGCODEPAGE` values → the encoding of a pre-2007 file's strings. */
const CODE_PAGES: Record<string, string> = {
  ANSI_932: 'shift_jis', DBCS_932: 'shift_jis', ANSI_936: 'gbk', ANSI_949: 'euc-kr', ANSI_950: 'big5',
  ANSI_1250: 'windows-1250', ANSI_1251: 'windows-1251', ANSI_1253: 'windows-1253', ANSI_1254: 'windows-1254',
  ANSI_1255: 'windows-1255', ANSI_1256: 'windows-1256', ANSI_1257: 'windows-1257', ANSI_874: 'windows-874',
};

/** `\M+n` code pages (the digit after M+) of double-byte characters a DXF writes as `\M+nXXXX`. */
const MBCS: Record<string, string> = { '1': 'shift_jis', '2': 'big5', '3': 'euc-kr', '5': 'gbk' };

/** Group codes whose value is a string a person can see or a tool shows (names, text, comments, extended data). */
function isString(code: number): boolean {
  return (code >= 1 && code <= 4) || (code >= 6 && code <= 8) || (code >= 300 && code <= 309) || (code >= 410 && code <= 419)
    || (code >= 430 && code <= 439) || (code >= 470 && code <= 479) || code === 999 || code === 1000 || code === 1001 || code === 1003;
}

/** Entities drawn as text on the sheet: their value (group 1, after MTEXT's 3s) is placed at their insertion point. */
const TEXT_ENTITIES = new Set(['TEXT', 'MTEXT', 'ATTRIB', 'ATTDEF', 'DIMENSION', 'RTEXT', 'ARCALIGNEDTEXT']);

/** More pairs than any drawing a supplier exchanges (~20 million lines): a hostile file stops here, said. */
const MAX_PAIRS = 10_000_000;
const SLICE = 4 << 20;

interface Entity {
  type: string;
  y: number | null;
  text: string;
  /** OLE2FRAME: the embedded object's bytes, as the 310 groups write them (hex). */
  hex: string[];
}

export const extractDxf: Extractor = async function* (blob, ctx) {
  const head = await readRange(blob, 0, Math.min(blob.size, 64 << 10));
  const dec = new TextDecoder(encodingOf(head));
  const runs: PlacedRun[] = [];
  const loose: string[] = [];
  const objects: Uint8Array[] = [];
  let entity: Entity | null = null;
  const end = () => {
    if (!entity) return;
    if (entity.text) runs.push({ y: entity.y, text: entity.text });
    if (entity.type === 'OLE2FRAME') objects.push(hexBytes(entity.hex.join('')));
    entity = null;
  };
  let code: number | null = null;
  let pairs = 0;
  for await (const line of lines(blob, dec, ctx)) {
    if (code === null) {
      code = Number(line.trim());
      if (!Number.isInteger(code) || line.trim() === '') throw new ScanError('corrupt', 'a DXF drawing with a damaged group code (not a number)');
      continue;
    }
    const c = code;
    code = null;
    if (++pairs > MAX_PAIRS) throw new ScanError('too-large', `a DXF drawing with more than ${MAX_PAIRS} groups`);
    if (c === 0) {
      end();
      entity = { type: line.trim(), y: null, text: '', hex: [] };
    } else if (entity && c === 20 && entity.y === null) entity.y = Number(line);
    else if (entity && c === 310 && entity.type === 'OLE2FRAME') entity.hex.push(line.trim());
    else if (entity && TEXT_ENTITIES.has(entity.type) && (c === 1 || (c === 3 && entity.type === 'MTEXT'))) {
      entity.text += dxfText(line, entity.type === 'MTEXT');
    } else if (isString(c)) loose.push(dxfText(line, false));
  }
  end();
  const text = linesByBaseline(runs);
  for (const chunk of text ? chunkText(text) : []) yield { kind: 'text', text: chunk, where: { area: 'drawing' } };
  // Names, properties, comments and extended data: apart (` / `), so two unrelated names never read as one stamp.
  const rest = loose.filter((s) => s.trim()).join(' / ');
  for (const chunk of rest ? chunkText(rest) : []) yield { kind: 'text', text: chunk, where: {} };
  yield* embedded(objects);
};

/** The file's encoding: UTF-8 from R2007, else its declared code page, else what the bytes look like. */
function encodingOf(head: Uint8Array): string {
  const ascii = new TextDecoder('latin1').decode(head);
  const version = /\$ACADVER\r?\n[ \t]*1\r?\n(AC\d{4})/.exec(ascii)?.[1];
  if (version && version >= 'AC1021') return 'utf-8';
  const page = /\$DWGCODEPAGE\r?\n[ \t]*3\r?\n([A-Z_0-9]+)/i.exec(ascii)?.[1]?.toUpperCase();
  return (page && CODE_PAGES[page]) || detectTextEncoding(head);
}

/** The file's lines, decoded, in slices (a drawing may be tens of MB). */
async function* lines(blob: Blob, dec: TextDecoder, ctx: ExtractContext): AsyncGenerator<string> {
  let carry = '';
  for (let off = 0; off < blob.size; off += SLICE) {
    ctx.checkTime();
    const buf = await readRange(blob, off, Math.min(blob.size, off + SLICE));
    const text = carry + dec.decode(buf, { stream: off + SLICE < blob.size });
    const parts = text.split('\n');
    carry = parts.pop()!;
    for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
  }
  if (carry) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/**
 * A string value as it reads on the sheet: `\U+XXXX` and `\M+nXXXX` characters, `%%` codes (`%%u`
 * underline, `%%d` degree…), and in MTEXT its formatting codes (`\P` a line break, `{\f…;…}` a font,
 * `\L…\l` underline, `\S1^2;` a stacked fraction).
 */
export function dxfText(s: string, mtext: boolean): string {
  if (!s.includes('\\') && !s.includes('%%') && !(mtext && /[{}]/.test(s))) return s;
  const re = mtext ? MTEXT_CODE : TEXT_CODE;
  return s.replace(re, (m, u?: string, page?: string, mb?: string, n?: string, pct?: string, stack?: string) => {
    if (u) return String.fromCodePoint(parseInt(u, 16));
    if (page && mb) return mbcs(page, mb);
    if (n) return String.fromCharCode(Number(n));
    if (pct) return PERCENT[pct.toLowerCase()] ?? '';
    if (typeof stack === 'string') return stack.replace(/[\^/#]/g, ' ');
    return MTEXT_CHARS[m] ?? '';
  });
}

const ESCAPES = String.raw`\\U\+([0-9A-Fa-f]{4})|\\M\+([1-5])([0-9A-Fa-f]{4})|%%(\d{3})|%%([uUoOkKdDpPcC%])`;
/** TEXT: characters and `%%` codes only; any other backslash is the character itself. */
const TEXT_CODE = new RegExp(ESCAPES, 'g');
/** MTEXT: also its formatting codes (those with an argument end at `;`) and its braces. */
const MTEXT_CODE = new RegExp(`${ESCAPES}|\\\\S([^;]*);|\\\\[fFHWQTACcp][^;]*;|\\\\[PXN~\\\\{}LlOoKk]|[{}]`, 'g');

const PERCENT: Record<string, string> = { d: '°', p: '±', c: '⌀', '%': '%' };
const MTEXT_CHARS: Record<string, string> = { '\\P': '\n', '\\X': '\n', '\\N': '\n', '\\~': '\u00A0', '\\\\': '\\', '\\{': '{', '\\}': '}' };

function mbcs(page: string, hex: string): string {
  const enc = MBCS[page];
  if (!enc) return '\uFFFD';
  const v = parseInt(hex, 16);
  return new TextDecoder(enc).decode(Uint8Array.of(v >> 8, v & 0xff));
}

/** The compound file (CFB) signature that Office objects start with, after AutoCAD's own header. */
const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function* embedded(objects: Uint8Array[]): Generator<Extracted> {
  for (const [i, bytes] of objects.entries()) {
    const at = indexOfBytes(bytes, CFB);
    if (at >= 0) yield { kind: 'member', name: embeddedObject(i + 1), data: new Blob([bytes.subarray(at) as Uint8Array<ArrayBuffer>]), where: { area: 'drawing' } };
    else yield { kind: 'unscannable', reason: 'unsupported', detail: 'an object embedded in the drawing (OLE) in a form that cannot be opened here', where: { area: 'drawing' } };
  }
}

function indexOfBytes(b: Uint8Array, sig: number[]): number {
  for (let i = b.indexOf(sig[0]); i >= 0 && i + sig.length <= b.length; i = b.indexOf(sig[0], i + 1)) {
    if (sig.every((v, k) => b[i + k] === v)) return i;
  }
  return -1;
}
