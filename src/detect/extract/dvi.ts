/**
 * TeX's DVI output (`latex`, `platex`, `uplatex`: what xdvi and dvipdfmx show), read page by page as a
 * viewer shows it. A DVI file is a program: each character is a code in the current font, and words
 * and lines are parted by moves, not spaces. So 「秘 Confidential」 is not in its bytes: pLaTeX writes 秘
 * as its JIS X 0208 code (48 6B), upLaTeX as its code point (79 D8), Computer Modern the fi of
 * 「Confidential」 as slot 0x0C; and 「秘」, a move, 「Con」 follow one another.
 *
 * Read here: characters by their font (pTeX's JIS fonts, upTeX's Unicode fonts named up…, the ligature
 * slots of TeX's OT1 and T1 text fonts, the rest as they are), a move along the line wider than a fifth
 * of the font's size as a space, a move down of a third of it as a new line. Widths are in the fonts'
 * metric files, which a DVI does not carry: a character is taken to move by its own width, as TeX set it.
 * Specials (`\special`: hyperref's PDF title and bookmarks for dvipdfmx, colours) are text of their own.
 * Layout: Knuth, "TeX: The Program" §583–590 (the DVI opcodes); pTeX adds `dir` (255, one byte).
 */
import { readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { ScanError, type Extractor } from './types.js';

/** `pre`, DVI id 2, and TeX's num and den (units of 2^-16 pt): how every DVI from TeX begins. */
export const DVI_START = [0xf7, 0x02, 0x01, 0x83, 0x92, 0xc0, 0x1c, 0x3b, 0x00, 0x00];

const SET1 = 128;
const SET_RULE = 132;
const PUT1 = 133;
const PUT_RULE = 137;
const NOP = 138;
const BOP = 139;
const EOP = 140;
const PUSH = 141;
const POP = 142;
const RIGHT1 = 143;
const W0 = 147;
const X0 = 152;
const DOWN1 = 157;
const Y0 = 161;
const Z0 = 166;
const FNT_NUM_0 = 171;
const FNT1 = 235;
const XXX1 = 239;
const FNT_DEF1 = 243;
const PRE = 247;
const POST = 248;
const PTEX_DIR = 255;

interface Font {
  size: number;
  decode: (code: number) => string;
}

const EUC_JP = new TextDecoder('euc-jp');
const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder();
/** TeX's OT1 (Computer Modern) and T1 (EC, Latin Modern) slots that are not their ASCII character. */
const OT1: Record<number, string> = { 0x0b: 'ff', 0x0c: 'fi', 0x0d: 'fl', 0x0e: 'ffi', 0x0f: 'ffl', 0x10: 'ı', 0x19: 'ß', 0x1a: 'æ', 0x1b: 'œ', 0x1c: 'ø', 0x1d: 'Æ', 0x1e: 'Œ', 0x1f: 'Ø', 0x7b: '–', 0x7c: '—' };
const T1: Record<number, string> = { 0x15: '–', 0x16: '—', 0x1b: 'ff', 0x1c: 'fi', 0x1d: 'fl', 0x1e: 'ffi', 0x1f: 'ffl' };

/** How a font's codes read, by its name: upTeX's (up…) are code points, pTeX's other wide codes JIS X 0208. */
function fontOf(name: string, size: number): Font {
  const t1 = /^(?:ec|tc|cm-super)|-t1$/i.test(name); // EC and TC (ecrm1000, ec-lmr10), cm-super, …-t1
  const unicode = /^up/i.test(name);
  const decode = (code: number): string => {
    if (code > 0xff) {
      if (unicode) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
      return code <= 0xffff ? EUC_JP.decode(new Uint8Array([(code >> 8) | 0x80, (code & 0xff) | 0x80])) : '';
    }
    const table = t1 ? T1 : OT1;
    return table[code] ?? (code >= 0x20 ? LATIN1.decode(new Uint8Array([code])) : '');
  };
  return { size: Math.max(size, 1), decode };
}

export const extractDvi: Extractor = async function* (blob, ctx) {
  const b = await readBytes(blob);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > b.length) throw new ScanError('corrupt', 'a DVI file that ends inside a command (damaged or truncated)');
  };
  const unsigned = (n: number): number => {
    need(n);
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + b[at++];
    return v;
  };
  const signed = (n: number): number => {
    const v = unsigned(n);
    return v >= 2 ** (8 * n - 1) ? v - 2 ** (8 * n) : v;
  };
  const fonts = new Map<number, Font>();
  let font: Font | null = null;
  let page = 0;
  let text: string[] = [];
  const specials: string[] = [];
  let ended = false;
  // Registers w, x, y, z are remembered moves; only their sizes matter here.
  let w = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  const stack: number[][] = [];
  const along = (v: number): void => {
    if (font && Math.abs(v) > 0.2 * font.size && text[text.length - 1] !== ' ') text.push(' ');
  };
  const down = (v: number): void => {
    if (Math.abs(v) > (font ? font.size / 3 : 0) && text[text.length - 1] !== '\n') text.push('\n');
  };
  for (let n = 0; at < b.length && !ended; n++) {
    if ((n & 0x3fff) === 0) ctx.checkTime();
    const op = b[at++];
    if (op < SET1) text.push(font ? font.decode(op) : '');
    else if (op < SET1 + 4 || (op >= PUT1 && op < PUT1 + 4)) {
      const code = unsigned((op < SET1 + 4 ? op - SET1 : op - PUT1) + 1);
      text.push(font ? font.decode(code) : '');
    } else if (op === SET_RULE || op === PUT_RULE) unsigned(8);
    else if (op === NOP || op === EOP) {
      if (op === EOP && text.length) {
        for (const chunk of chunkText(text.join(''))) yield { kind: 'text', text: chunk, where: { page } };
        text = [];
      }
    } else if (op === BOP) {
      unsigned(44);
      page++;
      [w, x, y, z] = [0, 0, 0, 0];
      stack.length = 0;
    } else if (op === PUSH) stack.push([w, x, y, z]);
    else if (op === POP) {
      const saved = stack.pop();
      if (!saved) throw new ScanError('corrupt', 'a DVI page that pops more than it pushed (damaged)');
      [w, x, y, z] = saved;
    } else if (op >= RIGHT1 && op < RIGHT1 + 4) along(signed(op - RIGHT1 + 1));
    else if (op === W0 || op === X0) along(op === W0 ? w : x);
    else if (op > W0 && op < W0 + 5) along((w = signed(op - W0)));
    else if (op > X0 && op < X0 + 5) along((x = signed(op - X0)));
    else if (op >= DOWN1 && op < DOWN1 + 4) down(signed(op - DOWN1 + 1));
    else if (op === Y0 || op === Z0) down(op === Y0 ? y : z);
    else if (op > Y0 && op < Y0 + 5) down((y = signed(op - Y0)));
    else if (op > Z0 && op < Z0 + 5) down((z = signed(op - Z0)));
    else if (op >= FNT_NUM_0 && op < FNT1) font = fonts.get(op - FNT_NUM_0) ?? null;
    else if (op >= FNT1 && op < FNT1 + 4) font = fonts.get(unsigned(op - FNT1 + 1)) ?? null;
    else if (op >= XXX1 && op < XXX1 + 4) {
      const k = unsigned(op - XXX1 + 1);
      need(k);
      specials.push(UTF8.decode(b.subarray(at, (at += k))));
    } else if (op >= FNT_DEF1 && op < FNT_DEF1 + 4) {
      const k = unsigned(op - FNT_DEF1 + 1);
      unsigned(4); // checksum
      const size = unsigned(4);
      unsigned(4); // design size
      const n = unsigned(1) + unsigned(1);
      need(n);
      const name = LATIN1.decode(b.subarray(at, (at += n)));
      if (!fonts.has(k)) fonts.set(k, fontOf(name.slice(name.lastIndexOf('/') + 1), size));
    } else if (op === PRE) {
      unsigned(13);
      const k = unsigned(1);
      need(k);
      at += k;
    } else if (op === POST) ended = true; // the postamble repeats the font definitions, nothing else to read
    else if (op === PTEX_DIR) unsigned(1);
    else throw new ScanError('corrupt', `a DVI file with an undefined command (${op}) at byte ${at - 1} (damaged)`);
  }
  if (!ended) throw new ScanError('corrupt', 'a DVI file that ends before its postamble (damaged or truncated)');
  if (specials.length) for (const chunk of chunkText(specials.join('\n'))) yield { kind: 'text', text: chunk, where: { area: 'properties' } };
};
