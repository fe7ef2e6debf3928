/**
 * RTF: a tokenizer (groups, control words with numeric parameters, control symbols, \bin data)
 * that keeps the text a reader sees: body, headers/footers, footnotes, comments, shape text, and
 * the \info fields and custom properties as document properties. Japanese comes as \uN (with \ucN
 * fallback characters skipped) or as \'hh bytes in the document or font code page
 * (\ansicpg932, \fcharset128 → Shift_JIS). Embedded OLE objects (\objdata) are handed back as
 * members: a compound file, a file embedded as an icon (class Package), or another class's native data.
 */
import { shownByInstruction, symbolShown } from './field-shown.js';
import { SEPARATOR, bothReadings } from './sheet-rows.js';
import { hiddenStyles, paragraphHides, styleDefs, textStyleSays, type HiddenStyles, type StyleEntry } from './hidden-styles.js';
import { chunkText } from '../text-chunks.js';
import { blobOf, hexBytes } from '../bytes.js';
import { codepageDecoder } from './ole2-props.js';
import { parseOle10Native } from './ole2.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import type { Where } from '../types.js';
import { shapePairs, type ShapeBox } from './shape-pairs.js';

/** Group nesting tracked at most; the text of deeper groups is not read (said: tooDeep). */
const MAX_DEPTH = 512;
/** Stylesheet entries read (Word's own documents define a few hundred): past it, later ones say nothing. */
const MAX_STYLES = 10_000;

const CHARSET_CP: Record<number, number> = {
  128: 932,
  129: 949,
  134: 936,
  136: 950,
  161: 1253,
  162: 1254,
  163: 1258,
  177: 1255,
  178: 1256,
  186: 1257,
  204: 1251,
  222: 874,
  238: 1250,
};

/** Destinations whose content is not text a reader sees. */
const SKIP = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'listtable', 'listoverridetable', 'pict', 'themedata', 'colorschememapping',
  'datastore', 'latentstyles', 'generator', 'rsidtbl', 'xmlnstbl', 'mmathPr', 'pgdsctbl', 'filetbl', 'revtbl',
  'fldinst', 'bkmkstart', 'bkmkend', 'atnid', 'atnauthor', 'atndate', 'nonshppict', 'objclass',
  'objname', 'oleclsid', 'result', 'wgrffmtfilter', 'pnseclvl', 'protusertbl', 'template', 'xe',
  'tc', 'blipuid', 'pntxta', 'pntxtb', 'bookmark', 'category-style', 'password', 'passwordhash',
]);
/** \info fields → property names. */
const INFO = new Set(['title', 'subject', 'author', 'keywords', 'doccomm', 'comment', 'operator', 'company', 'category', 'manager', 'hlinkbase']);
/**
 * Ignorable (\*) destinations that do hold readable text. An equation (`{\mmath{\*\moMath{\mr 秘 Confidential}}}`,
 * as Word and LibreOffice write a formula to RTF) is text Word and LibreOffice show; only a reader that does not know
 * math skips it and draws the picture beside it (`\mmathPict`, skipped here as any picture is).
 */
const KEEP_STARRED = new Set([
  'shpinst', 'shptxt', 'annotation', 'ud', 'userprops', 'propname', 'staticval', 'footnote', 'header', 'footer', 'fldrslt',
  'moMathPara', 'moMath',
]);
/**
 * Shape properties (`{\sp{\sn NAME}{\sv VALUE}}`) whose value is text a reader sees: the text of WordArt
 * and of Word's text watermarks, and of LibreOffice's custom shapes. Every other value is skipped.
 */
const SHAPE_TEXT = new Set(['gtextUNICODE', 'gtextRTF']);
/**
 * A shape's alternative text (Format › Alt Text, `wzDescription`), which Word and LibreOffice keep with
 * the shape or picture and a screen reader says, as a .docx's `descr`: read as text of its own.
 */
const ALT_TEXT = 'wzDescription';
/**
 * A picture's properties (`{\*\shppict{\pict{\*\picprop{\sp…}}}}`), what LibreOffice writes for an
 * inline picture: its alternative text's description (wzDescription) and title (wzName), which Word shows
 * in Alt Text, as a .docx's `descr` and `title`. The picture's data around them is not text.
 */
const PICTURE_ALT_TEXT = new Set([ALT_TEXT, 'wzName']);
/** The sink of a picture's properties: only the values of PICTURE_ALT_TEXT are text. */
const PICTURE_PROPS = '\0picprop';
/** The sink that collects a shape property's name. */
const SHAPE_NAME = '\0sn';
/** The sink that collects a field's instruction: only ruby (EQ) and MACROBUTTON show text of their own (field-shown.ts). */
const FIELD_INST = '\0fldinst';
/**
 * A legacy form field (`{\*\formfield …}` in a field's instruction). A drop-down (FORMDROPDOWN) has no
 * result: it shows the entry `\ffres` picks (else `\ffdefres`, else the first) from its `{\*\ffl …}` list.
 */
const FORM_FIELD = '\0formfield';
const FORM_ENTRY = '\0ffl';
/** More of an instruction than an EQ ruby field holds: the rest is not kept. */
const MAX_INSTRUCTION = 4096;

interface State {
  skip: boolean;
  uc: number;
  font: number;
  /** Where text of this group goes. */
  sink: string;
  /** In the font table: collecting \fN \fcharsetN. */
  fonttbl: boolean;
  objdata: boolean;
  /** Hidden text (\v, \v0): not on screen or paper; unset, its styles say. */
  hidden?: boolean;
  /** The character style (\cs N) and paragraph style (\s N; none: style 0) of the text, which may hide it. */
  cs?: number;
  ps?: number;
  /** In the stylesheet: its entries are read, not shown. */
  stylesheet?: boolean;
  /** A tracked deletion (\deleted): gone once the changes are accepted, and from Word's "No Markup". */
  deleted?: boolean;
  /** Inside a field's group (\field: its instruction, then its result), and how many deep. */
  field?: number;
  /** Inside a shape (\shp): its index in `shapes`. */
  shape?: number;
  /** Inside a shape group (\shpgrp): its number, for its shapes' frame of reference. */
  shapeGroup?: number;
}

/** A shape's box (\shpleft… in twips), its text, and the frame of reference its box is given in. */
export interface RtfShape extends ShapeBox {
  /** Where it stands: `body`, `header`, `footer`… (the sink its text goes to). */
  sink: string;
  /** What its box is measured from (\shpbx…, \shpby…, the paragraph, the shape group). */
  frame: string;
}
/** Shapes kept with their boxes (for the reading by position, shape-pairs.ts); past them, not. */
const MAX_SHAPES = 4000;
/** Characters of a shape's text kept for the reading by position. */
const MAX_SHAPE_TEXT = 4096;

export const extractRtf: Extractor = async function* (blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  let b: Uint8Array;
  try {
    b = new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    throw new ScanError('corrupt', `cannot read input: ${(e as Error)?.message ?? e}`);
  }
  const r = parseRtf(b, ctx.checkTime);
  const where = (sink: string): Where =>
    sink.startsWith('prop:') ? { part: sink.slice(5), area: 'properties' } : sink === 'body' ? {} : { area: sink };
  for (const [sink, text] of r.text) {
    if (!text.trim()) continue;
    for (const t of chunkText(text)) yield { kind: 'text', text: t, where: where(sink) };
  }
  for (const [i, obj] of r.objects.entries()) {
    ctx.addEntry();
    ctx.addExpanded(obj.data.length);
    yield { kind: 'member', name: obj.name || `object${i + 1}`, data: blobOf(obj.data), where: { area: 'embedded object' }, object: true };
  }
  // Shapes also by where they stand (shape-pairs.ts): a circle 「秘」 with a text box 「Confidential」 beside it.
  const frames = new Map<string, RtfShape[]>();
  for (const shape of r.shapes) {
    const key = `${shape.sink}|${shape.frame}`;
    frames.get(key)?.push(shape) ?? frames.set(key, [shape]);
  }
  for (const group of frames.values()) {
    const pairs = shapePairs(group, ctx.checkTime);
    for (const t of chunkText(pairs)) yield { kind: 'text', text: t, where: where(group[0].sink) };
  }
  if (r.damagedObjects > 0) {
    yield { kind: 'unscannable', reason: 'corrupt', detail: `${r.damagedObjects} embedded object(s) whose data is damaged (\\objdata): not read`, where: { area: 'embedded object' } };
  }
  if (r.truncated) yield { kind: 'unscannable', reason: 'corrupt', detail: 'RTF document ends before its groups close (truncated)' };
  else if (r.closedEarly) yield { kind: 'unscannable', reason: 'corrupt', detail: 'the RTF document closes before its end (damaged): RTF follows that readers do not show' };
  else if (r.zeroed) yield { kind: 'unscannable', reason: 'corrupt', detail: 'the RTF document holds NUL bytes (a block overwritten by zeros, damaged): what stood there is lost' };
  else if (r.tooDeep) yield { kind: 'unscannable', reason: 'corrupt', detail: `RTF groups nest more than ${MAX_DEPTH} deep; the text inside them was not read` };
};

export interface RtfResult {
  /** Text per sink: `body`, `header`, `footer`, `comments`, `prop:title`… in document order. */
  text: Map<string, string>;
  /** What \objdata objects carry, with the file's own name when it has one (see `oleObjectIn`). */
  objects: { name: string; data: Uint8Array }[];
  /** \objdata objects whose data does not hold together (damaged hex, sizes past the data): not read. */
  damagedObjects: number;
  /** The input ended inside a group (truncated): what followed could not be read. */
  truncated: boolean;
  /** Groups nested past MAX_DEPTH: their text was not read. */
  tooDeep: boolean;
  /** The document's own group closed before the end of the RTF (damage): readers show nothing after it. */
  closedEarly: boolean;
  /** NUL bytes inside the document (outside \bin data): a block overwritten by zeros. */
  zeroed: boolean;
  /** The drawing shapes with their boxes and text, for the reading by position (shape-pairs.ts). */
  shapes: RtfShape[];
}

export function parseRtf(b: Uint8Array, checkTime: () => void = () => {}): RtfResult {
  let i = 0;
  while (i < b.length && b[i] !== 0x7b) i++; // skip anything before the first {
  if (i >= b.length || b[i + 1] !== 0x5c) throw new ScanError('corrupt', 'not an RTF document');

  const out = new Map<string, string[]>();
  const objects: RtfResult['objects'] = [];
  let damagedObjects = 0;
  const fontCp = new Map<number, number>();
  let docCp = 1252;
  let pendingFont = -1;
  let st: State = { skip: false, uc: 1, font: -1, sink: 'body', fonttbl: false, objdata: false };
  const stack: State[] = [];
  let deep = 0; // groups beyond MAX_DEPTH
  let tooDeep = false; // some group was: its text was dropped
  let ucSkip = 0; // fallback characters still to drop after \uN
  let bytes: number[] = []; // pending \'hh bytes
  let hex: string[] = []; // \objdata hex digits
  let steps = 0;

  const shapes: RtfShape[] = [];
  /** Each shape's edges as written (\shpleft…; twips), its box made from them (shapeEdge). */
  const edges: { left?: number; top?: number; right?: number; bottom?: number }[] = [];
  let paragraphs = 0; // paragraphs ended so far: a shape placed from its paragraph is measured from it
  let shapeGroups = 0;
  let shapeProp = ''; // the name of the shape property being read (\sn), for its value (\sv)
  let instruction = ''; // the field instruction being read (\fldinst)
  // The drop-down form field being read: its entries, and the picked and default ones.
  let form = { entries: [] as string[], picked: null as number | null, fallback: null as number | null };
  let formShown = ''; // what the drop-down in the instruction being read shows
  // A SYMBOL field's character, shown where the field is when its result holds nothing (Word and
  // LibreOffice draw it from the instruction); `at`: the text emitted when its instruction ended.
  let symbol: { text: string; at: number; field: number } | null = null;
  let emitted = 0;
  // Text without hidden or deleted runs, per sink: 「秘」, a hidden or deleted 「書室」, 「 Confidential」
  // shows as the stamp.
  const shown = new Map<string, string[]>();
  let hiddenSeen = false;
  // The stylesheet's entries as they are read (one per group directly in it), then the styles that hide.
  const entries: StyleEntry[] = [];
  let entry: StyleEntry | null = null;
  let sheetDepth = -1;
  let styles: HiddenStyles | null = null;
  // Word's order: the text's own \v, else its character style, else its paragraph style (hidden-styles.ts).
  const hiddenNow = (): boolean => {
    if (st.hidden !== undefined || !styles) return st.hidden ?? false;
    return (st.cs !== undefined ? textStyleSays(styles, String(st.cs)) : null) ?? paragraphHides(styles, String(st.ps ?? 0));
  };
  const emit = (s: string) => {
    if (st.skip || deep > 0 || !s) return;
    if (st.sink === SHAPE_NAME) {
      if (shapeProp.length < 64) shapeProp += s;
      return;
    }
    if (st.sink === FIELD_INST) {
      if (instruction.length < MAX_INSTRUCTION) instruction += s;
      return;
    }
    if (st.sink === FORM_FIELD || st.sink === PICTURE_PROPS) return;
    if (st.sink === FORM_ENTRY) {
      const last = form.entries.length - 1;
      if (last >= 0 && form.entries[last].length < MAX_INSTRUCTION) form.entries[last] += s;
      return;
    }
    if (st.shape !== undefined) {
      const shape = shapes[st.shape];
      if (shape.text.length < MAX_SHAPE_TEXT) shape.text += s;
    }
    let a = out.get(st.sink);
    if (!a) out.set(st.sink, (a = []));
    a.push(s);
    emitted += s.length;
    // A shape's text (\shp: a floating text box or frame, as LibreOffice writes a frame anchored in a
    // line) stands apart from the line it is anchored in: 「秘」, a frame, 「 Confidential」 shows as the
    // stamp. The reading as shown leaves it out; the other reading and the shapes' own keep it.
    if (st.deleted || hiddenNow() || st.shape !== undefined) hiddenSeen = true;
    else {
      let v = shown.get(st.sink);
      if (!v) shown.set(st.sink, (v = []));
      v.push(s);
    }
  };
  const cpNow = () => {
    const fc = fontCp.get(st.font);
    return fc !== undefined && fc !== 0 ? fc : docCp;
  };
  const flush = () => {
    if (bytes.length) {
      emit(codepageDecoder(cpNow()).decode(Uint8Array.from(bytes)));
      bytes = [];
    }
  };
  const newDest = (name: string, starred: boolean) => {
    if (name === 'fonttbl') {
      st.fonttbl = true;
      st.skip = true;
      return;
    }
    if (name === 'stylesheet') {
      st.stylesheet = true;
      st.skip = true;
      sheetDepth = stack.length;
      return;
    }
    if (INFO.has(name) && stack.length > 0) {
      st.sink = 'prop:' + (name === 'doccomm' ? 'comments' : name);
      st.skip = false;
      emit(SEPARATOR); // the ANSI and Unicode (\upr / \ud) copies of a field stay apart
      return;
    }
    if (name === 'info' || name === 'userprops') return;
    // Each custom property is a field of its own, as a reader shows it (xml-text.ts propertiesText): the
    // values 「社外秘」 and 「Confidential」 of two are no stamp.
    if (name === 'propname') {
      st.sink = 'prop:custom property name';
      emit(SEPARATOR);
      return;
    }
    if (name === 'staticval') {
      st.sink = 'prop:custom property';
      emit(SEPARATOR);
      return;
    }
    if (name === 'objdata') {
      st.objdata = true;
      st.skip = true;
      hex = [];
      return;
    }
    if (name === 'fldinst' && !st.skip) {
      instruction = '';
      formShown = '';
      st.sink = FIELD_INST;
      return;
    }
    if (name === 'formfield' && st.sink === FIELD_INST) {
      form = { entries: [], picked: null, fallback: null };
      st.sink = FORM_FIELD;
      return;
    }
    if (name === 'ffl' && st.sink === FORM_FIELD) {
      if (form.entries.length < 256) form.entries.push('');
      st.sink = FORM_ENTRY;
      return;
    }
    if (name === 'sn') {
      shapeProp = '';
      st.sink = SHAPE_NAME;
      return;
    }
    if (name === 'picprop') {
      // Read even in the picture it describes, which is skipped (SKIP: pict).
      st.skip = false;
      st.sink = PICTURE_PROPS;
      return;
    }
    if (name === 'sv' && (st.sink === PICTURE_PROPS ? PICTURE_ALT_TEXT.has(shapeProp.trim()) : shapeProp.trim() === ALT_TEXT)) {
      // Not the shape's own text: it is not read beside the shapes around it. Each value is a field of
      // its own (a description 「Confidential」 under a title 「秘」 is no stamp).
      st.shape = undefined;
      st.sink = 'alternative text';
      emit(SEPARATOR);
      return;
    }
    if (name === 'sv') {
      st.skip = !SHAPE_TEXT.has(shapeProp.trim());
      st.sink = 'drawing';
      emit('\n'); // each shape's text on its own line
      return;
    }
    if (/^header[lrf]?$/.test(name)) st.sink = 'header';
    else if (/^footer[lrf]?$/.test(name)) st.sink = 'footer';
    else if (name === 'annotation') st.sink = 'comments';
    else if (SKIP.has(name) || (starred && !KEEP_STARRED.has(name))) st.skip = true;
  };

  let starNext = false;
  let groupStart = false; // the next control word is the first in its group (a destination)
  let closedEarly = false;
  let zeroed = false;
  while (i < b.length) {
    if ((++steps & 0xffff) === 0) checkTime();
    const c = b[i];
    if (c === 0x7b) {
      // {
      flush();
      ucSkip = 0;
      if (stack.length >= MAX_DEPTH) {
        deep++;
        tooDeep = true;
      } else {
        stack.push(st);
        st = { ...st };
        // An entry of the stylesheet (a paragraph style, style 0, unless it says otherwise).
        if (st.stylesheet && stack.length === sheetDepth + 1 && entries.length < MAX_STYLES)
          entries.push((entry = { family: 'paragraph', name: '0', hides: null, parent: null }));
      }
      groupStart = true;
      starNext = false;
      i++;
      continue;
    }
    if (c === 0x7d) {
      // }
      flush();
      ucSkip = 0;
      if (deep > 0) deep--;
      else if (stack.length) {
        if (st.objdata && !stack[stack.length - 1].objdata) {
          const obj = oleObjectIn(hex.join(''));
          if (obj === LINKED) {
            /* a link to a file elsewhere: nothing embedded (what it shows is its \result) */
          } else if (obj) {
            objects.push(obj);
            if ('damaged' in obj && obj.damaged) damagedObjects++; // read as it is, and said
          }
          // Fewer bytes than an OLE1 header (8) hold no object to read, let alone a stamp.
          else if (hex.length >= 16) damagedObjects++;
          hex = [];
        }
        const closed = st;
        st = stack.pop()!;
        if (closed.stylesheet && !st.stylesheet) {
          styles = hiddenStyles(styleDefs(entries));
          entry = null;
        }
        // The form field is whole: the drop-down's entry is what the field shows.
        if (closed.sink === FORM_FIELD && st.sink !== FORM_FIELD) {
          formShown = form.entries[form.picked ?? form.fallback ?? 0] ?? form.entries[0] ?? '';
        }
        // The instruction is whole: what it shows (ruby's base, a MACROBUTTON's text) is on the line, where the field is.
        if (closed.sink === FIELD_INST && st.sink !== FIELD_INST) {
          emit((shownByInstruction(instruction) ?? '') + formShown);
          formShown = '';
          const shownSymbol = symbolShown(instruction);
          symbol = shownSymbol ? { text: shownSymbol, at: emitted, field: st.field ?? 0 } : null;
        }
        // The field is whole: a SYMBOL whose result showed nothing shows its character.
        if (symbol && closed.field === symbol.field && (st.field ?? 0) < symbol.field) {
          if (emitted === symbol.at) emit(symbol.text);
          symbol = null;
        }
      } else if (hasContent(b, i + 1)) {
        // The document's group closed, and more RTF follows: damage closed it early (a block overwritten
        // in a list table leaves the braces unbalanced). Readers stop there; the rest is read on, as
        // though the brace were not there, and the file is not clean.
        closedEarly = true;
      } else break; // end of document
      groupStart = false;
      i++;
      continue;
    }
    if (c === 0x5c) {
      // backslash
      const n = b[i + 1];
      if (n === undefined) break;
      const letter = (n >= 0x61 && n <= 0x7a) || (n >= 0x41 && n <= 0x5a);
      if (!letter) {
        i += 2;
        if (n === 0x27) {
          // \'hh
          const h = parseInt(String.fromCharCode(b[i] ?? 0, b[i + 1] ?? 0), 16);
          i += 2;
          groupStart = false;
          if (Number.isNaN(h)) continue;
          if (ucSkip > 0) {
            ucSkip--;
            continue;
          }
          if (st.fonttbl || st.skip) continue;
          bytes.push(h);
          continue;
        }
        flush();
        if (n === 0x2a) {
          starNext = true;
          continue;
        }
        // \* stars the control word right after it: a symbol there (a letter of the word damaged) is none,
        // and the star must not fall on a later word (the document's own \deftab, which skipped the rest).
        starNext = false;
        groupStart = false;
        if (ucSkip > 0 && n !== 0x0d && n !== 0x0a) {
          ucSkip--;
          continue;
        }
        if (n === 0x5c || n === 0x7b || n === 0x7d) emit(String.fromCharCode(n));
        else if (n === 0x7e) emit('\u00a0');
        else if (n === 0x5f) emit('-');
        else if (n === 0x0d || n === 0x0a) emit('\n');
        else if (n === 0x09) emit('\t');
        continue;
      }
      // Control word.
      let j = i + 1;
      while (j < b.length && j - i <= 32 && ((b[j] >= 0x61 && b[j] <= 0x7a) || (b[j] >= 0x41 && b[j] <= 0x5a))) j++;
      const word = String.fromCharCode(...b.subarray(i + 1, j));
      let param: number | null = null;
      let k = j;
      if (b[k] === 0x2d || (b[k] >= 0x30 && b[k] <= 0x39)) {
        const s = k;
        if (b[k] === 0x2d) k++;
        while (k < b.length && k - s < 11 && b[k] >= 0x30 && b[k] <= 0x39) k++;
        param = parseInt(String.fromCharCode(...b.subarray(s, k)), 10);
        if (Number.isNaN(param)) param = null;
      }
      if (b[k] === 0x20) k++;
      i = k;
      const first = groupStart;
      groupStart = false;
      const starred = starNext;
      starNext = false;
      if (word !== 'u') flush();

      if (word === 'bin') {
        const n = Math.max(0, Math.min(param ?? 0, b.length - i));
        i += n;
        continue;
      }
      if (word === 'u' && param !== null) {
        if (ucSkip > 0) ucSkip = 0;
        flush();
        if (!st.fonttbl) emit(String.fromCharCode(param < 0 ? param + 65536 : param & 0xffff));
        ucSkip = st.uc;
        continue;
      }
      if (ucSkip > 0) ucSkip = 0;
      if (first || starred) newDest(word, starred);
      switch (word) {
        case 'shp':
          if (first && shapes.length < MAX_SHAPES) {
            st.shape = shapes.length;
            const inGroup = st.shapeGroup !== undefined ? `group ${st.shapeGroup}` : '';
            shapes.push({ x: NaN, y: NaN, w: NaN, h: NaN, text: '', sink: st.sink, frame: inGroup });
            edges.push({});
          }
          break;
        case 'shpgrp':
          if (first) st.shapeGroup = ++shapeGroups;
          break;
        case 'shpleft':
        case 'shptop':
        case 'shpright':
        case 'shpbottom':
          if (st.shape !== undefined) shapeEdge(shapes[st.shape], edges[st.shape], word.slice(3) as 'left', param);
          break;
        case 'shpbxpage':
        case 'shpbxmargin':
        case 'shpbxcolumn':
        case 'shpbxignore':
        case 'shpbypage':
        case 'shpbymargin':
        case 'shpbypara':
        case 'shpbyignore':
          if (st.shape !== undefined) shapes[st.shape].frame += ` ${word}${word === 'shpbypara' ? paragraphs : ''}`;
          break;
        case 'field':
          if (first) st.field = (st.field ?? 0) + 1;
          break;
        case 'ffres':
          if (st.sink === FORM_FIELD && param !== null) form.picked = param;
          break;
        case 'ffdefres':
          if (st.sink === FORM_FIELD && param !== null) form.fallback = param;
          break;
        case 'ansicpg':
          if (param !== null && param > 0) docCp = param;
          break;
        case 'uc':
          if (param !== null && param >= 0 && param < 16) st.uc = param;
          break;
        case 'v':
          if (st.stylesheet) {
            if (entry) entry.hides = param !== 0;
          } else st.hidden = param !== 0;
          break;
        case 's':
        case 'cs':
        case 'ds':
        case 'ts':
          if (!st.stylesheet) {
            if (word === 's') st.ps = param ?? 0;
            else if (word === 'cs') st.cs = param ?? 0;
          } else if (entry) {
            // Section and table styles hide no text: kept apart under a family of their own name.
            entry.family = word === 'cs' ? 'text' : 'paragraph';
            entry.name = word === 's' || word === 'cs' ? String(param ?? 0) : `${word}${param ?? 0}`;
          }
          break;
        case 'sbasedon':
          if (st.stylesheet && entry) entry.parent = String(param ?? 0);
          break;
        case 'pard':
          st.ps = undefined;
          break;
        case 'deleted':
          st.deleted = param !== 0;
          break;
        case 'plain':
          // Character formatting back to the default: neither \v nor a character style says anything.
          st.hidden = undefined;
          st.cs = undefined;
          st.deleted = false;
          break;
        case 'f':
          if (st.fonttbl) pendingFont = param ?? -1;
          else st.font = param ?? -1;
          break;
        case 'fcharset':
          if (st.fonttbl && pendingFont >= 0 && param !== null) fontCp.set(pendingFont, CHARSET_CP[param] ?? 0);
          break;
        case 'cpg':
          if (st.fonttbl && pendingFont >= 0 && param !== null && param > 0) fontCp.set(pendingFont, param);
          break;
        case 'par':
          if (st.sink === 'body' || st.sink === 'header' || st.sink === 'footer') paragraphs++;
          emit('\n');
          break;
        case 'line':
        case 'sect':
        case 'page':
        case 'row':
        case 'lbr':
          emit('\n');
          break;
        case 'tab':
        case 'cell':
        case 'nestcell':
          emit('\t');
          break;
        case 'emdash':
          emit('—');
          break;
        case 'endash':
          emit('–');
          break;
        case 'emspace':
        case 'enspace':
        case 'qmspace':
          emit(' ');
          break;
        case 'bullet':
          emit('•');
          break;
        case 'lquote':
        case 'rquote':
          emit("'");
          break;
        case 'ldblquote':
        case 'rdblquote':
          emit('"');
          break;
      }
      continue;
    }
    // Plain byte.
    i++;
    groupStart = false;
    if (c === 0x0d || c === 0x0a) continue;
    // RTF is 7-bit text; \bin data is skipped above. A NUL inside the document is a block overwritten by
    // zeros (a disk or transfer error): what stood there, braces and text, is lost.
    if (c === 0 && stack.length > 0) zeroed = true;
    if (st.objdata) {
      if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) {
        if (hex.length < 64 << 20) hex.push(String.fromCharCode(c));
      }
      continue;
    }
    if (ucSkip > 0) {
      ucSkip--;
      continue;
    }
    if (st.skip || st.fonttbl) continue;
    if (c >= 0x80) {
      bytes.push(c);
      continue;
    }
    flush();
    // A run of plain ASCII text.
    let e = i;
    while (e < b.length && e - i < 4096) {
      const d = b[e];
      if (d === 0x5c || d === 0x7b || d === 0x7d || d === 0x0d || d === 0x0a || d >= 0x80 || d === 0) break;
      e++;
    }
    emit(String.fromCharCode(c, ...b.subarray(i, e)));
    i = e;
  }
  flush();
  const text = new Map<string, string>();
  for (const [k, v] of out) {
    const all = v.join('');
    text.set(k, hiddenSeen ? bothReadings(all, (shown.get(k) ?? []).join('')) : all);
  }
  return { text, objects, damagedObjects, truncated: stack.length > 0 || deep > 0, tooDeep, closedEarly, zeroed, shapes };
}

/** Anything but blanks and NULs (which writers and mail gateways leave after the last brace) from `i` on. */
function hasContent(b: Uint8Array, i: number): boolean {
  for (; i < b.length; i++) if (b[i] > 0x20) return true;
  return false;
}

/**
 * What an \objdata OLE1 object carries ([MS-OLEDS] 2.2.4 EmbeddedObject: version, format 2, class,
 * topic and item names, native data size, native data): a file embedded as an icon (class Package:
 * its own name and bytes), another class's native data (a compound file, or Acrobat's PDF) named
 * after nothing; failing that, a compound file found by its signature. Null when none.
 */
function oleObjectIn(hexDigits: string): { name: string; data: Uint8Array; damaged?: true } | typeof LINKED | null {
  const bytes = hexBytes(hexDigits);
  // A linked object ([MS-OLEDS] 2.2.5 LinkedObject, FormatID 1) carries a path to a file elsewhere, no content.
  if (bytes.length >= 8 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true) === 1) return LINKED;
  const native = ole1Native(bytes);
  if (native) return native.className === 'Package' ? parseOle10Native(native.data, false) : { name: '', data: native.data };
  const cfb = compoundFileIn(bytes);
  return cfb && { name: '', data: cfb };
}

const LINKED = 'linked';

/** An embedded OLE1 object's class and native data, or null when the header does not hold together. */
function ole1Native(b: Uint8Array): { className: string; data: Uint8Array } | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 8;
  if (b.length < 12 || dv.getUint32(4, true) !== 2) return null;
  const names: string[] = [];
  for (let k = 0; k < 3; k++) {
    if (o + 4 > b.length) return null;
    const len = dv.getUint32(o, true);
    if (len > 4096 || o + 4 + len > b.length) return null;
    names.push(String.fromCharCode(...b.subarray(o + 4, o + 4 + len)).replace(/\0+$/, ''));
    o += 4 + len;
  }
  if (o + 4 > b.length) return null;
  const size = dv.getUint32(o, true);
  if (size > b.length - o - 4) return null;
  return { className: names[0], data: b.subarray(o + 4, o + 4 + size) };
}

/** The compound file inside an \objdata OLE1 object (from its signature on), if any. */
function compoundFileIn(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < 512) return null;
  const sig = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  for (let i = bytes.indexOf(0xd0); i !== -1; i = bytes.indexOf(0xd0, i + 1)) {
    let ok = true;
    for (let k = 1; k < 8; k++) if (bytes[i + k] !== sig[k]) ok = false;
    if (ok) return bytes.subarray(i);
  }
  return null;
}

/**
 * One edge of a shape's box (`\shpleft7654`), and the box made from its edges as LibreOffice makes it: an
 * edge that is missing or lost its number (a byte damaged: `\s\x97pleft7654`, `\shpright:333`) is 0, and
 * the box spans from the lesser edge to the greater. The shape is still drawn (wider), beside the others.
 */
function shapeEdge(shape: ShapeBox, e: { left?: number; top?: number; right?: number; bottom?: number }, edge: 'left' | 'top' | 'right' | 'bottom', param: number | null): void {
  e[edge] = param ?? 0;
  const [l, r, t, b] = [e.left ?? 0, e.right ?? 0, e.top ?? 0, e.bottom ?? 0];
  shape.x = Math.min(l, r);
  shape.w = Math.abs(r - l);
  shape.y = Math.min(t, b);
  shape.h = Math.abs(b - t);
}
