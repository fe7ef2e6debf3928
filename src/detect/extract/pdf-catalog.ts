/**
 * What a PDF shows besides its pages: the outline (bookmarks panel), embedded files (attachments
 * panel: the /EmbeddedFiles name tree and /FileAttachment annotations) and form fields (values,
 * tooltips, button captions, choice options; an XFA form's XML). Every walk is bounded and safe against cycles.
 */
import { startsWith } from '../bytes.js';
import { Dict, Parser, Ref, Stream, type Obj, type PdfDoc } from './pdf-parse.js';
import { decodeMarkup } from './text.js';
import { xmlToText } from './xml-text.js';

/**
 * More items than any real document has; a damaged or hostile tree stops here, said: the caller
 * reports the part (bookmarks, form, attachments) unread, never read whole.
 */
const MAX_ITEMS = 100_000;
const tooMany = (): never => {
  throw new Error(`more than ${MAX_ITEMS.toLocaleString('en')} items`);
};

const PDFDOC_HIGH =
  '\u2022\u2020\u2021\u2026\u2014\u2013\u0192\u2044\u2039\u203a\u2212\u2030\u201e\u201c\u201d\u2018\u2019\u201a\u2122\ufb01\ufb02\u0141\u0152\u0160\u0178\u017d\u0131\u0142\u0153\u0161\u017e\ufffd\u20ac';
const PDFDOC_LOW = '\u02d8\u02c7\u02c6\u02d9\u02dd\u02db\u02da\u02dc';

/** Decodes a PDF text string: UTF-16BE/LE with BOM, UTF-8 with BOM, else PDFDocEncoding. */
export function decodeTextString(b: Uint8Array): string {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return new TextDecoder('utf-8').decode(b.subarray(3));
  let s = '';
  let high = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c >= 0x80 && c <= 0xa0) s += PDFDOC_HIGH[c - 0x80];
    else if (c >= 0x18 && c <= 0x1f) s += PDFDOC_LOW[c - 0x18];
    else s += String.fromCharCode(c);
    if (c >= 0x80) high = true;
  }
  if (high) {
    // Japanese producers sometimes write UTF-8 or Shift_JIS without a BOM: add those readings. UTF-8 with a
    // damaged byte (a disk or transfer error) is neither: its UTF-8 reading is added all the same, as the text
    // around the damage is still there (an XHTML rich value, which readers parse as UTF-8 XML).
    const reading = ['utf-8', 'shift_jis'].find((label) => {
      try {
        s += '\n' + new TextDecoder(label, { fatal: true }).decode(b);
        return true;
      } catch {
        return false;
      }
    });
    if (!reading) s += '\n' + new TextDecoder('utf-8').decode(b);
  }
  return s;
}

/** The text of a string object, or '' for anything else. */
function text(doc: PdfDoc, o: Obj | undefined): string {
  const v = doc.resolve(o);
  return v instanceof Uint8Array && v.length ? decodeTextString(v) : '';
}

/**
 * Visits the dictionaries reachable from `start` through `next(d)` once each (by object number
 * and by identity), at most MAX_ITEMS of them; `checkTime` is called as it goes.
 */
function* walk(doc: PdfDoc, start: Obj[], next: (d: Dict) => Obj[], checkTime: () => void): Generator<Dict> {
  const seenRefs = new Set<number>();
  const seen = new Set<Dict>();
  const stack = [...start].reverse();
  while (stack.length) {
    if (seen.size >= MAX_ITEMS) tooMany();
    if ((seen.size & 1023) === 1023) checkTime();
    const o = stack.pop()!;
    if (o instanceof Ref) {
      if (seenRefs.has(o.num)) continue;
      seenRefs.add(o.num);
    }
    const d = doc.dict(o);
    if (!d || seen.has(d)) continue;
    seen.add(d);
    yield d;
    stack.push(...next(d).reverse());
  }
}

const catalog = (doc: PdfDoc): Dict | null => doc.dict(doc.trailer.get('Root'));
const present = (o: Obj | undefined): Obj[] => (o === undefined || o === null ? [] : [o]);

/** Bookmark titles, in reading order, one per line. */
export function outlineText(doc: PdfDoc, checkTime: () => void): string {
  const outlines = doc.dict(catalog(doc)?.get('Outlines'));
  if (!outlines) return '';
  const titles: string[] = [];
  // Children before the next sibling: the order of the bookmarks panel.
  for (const item of walk(doc, present(outlines.get('First')), (d) => [...present(d.get('First')), ...present(d.get('Next'))], checkTime)) {
    const t = text(doc, item.get('Title'));
    if (t) titles.push(t);
  }
  return titles.join('\n');
}

/**
 * Page label prefixes (/PageLabels, a number tree: /P of each range), which the viewer shows in its page
 * number box and under thumbnails (「秘 Confidential-1」), one per line.
 */
export function pageLabelText(doc: PdfDoc, checkTime: () => void): string {
  const root = doc.dict(catalog(doc)?.get('PageLabels'));
  if (!root) return '';
  const kids = (d: Dict) => {
    const k = doc.resolve(d.get('Kids'));
    return Array.isArray(k) ? k : [];
  };
  const prefixes: string[] = [];
  for (const node of walk(doc, [root], kids, checkTime)) {
    const nums = doc.resolve(node.get('Nums'));
    if (!Array.isArray(nums)) continue;
    if (nums.length > 2 * MAX_ITEMS) tooMany();
    for (let i = 1; i < nums.length; i += 2) prefixes.push(text(doc, doc.dict(nums[i])?.get('P')));
  }
  return prefixes.filter(Boolean).join('\n');
}

/**
 * Messages a document's JavaScript shows when it opens: the strings given to `app.alert(…)` (Acrobat's
 * dialog) by the catalog's /OpenAction, its /AA actions, the /Names /JavaScript scripts and the pages'
 * open actions (/AA /O), with their /Next chains. The rest of a script is code, not text anyone sees.
 */
export function scriptMessages(doc: PdfDoc, pages: Dict[], checkTime: () => void): string {
  const root = catalog(doc);
  if (!root) return '';
  const starts: Obj[] = [...present(root.get('OpenAction'))];
  const aa = doc.dict(root.get('AA'));
  if (aa) starts.push(...aa.values());
  for (const [, action] of nameTree(doc, doc.dict(doc.dict(root.get('Names'))?.get('JavaScript')), checkTime)) starts.push(action);
  for (const page of pages.slice(0, MAX_ITEMS)) {
    const o = doc.dict(page.get('AA'))?.get('O');
    if (o !== undefined) starts.push(o);
  }
  const next = (d: Dict): Obj[] => {
    const n = doc.resolve(d.get('Next'));
    return Array.isArray(n) ? n : present(n);
  };
  const messages: string[] = [];
  for (const action of walk(doc, starts, next, checkTime)) {
    if (doc.resolve(action.get('S')) !== 'JavaScript') continue;
    const js = doc.resolve(action.get('JS'));
    let code = '';
    if (js instanceof Uint8Array) code = decodeTextString(js);
    else if (js instanceof Stream && js.raw.length <= SCRIPT_CAP) code = textStream(doc, js, (data) => decodeTextString(data.subarray(0, SCRIPT_CAP)));
    for (const m of code.matchAll(ALERT)) messages.push(unescapeJs(m[1].slice(1, -1)));
  }
  return messages.filter(Boolean).join('\n');
}

const SCRIPT_CAP = 1 << 20;
/** `app.alert("…")`, `app.alert('…')` or `app.alert({cMsg: "…"})`: the string literal (bounded, one line). */
const ALERT = /app\.alert\s*\(\s*(?:\{\s*cMsg\s*:\s*)?("(?:[^"\\\n]|\\.){0,4096}"|'(?:[^'\\\n]|\\.){0,4096}')/g;

/** A JavaScript string literal's escapes (\uXXXX, \u{…}, \xXX, \n, \t, a quoted character) decoded. */
function unescapeJs(s: string): string {
  return s.replace(/\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(Math.min(0x10ffff, parseInt(e[1] === '{' ? e.slice(2, -1) : e.slice(1), 16)));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e === 'n' || e === 'r' ? '\n' : e === 't' ? '\t' : e;
  });
}

/**
 * A tagged PDF's alternative text (/Alt: what a screen reader says for a figure, LibreOffice's and Word's
 * alt text of pictures and shapes), replacement text (/ActualText) and expansions (/E), one per line.
 * A structure tree has an element per paragraph and span, and parsing each would take as long as
 * reading the pages: the keys are found in the file's bytes and in its decoded object streams instead,
 * and only their strings are read. An encrypted file's strings are encrypted one by one: its tree is
 * walked, element by element.
 */
export function structureText(doc: PdfDoc, checkTime: () => void): string {
  if (!catalog(doc)?.has('StructTreeRoot')) return '';
  if (doc.decryptor) return structureWalk(doc, checkTime);
  const parts: string[] = [];
  for (const buf of [doc.buf, ...doc.objectStreams()]) {
    checkTime();
    for (let at = buf.indexOf(0x2f); at >= 0; at = buf.indexOf(0x2f, at + 1)) {
      const key = buf[at + 1] === 0x41 ? (startsWith(buf, ALT, at) ? ALT.length : startsWith(buf, ACTUAL_TEXT, at) ? ACTUAL_TEXT.length : 0) : buf[at + 1] === 0x45 ? 2 : 0;
      if (!key) continue;
      if (parts.length >= MAX_ITEMS) tooMany();
      const p = new Parser(buf, at + key);
      p.skipWs();
      // A key that only begins with these letters (/Alternate, /Encode…) goes on with more of them;
      // `<<` opens a dictionary, not a string. A string may be an object of its own (`/Alt 82 0 R`).
      const c = buf[p.pos];
      const ref = c >= 0x30 && c <= 0x39;
      if ((c !== 0x28 && c !== 0x3c && !ref) || buf[p.pos + 1] === 0x3c) continue;
      let v: Obj;
      try {
        v = p.parse();
        if (ref) v = v instanceof Ref ? doc.resolve(v) : null;
      } catch {
        continue; // such bytes inside a stream's data (a font, an image) are not a key
      }
      if (v instanceof Uint8Array && v.length) parts.push(decodeTextString(v));
    }
  }
  return parts.join('\n');
}

const codes = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const ALT = codes('/Alt');
const ACTUAL_TEXT = codes('/ActualText');

/** The same through the structure tree, element by element, in its order. */
function structureWalk(doc: PdfDoc, checkTime: () => void): string {
  const root = doc.dict(catalog(doc)?.get('StructTreeRoot'));
  if (!root) return '';
  const kids = (d: Dict): Obj[] => {
    const k = doc.resolve(d.get('K'));
    return Array.isArray(k) ? k : present(k);
  };
  const parts: string[] = [];
  for (const e of walk(doc, kids(root), kids, checkTime)) for (const key of ['Alt', 'ActualText', 'E']) parts.push(text(doc, e.get(key)));
  return parts.filter(Boolean).join('\n');
}

/** Field values, tooltips (/TU), button captions (/MK /CA) and choice options of the AcroForm. */
export function formText(doc: PdfDoc, checkTime: () => void): string {
  const form = doc.dict(catalog(doc)?.get('AcroForm'));
  const fields = form ? doc.resolve(form.get('Fields')) : null;
  if (!Array.isArray(fields)) return '';
  const parts: string[] = [];
  const kids = (d: Dict) => {
    const k = doc.resolve(d.get('Kids'));
    return Array.isArray(k) ? k : [];
  };
  for (const f of walk(doc, fields, kids, checkTime)) {
    const values = fieldValues(doc, f);
    parts.push(...values, richValue(doc, f));
    parts.push(...(isCombo(doc, f) ? chosenOptions(doc, f.get('Opt'), values) : strings(doc, f.get('Opt'))));
    parts.push(text(doc, f.get('TU')), ...captions(doc, f));
  }
  return parts.filter(Boolean).join('\n');
}

/**
 * A field's value (/V): a text string, an array of them (a multiple choice), or a text stream, which the
 * spec allows for long text (mutool draws it). A stream that cannot be decoded throws: the form was not read.
 */
export function fieldValues(doc: PdfDoc, f: Dict): string[] {
  const v = doc.resolve(f.get('V'));
  return v instanceof Stream ? [textStream(doc, v, decodeTextString)] : strings(doc, v);
}

/** A rich-text field's value (/RV: XHTML, a string or a stream), which Acrobat shows in place of /V. */
export function richValue(doc: PdfDoc, f: Dict): string {
  const v = doc.resolve(f.get('RV'));
  const xhtml = v instanceof Stream ? textStream(doc, v, decodeTextString) : v instanceof Uint8Array ? decodeTextString(v) : '';
  return xhtml ? xmlToText(xhtml) : '';
}

/** A widget's captions (/MK): normal (/CA), rollover (/RC) and down (/AC), as a push button shows them. */
export function captions(doc: PdfDoc, d: Dict): string[] {
  const mk = doc.dict(d.get('MK'));
  return mk ? ['CA', 'RC', 'AC'].map((k) => text(doc, mk.get(k))) : [];
}

function textStream(doc: PdfDoc, s: Stream, read: (b: Uint8Array) => string): string {
  const info = { partial: false };
  const data = doc.decodeStream(s, true, info);
  if (!data || info.partial) throw new Error('a text stream could not be decoded');
  return read(data);
}

/** Ff bit 18: a choice field that is a combo box (a drop-down), not a list box. */
const FF_COMBO = 1 << 17;

/** Whether a choice field is a combo box: its /Ff, or its nearest parent's (the flags are inherited). */
function isCombo(doc: PdfDoc, f: Dict): boolean {
  let d: Dict | null = f;
  for (let i = 0; d && i < 32; i++, d = doc.dict(d.get('Parent'))) {
    const ff = doc.resolve(d.get('Ff'));
    if (typeof ff === 'number') return (ff & FF_COMBO) !== 0;
  }
  return false;
}

/**
 * What a combo box shows of its options: only the one chosen (its display string, when /Opt pairs an
 * export value equal to /V with one). The others show only when a user opens the list, so a template
 * offering 「秘 Confidential」 among its choices, with 公開 chosen, does not carry it. (A list box shows
 * its options on the page: all are read. The tooltip /TU, shown on hover, is read too.)
 */
function chosenOptions(doc: PdfDoc, opt: Obj | undefined, values: string[]): string[] {
  const v = doc.resolve(opt);
  if (!Array.isArray(v) || values.length === 0) return [];
  if (v.length > MAX_ITEMS) tooMany();
  const shown: string[] = [];
  for (const x of v) {
    const y = doc.resolve(x);
    if (Array.isArray(y) && y.length >= 2 && values.includes(text(doc, y[0]))) shown.push(text(doc, y[1]));
  }
  return shown;
}

/**
 * An XFA form's XML (/AcroForm /XFA: one stream, or packet names and streams in turn): its template's
 * captions and its datasets' values, which Acrobat shows in place of the pages (a dynamic form's pages
 * hold only a "please wait" text). Null when a packet cannot be decoded.
 */
export function xfaText(doc: PdfDoc): string | null {
  const xfa = doc.resolve(doc.dict(catalog(doc)?.get('AcroForm'))?.get('XFA'));
  const packets = Array.isArray(xfa) ? xfa.filter((_, i) => i % 2 === 1) : xfa === undefined || xfa === null ? [] : [xfa];
  if (packets.length > MAX_ITEMS) tooMany();
  const parts: string[] = [];
  for (const p of packets) {
    const s = doc.resolve(p);
    if (!(s instanceof Stream)) return null;
    const data = doc.decodeStream(s, true);
    if (!data) return null;
    parts.push(xmlToText(decodeMarkup(data)));
  }
  return parts.join('\n');
}

/** A text string, or every text string of an array (one level of nesting: /Opt pairs). */
function strings(doc: PdfDoc, o: Obj | undefined): string[] {
  const v = doc.resolve(o);
  if (v instanceof Uint8Array) return [decodeTextString(v)];
  if (!Array.isArray(v)) return [];
  if (v.length > MAX_ITEMS) tooMany();
  return v.flatMap((x) => {
    const y = doc.resolve(x);
    if (Array.isArray(y)) return y.map((z) => text(doc, z));
    return [text(doc, y)];
  });
}

export interface EmbeddedFile {
  /** The attachment's file name (/UF, else /F, /Unix, /Mac, /DOS), or its key in the name tree. */
  name: string;
  /** Its other names (/F beside /UF, the platform names, the name tree's key), when they differ: viewers differ in which they show. */
  otherNames: string[];
  /** Its description (/Desc), shown in the attachments panel. */
  description: string;
  /**
   * The embedded streams: each distinct one of /EF (/UF, /F and the platform keys may hold different
   * data: poppler saves /F's, others /UF's), then related files (/RF) by their names. Empty when the file
   * spec embeds nothing readable.
   */
  streams: { name: string; stream: Stream }[];
  /** 1-based page of a /FileAttachment annotation. */
  page?: number;
}

/** A file specification's name keys, in the order viewers prefer them (/DOS, /Mac, /Unix: PDF 1.7, 7.11.3). */
const NAME_KEYS = ['UF', 'F', 'Unix', 'Mac', 'DOS'];

/**
 * Files embedded in the document: the /EmbeddedFiles name tree, associated files (/AF on the catalog,
 * its pages and their annotations: PDF 2.0, PDF/A-3), then /FileAttachment annotations.
 */
export function* embeddedFiles(doc: PdfDoc, pages: Dict[], checkTime: () => void): Generator<EmbeddedFile> {
  const seen = new Set<Dict>();
  const names = doc.dict(doc.dict(catalog(doc)?.get('Names'))?.get('EmbeddedFiles'));
  for (const [key, spec] of nameTree(doc, names, checkTime)) {
    const file = fileSpec(doc, spec, key, seen);
    if (file) yield file;
  }
  yield* associatedFiles(doc, catalog(doc), seen);
  for (let i = 0; i < pages.length; i++) {
    yield* withPage(associatedFiles(doc, pages[i], seen), i + 1);
    const annots = doc.resolve(pages[i].get('Annots'));
    if (!Array.isArray(annots)) continue;
    if (annots.length > MAX_ITEMS) tooMany();
    for (const a of annots) {
      const d = doc.dict(a);
      if (!d) continue;
      yield* withPage(associatedFiles(doc, d, seen), i + 1);
      if (d.get('Subtype') !== 'FileAttachment') continue;
      const file = fileSpec(doc, d.get('FS'), '', seen);
      if (file) yield { ...file, page: i + 1 };
    }
  }
}

function* withPage(files: Iterable<EmbeddedFile>, page: number): Generator<EmbeddedFile> {
  for (const f of files) yield { ...f, page };
}

/** The file specifications of a dictionary's /AF array (associated files). */
function* associatedFiles(doc: PdfDoc, d: Dict | null, seen: Set<Dict>): Generator<EmbeddedFile> {
  const af = d ? doc.resolve(d.get('AF')) : null;
  const list = Array.isArray(af) ? af : af instanceof Dict ? [af] : [];
  if (list.length > MAX_ITEMS) tooMany();
  for (const spec of list) {
    const file = fileSpec(doc, spec, '', seen);
    if (file) yield file;
  }
}

/** The [key, value] pairs of a name tree (/Names arrays in the nodes reached through /Kids). */
function* nameTree(doc: PdfDoc, root: Dict | null, checkTime: () => void): Generator<[string, Obj]> {
  if (!root) return;
  const kids = (d: Dict) => {
    const k = doc.resolve(d.get('Kids'));
    return Array.isArray(k) ? k : [];
  };
  for (const node of walk(doc, [root], kids, checkTime)) {
    const arr = doc.resolve(node.get('Names'));
    if (!Array.isArray(arr)) continue;
    if (arr.length > 2 * MAX_ITEMS) tooMany();
    for (let i = 0; i + 1 < arr.length; i += 2) yield [text(doc, arr[i]), arr[i + 1]];
  }
}

function fileSpec(doc: PdfDoc, o: Obj | undefined, key: string, seen: Set<Dict>): EmbeddedFile | null {
  const spec = doc.dict(o);
  if (!spec || seen.has(spec)) return null;
  seen.add(spec);
  const ef = doc.dict(spec.get('EF'));
  if (!ef) return null; // a reference to a file outside the PDF: nothing embedded
  const names = [...NAME_KEYS.map((k) => text(doc, spec.get(k))), key].filter(Boolean);
  const name = names[0] || 'attachment';
  const streams: { name: string; stream: Stream }[] = [];
  const add = (n: string, x: Obj | undefined) => {
    const st = doc.resolve(x);
    if (st instanceof Stream && !streams.some((e) => e.stream === st)) streams.push({ name: n, stream: st });
  };
  for (const k of NAME_KEYS) add(name, ef.get(k));
  // Related files (/RF): for each /EF key, an array of name, stream, name, stream… (a Mac file's resource fork).
  const rf = doc.dict(spec.get('RF'));
  for (const k of rf ? NAME_KEYS : []) {
    const pairs = doc.resolve(rf?.get(k));
    if (!Array.isArray(pairs)) continue;
    if (pairs.length > 2 * MAX_ITEMS) tooMany();
    for (let i = 0; i + 1 < pairs.length; i += 2) add(text(doc, pairs[i]) || name, pairs[i + 1]);
  }
  // A portfolio shows the file spec's collection item (/CI) values as columns beside its name.
  const ci = doc.dict(spec.get('CI'));
  const columns = ci ? [...ci.values()].flatMap((v) => strings(doc, v)).slice(0, 64) : [];
  const description = [text(doc, spec.get('Desc')), ...columns].filter(Boolean).join('\n');
  return { name, otherNames: [...new Set(names)].filter((n) => n !== name), description, streams };
}
