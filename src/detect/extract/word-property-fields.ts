/**
 * Word fields that print a document property (TITLE, SUBJECT, AUTHOR, KEYWORDS, COMMENTS, LASTSAVEDBY,
 * DOCPROPERTY "name") written with no result: the docx package's `new SimpleField('TITLE')` is
 * `<w:fldSimple w:instr="TITLE"/>`, and a complex field may end with no `separate` and no result. Word
 * fills such a field in when it updates fields (docx's `updateFields` asks it to on opening), and
 * LibreOffice shows the property's value as it opens the file: 「秘」 as the title, then
 * { TITLE } + 「 Confidential」 in the body, shows 「秘 Confidential」. A field that has a result shows it
 * until Word updates fields (F9, or on printing when set to), while LibreOffice computes TITLE and REF
 * again on opening: a result that is not the value is read both ways, apart (ooxml.ts). Values come
 * from docProps/core.xml, app.xml and custom.xml.
 * A REF field with no result likewise shows its bookmark's text (the body's): { REF mark } + 「 Confidential」
 * in a header, the bookmark 「秘」 in the body, shows 「秘 Confidential」 on every page; so does a bookmark
 * that a SET field names, { SET mark "秘" }, which shows nothing itself.
 */
import { decodeEntities, escapeText } from './xml-text.js';
import { concat, indexOfBytes } from '../bytes.js';
import { normalize } from '../normalize.js';
import type { ZipArchive } from './zip-reader.js';
import { XML_TAGS, content, outer, replaceSpans, spans } from './markup-spans.js';

/** Property values by upper-case field or property name. */
export type PropertyValues = Map<string, string>;

/** A property part larger than this is not read for fields (its values stay unread there, as before). */
const MAX_PART = 4 << 20;

/** core.xml's elements and the field that prints each (DOCPROPERTY takes the property's name too). */
const CORE: Record<string, string[]> = {
  'dc:title': ['TITLE', 'Title'],
  'dc:subject': ['SUBJECT', 'Subject'],
  'dc:creator': ['AUTHOR', 'Author'],
  'cp:keywords': ['KEYWORDS', 'Keywords'],
  'dc:description': ['COMMENTS', 'Comments'],
  'cp:lastModifiedBy': ['LASTSAVEDBY', 'LastSavedBy'],
  'cp:category': ['Category'],
  'cp:contentStatus': ['Status'],
};
/** app.xml's text properties that DOCPROPERTY names. */
const APP = ['Company', 'Manager', 'HyperlinkBase', 'Template'];

/**
 * The package's property values that a field may print, or null when none of them holds 秘 or the
 * word Confidential: then no field can add either to a page, and Word parts are read as before.
 */
export async function propertyValues(zip: ZipArchive): Promise<PropertyValues | null> {
  const values: PropertyValues = new Map();
  const set = (name: string, value: string) => values.set(name.toUpperCase(), value);
  const read = async (part: string) => ((zip.entries.find((e) => e.name === part)?.size ?? Infinity) <= MAX_PART ? await zip.text(part) : null);
  const core = await read('docProps/core.xml');
  if (core) {
    for (const [element, names] of Object.entries(CORE)) {
      const m = new RegExp(`<${element}(?:\\s[^<>]*)?>([^<]*)</${element}>`).exec(core);
      if (m) for (const n of names) set(n, decodeEntities(m[1]));
    }
  }
  const app = await read('docProps/app.xml');
  if (app) {
    for (const name of APP) {
      const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(app);
      if (m) set(name, decodeEntities(m[1]));
    }
  }
  const custom = await read('docProps/custom.xml');
  if (custom) {
    for (const m of custom.matchAll(/<property\b[^<>]*\bname="([^"]*)"[^<>]*>\s*<vt:\w+>([^<]*)<\/vt:\w+>/g)) set(decodeEntities(m[1]), decodeEntities(m[2]));
  }
  return mayShowStamp(values.values()) ? values : null;
}

const mayShowStamp = (values: Iterable<string>): boolean => [...values].some((v) => /秘|confidential/i.test(normalize(v)));

/** Bookmarks' text by upper-case name (Word's bookmark names are not case-sensitive). */
export type Bookmarks = Map<string, string>;

/** A bookmark's start or end. */
const BOOKMARK_MARK = /<w:bookmark(Start|End)\b[^<>]*>/g;
/** A bookmark spanning more markup than this is not read (a REF to it stays empty, as before). */
const MAX_BOOKMARK_SPAN = 64 << 10;
/** At most this many bookmarks are read; the rest stay unread. */
const MAX_BOOKMARKS = 10_000;

/**
 * The text of each bookmark in the main document, or null when none holds 秘 or the word Confidential
 * (no REF field can show either then). A bookmark spans from its start to the end with its id; only
 * spans of up to MAX_BOOKMARK_SPAN are read, each once, so that a hostile part costs its length, not
 * the square of it.
 */
export async function bookmarks(zip: ZipArchive): Promise<Bookmarks | null> {
  const part = 'word/document.xml';
  const xml = (zip.entries.find((e) => e.name === part)?.size ?? Infinity) <= MAX_DOCUMENT ? await zip.text(part) : null;
  if (!xml || (!xml.includes('<w:bookmarkStart') && !xml.includes('instr'))) return null;
  const starts = new Map<string, { name: string; at: number }>();
  const found: Bookmarks = new Map();
  for (const m of xml.matchAll(BOOKMARK_MARK)) {
    const id = /\bw:id="([^"]*)"/.exec(m[0])?.[1];
    if (id === undefined) continue;
    if (m[1] === 'Start') {
      const name = /\bw:name="([^"]*)"/.exec(m[0])?.[1];
      if (name !== undefined && starts.size < MAX_BOOKMARKS) starts.set(id, { name: decodeEntities(name).toUpperCase(), at: m.index + m[0].length });
      continue;
    }
    const b = starts.get(id);
    starts.delete(id);
    if (b && m.index - b.at <= MAX_BOOKMARK_SPAN && found.size < MAX_BOOKMARKS) found.set(b.name, textOf(xml.slice(b.at, m.index)));
    // Starts left open far behind can no longer be read: dropped, so the map stays small.
    if (starts.size >= MAX_BOOKMARKS) for (const [k, v] of starts) if (m.index - v.at > MAX_BOOKMARK_SPAN) starts.delete(k);
  }
  // A SET field gives a bookmark its text and shows nothing: { SET mark "秘" } … { REF mark } shows 「秘」.
  new FieldWatch((instruction) => {
    const set = SET_FIELD.exec(instruction);
    if (set && found.size < MAX_BOOKMARKS) found.set((set[1] ?? set[2]).toUpperCase(), set[3] ?? set[4]);
    return false;
  }).pushText(xml, true);
  return mayShowStamp(found.values()) ? found : null;
}
/** SET's bookmark and text, each quoted or a word (Word's field names are not case-sensitive). */
const SET_FIELD = /^\s*SET\s+(?:"([^"]*)"|([^\s"\\]+))\s+(?:"([^"]*)"|([^\s"\\]+))/i;
/** A main document larger than this is not read for its bookmarks (REF fields with no result stay empty, as before). */
const MAX_DOCUMENT = 32 << 20;

/** What a field with no result shows: a property's value (by upper-case name) or a bookmark's text. */
export interface FieldSources {
  properties: PropertyValues | null;
  bookmarks: Bookmarks | null;
}

/** A field instruction that names a bookmark: REF, in any case (Word's field names are not case-sensitive). */
const NAMES_BOOKMARK = /^\s*REF\s/i;
/** A complex field's instruction piece (its text), or a simple field's instruction, found at their `instr`. */
const INSTR_TEXT = /<w:instrText\b[^<>]*>([^<]*)<\/w:instrText>/y;
const INSTR_ATTRIBUTE = /w:instr="([^"]*)"/y;
/** A piece longer than this (a hostile run of text with no markup) is not kept whole across chunks. */
const MAX_PIECE = 64 << 10;
const INSTR = new TextEncoder().encode('instr');
/** Bytes kept from a chunk not read: `<w:` and all but the last byte of `instr` (an ASCII piece's start). */
const CARRY = 16;

/**
 * A Word part's field instructions, as it streams by (or read whole), each given to `wanted` until it
 * answers true (`found`). Whether a part has a REF field decides whether the main document is read for its
 * bookmarks. Looking for the bytes `REF` matched every table of contents (PAGEREF) and missed `ref mark`
 * and an instruction split over runs (「 R」「EF mark」: Word joins them), which LibreOffice also shows.
 * Instructions are joined from their runs as Word joins them, up to the field character that ends them.
 */
export class FieldWatch {
  found = false;
  constructor(private readonly wanted: (instruction: string) => boolean) {}
  private tail = '';
  private instruction = '';
  private readonly decoder = new TextDecoder();
  /** The last bytes pushed: a piece may start there when the chunk they were in was not read. */
  private carry: Uint8Array = new Uint8Array(0);

  readonly push = (chunk: Uint8Array): void => {
    if (this.found || chunk.length === 0) return;
    // Most of a part holds no instruction: a chunk is decoded only when `instr` is in it (or across its
    // start), or a piece or an instruction is pending; an ordinary document pays a byte search.
    const before = this.carry;
    const across = concat([before, chunk.subarray(0, INSTR.length - 1)]);
    const last = chunk.length >= CARRY ? chunk : concat([before, chunk]);
    this.carry = last.slice(Math.max(0, last.length - CARRY));
    const wanted = this.instruction !== '' || this.tail.includes('instr') || indexOfBytes(chunk, INSTR) >= 0 || indexOfBytes(across, INSTR) >= 0;
    if (!wanted) {
      this.decoder.decode(); // dropped: what it held of a character is not wanted
      this.tail = '';
      return;
    }
    // After a chunk not read, the piece may have started in the bytes before (a few read twice match nothing).
    this.pushText(this.decoder.decode(this.tail === '' ? concat([before, chunk]) : chunk, { stream: true }));
  };

  /** The part has ended: what is left is read. */
  readonly finish = (): void => {
    if (!this.found) this.pushText('', true);
  };

  /** Reads markup; the last piece, which may be cut off, is kept for the next unless this is the `last`. */
  pushText(text: string, last = false): void {
    const s = this.tail + text;
    // A piece starts at a `<` that opens a tag; what follows the last such `<` may be cut off (and a
    // `<` at the very end may be a closing tag's).
    let cut = last ? s.length : s.lastIndexOf('<');
    while (cut > 0 && cut < s.length && (s[cut + 1] === '/' || cut + 1 === s.length)) cut = s.lastIndexOf('<', cut - 1);
    if (cut < 0) cut = 0;
    // Only the `instr` pieces are looked at (found natively, not tag by tag: a table of contents holds
    // thousands), and a field character only when an instruction is pending, which it ends.
    let at = 0;
    let fieldChar = -1;
    for (;;) {
      const i = s.indexOf('instr', at);
      const next = i < 0 || i >= cut ? cut : i;
      if (this.instruction) {
        if (fieldChar < at) fieldChar = s.indexOf('<w:fldChar', at) >>> 0; // none: past any end
        if (fieldChar < next) {
          this.found = this.wanted(decodeEntities(this.instruction));
          this.instruction = '';
          if (this.found) return;
        }
      }
      if (next === cut) break;
      INSTR_TEXT.lastIndex = Math.max(0, i - 3);
      INSTR_ATTRIBUTE.lastIndex = Math.max(0, i - 2);
      const piece = INSTR_TEXT.exec(s);
      const simple = piece ? null : INSTR_ATTRIBUTE.exec(s);
      if (piece) this.instruction += piece[1];
      else if (simple && this.wanted(decodeEntities(simple[1]))) return void (this.found = true);
      at = piece ? INSTR_TEXT.lastIndex : simple ? INSTR_ATTRIBUTE.lastIndex : i + 5;
    }
    if (this.instruction.length > MAX_PIECE) this.instruction = this.instruction.slice(0, MAX_PIECE);
    this.tail = s.length - cut > MAX_PIECE ? '' : s.slice(cut);
    if (last && this.instruction) this.found = this.wanted(decodeEntities(this.instruction));
  }
}

/** Watches a part stream by for a REF field. */
export const refFieldWatch = (): FieldWatch => new FieldWatch((instruction) => NAMES_BOOKMARK.test(instruction));

/** Whether a Word part's markup has a REF field (read whole). */
export function hasRefField(xml: string): boolean {
  const watch = refFieldWatch();
  watch.pushText(xml, true);
  return watch.found;
}

/** What a field instruction with no result shows from these sources, or undefined. */
function fieldShows(instruction: string, sources: FieldSources): string | undefined {
  const ref = /^\s*REF\s+(?:"([^"]*)"|([^\s\\]+))/i.exec(instruction);
  if (ref) return sources.bookmarks?.get((ref[1] ?? ref[2]).toUpperCase());
  const m = /^\s*(TITLE|SUBJECT|AUTHOR|KEYWORDS|COMMENTS|LASTSAVEDBY|DOCPROPERTY\s+(?:"([^"]*)"|(\S+)))(?=\s|\\|$)/i.exec(instruction);
  return m ? sources.properties?.get((m[2] ?? m[3] ?? m[1]).toUpperCase()) : undefined;
}

/** Markup searched around a field character for its run's start or end: a run's own properties fit well inside. */
const RUN_REACH = 4096;
/** Offset just past the end of the run holding the field character at `at`, or -1 (bounded: no scan to the part's end per field). */
function runEnd(xml: string, at: number): number {
  const i = xml.slice(at, at + RUN_REACH).indexOf('</w:r>');
  return i < 0 ? -1 : at + i + '</w:r>'.length;
}
/** Offset of the start of the run holding the field character at `at`, not before `from`, or -1. */
function runStart(xml: string, at: number, from: number): number {
  const lo = Math.max(from, at - RUN_REACH);
  const near = xml.slice(lo, at);
  const i = Math.max(near.lastIndexOf('<w:r>'), near.lastIndexOf('<w:r '));
  return i < 0 ? -1 : lo + i;
}

/** A result's text: its runs' <w:t> (a stored result that already is the value is left as it is). */
const textOf = (markup: string): string => Array.from(markup.matchAll(/<w:t(?:\s[^<>]*)?>([^<]*)<\/w:t>/g), (m) => decodeEntities(m[1])).join('');

const run = (value: string) => `<w:r><w:t xml:space="preserve">${escapeText(value)}</w:t></w:r>`;

// Simple fields: self-closing or with content (markup-spans.ts: one pass, whatever a hostile part holds).
const SIMPLE_FIELD = /<w:fldSimple(?=[\s/>])/g;
const SIMPLE_FIELD_END = /<\/w:fldSimple>/g;
// A complex field's pieces, in order: its begin, separate and end characters and its instruction's text.
const COMPLEX_PART = /<w:fldChar\b[^<>]*\bw:fldCharType="(begin|separate|end)"[^<>]*>|<w:instrText\b[^<>]*>([^<]*)<\/w:instrText>/g;

/**
 * A Word part's markup with each property or REF field that has no result showing its value, as Word
 * shows it once fields are updated; with `results` 'replace', also each such field that has a result
 * shows the value in place of it, as LibreOffice shows it on opening (it computes these fields again:
 * { REF mark } stored with the result 「x」 shows the bookmark's 「秘」). Unchanged markup is returned as is.
 */
export function withPropertyFields(xml: string, sources: FieldSources, results: 'keep' | 'replace' = 'keep'): string {
  if (!xml.includes('instr')) return xml;
  const valueOf = (instruction: string) => fieldShows(decodeEntities(instruction), sources);
  let out = xml.includes('<w:fldSimple')
    ? replaceSpans(xml, spans(xml, SIMPLE_FIELD, () => SIMPLE_FIELD_END, XML_TAGS), (f) => {
        const inner = content(xml, f);
        const result = inner.includes('<w:t');
        const value = result && results === 'keep' ? undefined : valueOf(/\bw:instr="([^"]*)"/.exec(f.tag)?.[1] ?? '');
        if (!value || (result && textOf(inner) === value)) return outer(xml, f);
        // A self-closing field is opened to hold its value; a result is replaced.
        return `${f.tag.endsWith('/>') ? `${f.tag.slice(0, -2)}>` : f.tag}${result ? '' : inner}${run(value)}</w:fldSimple>`;
      })
    : xml;
  if (!out.includes('<w:instrText')) return out;
  // Complex fields (not nested in another's instruction): one with no `separate` shows its value after its
  // end; one with a result, when results are replaced, shows it from its `separate` run to its `end` run.
  const edits: { from: number; to: number; value: string }[] = [];
  let depth = 0;
  let instruction = '';
  let separatedAt = -1;
  for (const m of out.matchAll(COMPLEX_PART)) {
    if (m[1] === 'begin') {
      if (depth++ === 0) {
        instruction = '';
        separatedAt = -1;
      }
    } else if (m[1] === 'separate') {
      if (depth === 1) {
        const close = runEnd(out, m.index);
        separatedAt = close < 0 ? m.index + m[0].length : close;
      }
    } else if (m[1] === 'end') {
      if (depth > 0 && --depth === 0) {
        const value = separatedAt < 0 || results === 'replace' ? valueOf(instruction) : undefined;
        if (!value) continue;
        if (separatedAt < 0) {
          const close = runEnd(out, m.index);
          if (close >= 0) edits.push({ from: close, to: close, value });
        } else {
          const endRun = runStart(out, m.index, separatedAt);
          if (endRun >= 0 && textOf(out.slice(separatedAt, endRun)) !== value) edits.push({ from: separatedAt, to: endRun, value });
        }
      }
    } else if (depth === 1 && separatedAt < 0) instruction += m[2];
  }
  for (const { from, to, value } of edits.reverse()) out = out.slice(0, from) + run(value) + out.slice(to);
  return out;
}
