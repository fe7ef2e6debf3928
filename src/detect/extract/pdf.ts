/**
 * PDF extractor: the text layer of every page (content streams and Form XObjects, decoded through
 * the fonts' ToUnicode CMaps or encodings), annotation contents and form field values, the
 * document information dictionary and XMP metadata. A focused hand-written reader (no pdf.js):
 * see pdf-parse.ts (objects, xref, repair), pdf-font.ts, pdf-content.ts, pdf-crypt.ts.
 *
 * Encrypted files are read when the empty user password opens them (owner-password-only PDFs);
 * otherwise the scan ends with ScanError('encrypted').
 */
import { chunkText } from '../text-chunks.js';
import { nameOnly, ScanError, type Extracted, type ExtractContext, type Extractor } from './types.js';
import { Dict, PdfDoc, PDF_HEADER_REACH, Ref, Stream, findBytes, findBytesBack, paddedEnd, type Obj } from './pdf-parse.js';
import { FontLoader } from './pdf-font.js';
import { hiddenLayers, layerOff } from './pdf-layers.js';
import { SEPARATOR } from './sheet-rows.js';
import { brokenWords, endPage, formMentionsActualText, mentionsActualText, newPageState, placeLine, readPart, resourcesCanStamp, resourcesCarryActualText, runContent, runForm, startPage, withGaps, type PageState } from './pdf-content.js';
import { describeCipher, openWithEmptyPassword, type CipherKind, type EncryptParams } from './pdf-crypt.js';
import { captions, decodeTextString, embeddedFiles, fieldValues, formText, outlineText, pageLabelText, richValue, scriptMessages, structureText, xfaText } from './pdf-catalog.js';
import { blobOf } from '../bytes.js';
import { zlibStart } from './inflate.js';
import { applyFilter } from './pdf-filters.js';
import { decodeEntities, propertiesText, xmlToText } from './xml-text.js';
import { decodeMarkup, markupEncoding } from './text.js';

export { decodeTextString };

const MAX_PAGES = 100_000;
/** Content streams and annotations read per page. */
const MAX_PARTS = 10_000;
const STREAM_CAP = 64 * 1024 * 1024;

// ---------------------------------------------------------------- encryption

function cipherOf(doc: PdfDoc, enc: Dict, which: 'StmF' | 'StrF', v: number): CipherKind {
  if (v < 4) return 'rc4';
  const name = doc.resolve(enc.get(which)) ?? 'Identity';
  if (name === 'Identity') return 'none';
  const cf = doc.dict(enc.get('CF'));
  const f = cf ? doc.dict(cf.get(String(name))) : null;
  const cfm = f ? doc.resolve(f.get('CFM')) : null;
  if (cfm === 'AESV2') return 'aes128';
  if (cfm === 'AESV3') return 'aes256';
  if (cfm === 'V2') return 'rc4';
  if (cfm === 'None') return 'none';
  return v >= 5 ? 'aes256' : 'rc4';
}

async function setupEncryption(doc: PdfDoc): Promise<void> {
  const encRef = doc.trailer.get('Encrypt');
  if (encRef === undefined || encRef === null) return;
  if (encRef instanceof Ref) doc.encryptNum = encRef.num;
  const enc = doc.dict(encRef);
  if (!enc) throw new ScanError('encrypted', 'PDF is encrypted (unreadable /Encrypt dictionary)');
  const filter = doc.resolve(enc.get('Filter'));
  if (filter !== 'Standard') {
    throw new ScanError('encrypted', `PDF is encrypted with the ${typeof filter === 'string' ? filter : 'unknown'} security handler`);
  }
  const num = (k: string, d: number) => {
    const v = doc.resolve(enc.get(k));
    return typeof v === 'number' ? v : d;
  };
  const str = (k: string) => {
    const v = doc.resolve(enc.get(k));
    return v instanceof Uint8Array ? v : new Uint8Array(0);
  };
  const v = num('V', 0);
  const r = num('R', 2);
  let length = num('Length', 40);
  if (v === 4) {
    const cf = doc.dict(enc.get('CF'));
    const std = cf ? doc.dict(cf.get(String(doc.resolve(enc.get('StmF')) ?? 'StdCF'))) : null;
    const l = std ? doc.resolve(std.get('Length')) : null;
    length = typeof l === 'number' ? (l <= 32 ? l * 8 : l) : 128;
  }
  if (length < 40 || length > 256 || length % 8) length = v >= 2 ? 128 : 40;
  const idArr = doc.resolve(doc.trailer.get('ID'));
  const id0 = Array.isArray(idArr) && idArr[0] instanceof Uint8Array ? idArr[0] : new Uint8Array(0);
  const em = doc.resolve(enc.get('EncryptMetadata'));
  const params: EncryptParams = {
    filter: 'Standard',
    v,
    r,
    length,
    o: str('O'),
    u: str('U'),
    ue: str('UE'),
    perms: str('Perms'),
    p: num('P', -1) | 0,
    id0,
    encryptMetadata: em !== false,
    stmCipher: cipherOf(doc, enc, 'StmF', v),
    strCipher: cipherOf(doc, enc, 'StrF', v),
  };
  if (![1, 2, 4, 5].includes(v) || r < 2 || r > 6) {
    throw new ScanError('encrypted', `PDF is encrypted with an unsupported Standard handler (V${v} R${r})`);
  }
  let dec;
  try {
    dec = await openWithEmptyPassword(params);
  } catch {
    dec = null;
  }
  if (!dec) throw new ScanError('encrypted', `PDF is password-protected (${describeCipher(params)}, user password required)`);
  doc.decryptor = dec;
  doc.resetCaches();
}

// ---------------------------------------------------------------- pages

function inherited(doc: PdfDoc, page: Dict, key: string): Obj {
  let node: Dict | null = page;
  for (let i = 0; node && i < 64; i++) {
    const v = node.get(key);
    if (v !== undefined && v !== null) return doc.resolve(v);
    node = doc.dict(node.get('Parent'));
  }
  return null;
}

/** Resources met on the way down the page tree, for pages whose /Parent link is broken. */
const treeResources = new WeakMap<Dict, Dict>();

function collectPages(doc: PdfDoc, ctx: ExtractContext): { pages: Dict[]; broken: boolean; capped: boolean } {
  const pages: Dict[] = [];
  let broken = false;
  const root = doc.dict(doc.trailer.get('Root'));
  const top = root ? root.get('Pages') : undefined;
  if (top === undefined) return { pages, broken: true, capped: false };
  const topDict = doc.dict(top);
  const count = topDict ? doc.resolve(topDict.get('Count')) : null;
  const seen = new Set<number>();
  const seenDicts = new Set<Dict>();
  const stack: Obj[] = [top];
  const resStack: (Dict | null)[] = [null];
  let steps = 0;
  while (stack.length && pages.length < MAX_PAGES) {
    if ((++steps & 1023) === 0) ctx.checkTime();
    const ref = stack.pop()!;
    const parentRes = resStack.pop() ?? null;
    if (ref instanceof Ref) {
      if (seen.has(ref.num)) continue;
      seen.add(ref.num);
    }
    const node = doc.dict(ref);
    if (!node) {
      broken = true;
      continue;
    }
    if (seenDicts.has(node)) continue;
    seenDicts.add(node);
    const kids = doc.resolve(node.get('Kids'));
    const type = doc.resolve(node.get('Type'));
    const res = doc.dict(node.get('Resources')) ?? parentRes;
    if (Array.isArray(kids) && type !== 'Page') {
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push(kids[i]);
        resStack.push(res);
      }
    } else if (type === 'Page' || node.has('Contents') || node.has('MediaBox')) {
      pages.push(node);
      if (res) treeResources.set(node, res);
    } else broken = true;
  }
  // Pages past MAX_PAGES are not read: said (too large), not dropped.
  const capped = pages.length >= MAX_PAGES && stack.length > 0;
  if (typeof count === 'number' && count !== pages.length && !capped) broken = true;
  return { pages, broken, capped };
}

/** When the page tree is lost: every /Type /Page object, in file order. */
function scanPages(doc: PdfDoc, ctx: ExtractContext): { pages: Dict[]; capped: boolean } {
  const table = doc.scan();
  const found: { off: number; d: Dict }[] = [];
  let steps = 0;
  for (const [num, e] of table) {
    if ((++steps & 255) === 0) ctx.checkTime();
    const d = doc.get(num);
    if (d instanceof Dict && d.get('Type') === 'Page') found.push({ off: e.t === 1 ? e.a : num, d });
    if (found.length > MAX_PAGES) break;
  }
  found.sort((a, b) => a.off - b.off);
  return { pages: found.slice(0, MAX_PAGES).map((f) => f.d), capped: found.length > MAX_PAGES };
}

/** The page's content streams; `bad` when /Contents is present but does not lead to streams. */
function contentStreams(doc: PdfDoc, page: Dict): { streams: Stream[]; bad: boolean } {
  const raw = page.get('Contents');
  const c = doc.resolve(raw);
  const streams: Stream[] = [];
  let bad = raw !== undefined && raw !== null && c === null;
  if (c instanceof Stream) streams.push(c);
  else if (Array.isArray(c)) {
    // More content streams than MAX_PARTS: the page is read in part (said, not dropped).
    if (c.length > MAX_PARTS) bad = true;
    for (const x of c.slice(0, MAX_PARTS)) {
      const s = doc.resolve(x);
      if (s instanceof Stream) streams.push(s);
      else bad = true;
    }
  } else if (c !== null) bad = true;
  return { streams, bad };
}

function annotText(doc: PdfDoc, page: Dict): string {
  const annots = doc.resolve(page.get('Annots'));
  if (!Array.isArray(annots)) return '';
  const parts: string[] = [];
  for (const a of annots.slice(0, MAX_PARTS)) {
    const d = doc.dict(a);
    if (!d) continue;
    const said = (key: string, read = decodeTextString) => {
      const v = doc.resolve(d.get(key));
      if (v instanceof Uint8Array && v.length) parts.push(read(v));
    };
    said('Contents');
    const widget = doc.resolve(d.get('Subtype')) === 'Widget';
    // A comment's popup shows its author (/T) and subject over the note, and a rich-text note (/RC,
    // XHTML) as its text. A field's /T is a name no one sees (its tooltip is read with the form: formText).
    if (!widget) {
      said('T');
      said('Subj');
      said('RC', (v) => xmlToText(decodeTextString(v)));
    }
    if (widget) {
      // The field's value (its own or inherited), rich value and captions: a widget may be in no
      // /AcroForm /Fields (formText), and viewers draw it all the same.
      let node: Dict | null = d;
      for (let i = 0; node && i < 8; i++) {
        if (node.has('V') || node.has('RV')) {
          parts.push(...fieldValues(doc, node), richValue(doc, node));
          break;
        }
        node = doc.dict(node.get('Parent'));
      }
      parts.push(...captions(doc, d));
    }
  }
  return parts.join('\n');
}

/** An annotation's normal appearance, ready to draw: its form, the resources it is drawn with, where it is placed. */
interface Appearance {
  n: Stream;
  num: number;
  res: Dict | null;
  /** Maps the form's space to the page's (the form's /BBox, through its /Matrix, onto the annotation's /Rect). */
  place: number[];
  /** Its fonts can give 秘 (or its resources are named but unreadable): the page may show the stamp. */
  glyphs: boolean;
  widget: boolean;
  /** A field's appearance drawn with borrowed resources whose field has a value (read from the field). */
  valued: boolean;
  /** The annotation's optional content (/OC): on a layer that is off, neither it nor its appearance is drawn. */
  oc: Obj | undefined;
}

/**
 * Annotation appearances (Acrobat stamps, FreeText, filled-in form fields): the normal appearance
 * stream (/AP /N, or its /AS state). Hidden annotations, popups and links are left out.
 */
function appearances(doc: PdfDoc, fonts: FontLoader, page: Dict, pageRes: Dict | null, st: PageState): Appearance[] {
  const annots = doc.resolve(page.get('Annots'));
  if (!Array.isArray(annots)) return [];
  const out: Appearance[] = [];
  let formRes: Dict | null | undefined;
  // Annotations past MAX_PARTS are not read (here nor in annotText): the page is read in part.
  if (annots.length > MAX_PARTS) st.overLimits = true;
  for (const a of annots.slice(0, MAX_PARTS)) {
    const d = doc.dict(a);
    if (!d) continue;
    const flags = doc.resolve(d.get('F'));
    if (typeof flags === 'number' && flags & 2) continue; // Hidden
    const subtype = doc.resolve(d.get('Subtype'));
    if (subtype === 'Popup' || subtype === 'Link') continue;
    const ap = doc.dict(d.get('AP'));
    if (!ap) continue;
    let nRef = ap.get('N');
    let n = doc.resolve(nRef);
    if (n instanceof Dict) {
      const as = doc.resolve(d.get('AS'));
      nRef = typeof as === 'string' ? n.get(as) : undefined;
      n = doc.resolve(nRef);
    }
    if (!(n instanceof Stream)) continue;
    // An appearance with no /Resources is drawn with the page's (a field's with the form's default
    // resources, /DR, first), as poppler draws it: its /F1 is theirs. Resources named but unreadable
    // (a damaged object) could hold any font.
    const own = n.dict.get('Resources');
    let res = doc.dict(own);
    if (own === undefined) {
      if (subtype === 'Widget') {
        if (formRes === undefined) formRes = doc.dict(doc.dict(doc.dict(doc.trailer.get('Root'))?.get('AcroForm'))?.get('DR'));
        res = formRes ? mergedResources(doc, formRes, pageRes) : pageRes;
      } else res = pageRes;
    }
    const widget = subtype === 'Widget';
    const valued = widget && own === undefined && (d.has('V') || !!doc.dict(d.get('Parent'))?.has('V'));
    out.push({
      n,
      num: nRef instanceof Ref ? nRef.num : -1,
      res,
      place: placement(doc, d, n),
      // Drawn with borrowed resources (its own /Resources missing, or its key damaged: `/Resouvces`), it is
      // read whatever they hold: a font it names that they lack draws nothing in pdftotext ("Unknown font
      // tag"), and what it drew (a 秘 in a CID font) is then found not whole, not passed over as fontless.
      glyphs: (own !== undefined && !res) || (own === undefined && !valued) || resourcesCanStamp(doc, fonts, res),
      widget,
      valued,
      oc: d.get('OC'),
    });
  }
  return out;
}

/** The numbers of an array of numbers, or null. */
function numbers(doc: PdfDoc, v: Obj | undefined, n: number): number[] | null {
  const a = doc.resolve(v ?? null);
  if (!Array.isArray(a) || a.length !== n) return null;
  const r = a.map((x) => doc.resolve(x));
  return r.every((x): x is number => typeof x === 'number' && Number.isFinite(x)) ? r : null;
}

/**
 * Where an appearance is drawn on the page (PDF 1.7, 12.5.5): its /BBox, mapped by its /Matrix, is
 * scaled and moved onto the annotation's /Rect. Its text then stands where a reader sees it, beside the
 * page's (a stamp 「Confidential」 next to a 秘 in the page's text). runForm applies the /Matrix itself.
 */
function placement(doc: PdfDoc, annot: Dict, n: Stream): number[] {
  const rect = numbers(doc, annot.get('Rect'), 4);
  const bbox = numbers(doc, n.dict.get('BBox'), 4);
  if (!rect || !bbox) return [1, 0, 0, 1, 0, 0];
  const [a, b, c, d, e, f] = numbers(doc, n.dict.get('Matrix'), 6) ?? [1, 0, 0, 1, 0, 0];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [[bbox[0], bbox[1]], [bbox[0], bbox[3]], [bbox[2], bbox[1]], [bbox[2], bbox[3]]]) {
    xs.push(a * x + c * y + e);
    ys.push(b * x + d * y + f);
  }
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [r0, r1, s0, s1] = [Math.min(rect[0], rect[2]), Math.max(rect[0], rect[2]), Math.min(rect[1], rect[3]), Math.max(rect[1], rect[3])];
  const sx = x1 - x0 > 1e-6 ? (r1 - r0) / (x1 - x0) : 1;
  const sy = y1 - y0 > 1e-6 ? (s1 - s0) / (y1 - y0) : 1;
  return [sx, 0, 0, sy, r0 - sx * x0, s0 - sy * y0];
}

/**
 * Text drawn by the annotation appearances, after the page's content, in the same reading of the page:
 * each is given as drawn (its own lines), and, placed at its /Rect, its lines are laid out with the
 * page's (readingOrder), as pdftotext reads them: one page.
 */
function appearanceText(st: PageState, aps: Appearance[], glyphs: boolean): void {
  for (const ap of aps) {
    // In the reading without the layers that are off (pdf-layers.ts), an annotation on one, or an
    // appearance stream on one, is not drawn (Acrobat, pdf.js; poppler leaves out the annotation).
    if (st.hiddenLayers && (layerOff(st.doc, ap.oc, st.hiddenLayers) || layerOff(st.doc, ap.n.dict.get('OC'), st.hiddenLayers))) continue;
    const actual = formMentionsActualText(st, ap.n) || resourcesCarryActualText(st, ap.res);
    if (!glyphs && !actual) continue;
    if (st.last !== '\n' && st.has) {
      st.out.push('\n');
      st.last = '\n';
    }
    const unread = st.unread;
    const misread = st.misread;
    const partial = st.partial;
    readPart(st, glyphs, actual, () => runForm(st, ap.n, ap.num, ap.res, ap.place, 0));
    // A form field's appearance draws its value, which is read from the field itself (formText): glyphs
    // there that cannot be read leave nothing unread; nor does a font that one drawn with borrowed
    // resources names and they lack, when the field has a value (pypdf writes /Helv appearances with no
    // /Resources when /DR has none).
    if (ap.widget) {
      st.unread = unread;
      st.misread = misread;
      if (ap.valued) st.partial = partial;
    }
  }
}

/**
 * FreeText comments with no appearance stream (pypdf's AnnotationBuilder.free_text writes them so): poppler and Acrobat
 * draw their text in the /Rect, from its top left, in the size their /DA (or /DS) gives. Their lines are placed there,
 * so that a 「Confidential」 comment beside a 秘 in the page reads as one line, as pdftotext gives it, as the comment
 * drawn from an appearance stream does (appearanceText).
 */
function freeTextLines(doc: PdfDoc, page: Dict, st: PageState): void {
  const annots = doc.resolve(page.get('Annots'));
  if (!Array.isArray(annots)) return;
  for (const a of annots.slice(0, MAX_PARTS)) {
    const d = doc.dict(a);
    if (!d || doc.resolve(d.get('Subtype')) !== 'FreeText' || d.has('AP')) continue;
    const flags = doc.resolve(d.get('F'));
    if (typeof flags === 'number' && flags & 2) continue; // Hidden
    if (st.hiddenLayers && layerOff(doc, d.get('OC'), st.hiddenLayers)) continue; // on a layer that is off, in that reading
    const contents = doc.resolve(d.get('Contents'));
    const rect = numbers(doc, d.get('Rect'), 4);
    if (!(contents instanceof Uint8Array) || !rect) continue;
    const style = (key: string, re: RegExp) => {
      const v = doc.resolve(d.get(key));
      const m = v instanceof Uint8Array ? re.exec(decodeTextString(v)) : null;
      return m ? Number(m[1]) : 0;
    };
    const size = style('DA', /([\d.]+)\s+Tf\b/) || style('DS', /([\d.]+)pt\b/) || 12;
    const top = Math.max(rect[1], rect[3]);
    const left = Math.min(rect[0], rect[2]);
    decodeTextString(contents)
      .split(/\r\n|\r|\n/)
      .forEach((line, i) => placeLine(st, line, left + 2, top - 2 - size * (0.8 + 1.2 * i), size));
  }
}

/** Resources whose fonts are the first's, then the second's for names the first lacks (/DR, then the page's). */
function mergedResources(doc: PdfDoc, first: Dict, second: Dict | null): Dict {
  if (!second) return first;
  const merged = new Dict([...second, ...first]);
  const f1 = doc.dict(first.get('Font'));
  const f2 = doc.dict(second.get('Font'));
  if (f1 && f2) merged.set('Font', new Dict([...f2, ...f1]));
  return merged;
}

/**
 * A page's content: the streams of a /Contents array are one stream split anywhere between tokens, so
 * they are joined (a newline between) and text state and words carry across the seams.
 */
function pageContent(doc: PdfDoc, streams: Stream[], st: PageState): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const s of streams) {
    const info = { partial: false };
    let data = doc.decodeStream(s, true, info);
    if (info.partial) st.partial = true;
    // Null for a stream labelled with an image codec (DCT, JBIG2, JPX, CCITT): page content that
    // cannot be read as such (pdftotext draws nothing), not an empty page.
    if (!data) {
      st.partial = true;
      continue;
    }
    // Compressed bytes under a dictionary that names no filter (its /Filter key damaged): the page is not
    // readable as it stands. Read as what it once was too, but never called whole.
    if (s.dict.get('Filter') === undefined && zlibStart(data.subarray(0, 4096), data.length <= 4096)) {
      st.partial = true;
      data = applyFilter('FlateDecode', data, null, doc.lim.streamCap)?.data ?? data;
    }
    parts.push(data);
    total += data.length + 1;
  }
  if (parts.length <= 1) return parts[0] ?? null;
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
    data[o++] = 10;
  }
  return data;
}

// ---------------------------------------------------------------- metadata

/** The document information dictionary's strings (Title, Subject, Keywords…), each a property apart (xml-text.ts). */
function infoText(doc: PdfDoc): string {
  const info = doc.dict(doc.trailer.get('Info'));
  if (!info) return '';
  const parts: string[] = [];
  for (const [k, v] of info) {
    if (k === 'CreationDate' || k === 'ModDate') continue;
    const s = doc.resolve(v);
    if (s instanceof Uint8Array && s.length) parts.push(decodeTextString(s));
  }
  return propertiesText(parts);
}

/** The XMP packet's text, or why it was not read (damaged, an unknown or image filter, too large): said, never taken as empty. */
function xmpText(doc: PdfDoc): string | { reason: 'corrupt' | 'too-large'; detail: string } {
  const root = doc.dict(doc.trailer.get('Root'));
  const m = root ? doc.resolve(root.get('Metadata')) : null;
  if (!(m instanceof Stream)) return '';
  if (m.raw.length > 4 * 1024 * 1024) return { reason: 'too-large', detail: "the PDF's XMP metadata is over 4 MiB: not read" };
  const info = { partial: false };
  const data = doc.decodeStream(m, true, info);
  if (!data || info.partial) return { reason: 'corrupt', detail: "the PDF's XMP metadata could not be decoded" };
  const text = xmpPacketText(decodeMarkup(data));
  // XMP is Unicode (UTF-8 unless a BOM says otherwise). A packet that is not valid UTF-8 is taken for a legacy
  // code page above, as some writers do use one; but one damaged byte (a transfer or disk error) does that
  // too, and the UTF-8 text around it is what the readers show (pdfinfo -meta): both are read.
  return markupEncoding(data).startsWith('utf-') ? text : propertiesText([text, xmpPacketText(new TextDecoder('utf-8').decode(data))]);
}

/**
 * The text of an XMP packet, each value a property apart (xml-text.ts): element content, CDATA sections as
 * they stand, and attribute values (the compact form Adobe's XMP toolkit writes: `<rdf:Description
 * pdf:Keywords="…"/>`), character references decoded; namespace declarations, comments and processing
 * instructions left out.
 * Read by one pass over the packet (a quoted value may hold `>`), no pattern over it.
 */
export function xmpPacketText(xml: string): string {
  const parts: string[] = [];
  const put = (s: string) => {
    if (s.trim()) parts.push(decodeEntities(s).trim());
  };
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    put(xml.slice(i, lt < 0 ? xml.length : lt));
    if (lt < 0) break;
    const close = (end: string, from: number) => {
      const e = xml.indexOf(end, from);
      return e < 0 ? xml.length : e;
    };
    if (xml.startsWith('<![CDATA[', lt)) {
      const e = close(']]>', lt + 9);
      const inner = xml.slice(lt + 9, e);
      if (inner.trim()) parts.push(inner.trim());
      i = e + 3;
    } else if (xml.startsWith('<!--', lt)) i = close('-->', lt + 4) + 3;
    else if (xml.startsWith('<?', lt)) i = close('?>', lt + 2) + 2;
    else i = tagAttributes(xml, lt + 1, put);
  }
  return propertiesText(parts);
}

/**
 * Reads a tag's attributes from `at` (past its `<`) to its `>`, giving each value but those of the XML and
 * RDF syntax (namespace declarations, xml:lang, rdf:about, rdf:parseType); returns where the tag ends.
 */
function tagAttributes(xml: string, at: number, put: (s: string) => void): number {
  let i = at;
  let name = '';
  let nameStart = at;
  while (i < xml.length && xml[i] !== '>' && xml[i] !== '<') {
    const c = xml[i];
    if (c === '"' || c === "'") {
      const e = xml.indexOf(c, i + 1);
      const end = e < 0 ? xml.length : e;
      if (!/^(?:xmlns|xml:|rdf:)/.test(name)) put(xml.slice(i + 1, end));
      i = end + 1;
      nameStart = i;
      continue;
    }
    if (c === '=') name = xml.slice(nameStart, i).trim();
    else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') nameStart = i + 1;
    i++;
  }
  return xml[i] === '>' ? i + 1 : i;
}

// ---------------------------------------------------------------- the extractor

function isScanError(e: unknown): e is ScanError {
  return e instanceof ScanError || (e instanceof Error && e.name === 'ScanError' && 'reason' in e);
}

function* textItems(text: string, where: Extracted extends infer E ? (E extends { kind: 'text'; where: infer W } ? W : never) : never): Generator<Extracted> {
  if (!text.trim()) return;
  for (const chunk of chunkText(text)) yield { kind: 'text', text: chunk, where };
}

async function openDoc(blob: Blob, ctx: ExtractContext): Promise<PdfDoc> {
  if (blob.size > ctx.limits.maxBytes) throw new ScanError('too-large', `PDF is larger than ${ctx.limits.maxBytes} bytes`);
  const buf = new Uint8Array(await blob.arrayBuffer());
  const doc = new PdfDoc(buf, {
    checkTime: () => ctx.checkTime(),
    streamCap: Math.min(STREAM_CAP, ctx.limits.maxExpandedBytes),
    addExpanded: (n) => ctx.addExpanded(n),
  });
  // The header behind text as far as sniffing looks for it (PDF_HEADER_REACH).
  const head = findBytes(buf, '%PDF-', 0, Math.min(buf.length, PDF_HEADER_REACH));
  if (head < 0 && findBytes(buf, 'obj', 0, Math.min(buf.length, 4096)) < 0) throw new ScanError('corrupt', 'not a PDF (no %PDF- header)');
  let ok = false;
  try {
    ok = doc.readXref();
  } catch (e) {
    if (isScanError(e)) throw e;
    ok = false;
  }
  if (!ok) doc.repairAll();
  await setupEncryption(doc);
  if (!doc.rootOk()) {
    doc.repairAll();
    if (doc.trailer.get('Encrypt') && !doc.decryptor) await setupEncryption(doc);
  }
  return doc;
}

/**
 * Embedded files as archive members (the scanner checks their names and scans them recursively);
 * one that cannot be decoded is still named, and reported unscannable.
 */
function* attachments(doc: PdfDoc, pages: Dict[], ctx: ExtractContext): Generator<Extracted> {
  try {
    for (const file of embeddedFiles(doc, pages, ctx.checkTime)) {
      ctx.addEntry();
      const where = { area: 'attachments', ...(file.page ? { page: file.page } : {}) };
      yield* textItems(file.description, where);
      if (!file.streams.length) {
        yield { kind: 'member', name: file.name, data: blobOf(new Uint8Array(0)), where };
        yield { kind: 'unscannable', reason: 'corrupt', detail: `PDF attachment ${file.name} could not be read`, where };
      }
      // Every stream the file spec embeds: viewers differ in which one they save.
      for (const { name, stream } of file.streams) {
        const info = { partial: false };
        const data = doc.decodeStream(stream, true, info);
        yield { kind: 'member', name, data: blobOf(data ?? new Uint8Array(0)), where };
        if (!data || info.partial) yield { kind: 'unscannable', reason: 'corrupt', detail: `PDF attachment ${name} could not be read`, where };
      }
      for (const other of file.otherNames) yield nameOnly(other, where);
    }
    yield* hybridSource(doc, ctx);
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'PDF attachments could not be read', where: { area: 'attachments' } };
  }
}

/** Extensions for the MIME types a hybrid PDF's source is given with (LibreOffice writes ODF). */
const SOURCE_EXT: Record<string, string> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.graphics': 'odg',
};

/**
 * LibreOffice's hybrid PDF ("Embed OpenDocument file"): the trailer's /AdditionalStreams holds the whole
 * document it was exported from (a MIME type, then the stream), and LibreOffice opens that document in
 * place of the PDF, with what the PDF leaves out (comments not exported, text exported as outlines).
 */
function* hybridSource(doc: PdfDoc, ctx: ExtractContext): Generator<Extracted> {
  const list = doc.resolve(doc.trailer.get('AdditionalStreams'));
  if (!Array.isArray(list)) return;
  const where = { area: 'attachments' };
  for (let i = 0; i + 1 < list.length && i < 64; i += 2) {
    const type = doc.resolve(list[i]);
    const s = doc.resolve(list[i + 1]);
    if (!(s instanceof Stream)) continue;
    ctx.addEntry();
    const info = { partial: false };
    const data = doc.decodeStream(s, true, info);
    const ext = typeof type === 'string' ? SOURCE_EXT[type.toLowerCase()] : undefined;
    const name = `source.${ext ?? 'bin'}`;
    yield { kind: 'member', name, data: blobOf(data ?? new Uint8Array(0)), where };
    if (!data || info.partial) yield { kind: 'unscannable', reason: 'corrupt', detail: `the document embedded in this hybrid PDF (${name}) could not be read`, where };
  }
}

export const extractPdf: Extractor = async function* (blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  let doc: PdfDoc;
  let pages: Dict[];
  let fromScan = false;
  let treeBroken = false;
  let capped = false;
  try {
    doc = await openDoc(blob, ctx);
    const r = collectPages(doc, ctx);
    pages = r.pages;
    treeBroken = r.broken;
    capped = r.capped;
    if (pages.length === 0) {
      ({ pages, capped } = scanPages(doc, ctx));
      fromScan = true;
    }
  } catch (e) {
    if (isScanError(e)) throw e;
    throw new ScanError('corrupt', `PDF could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const buf = doc.buf;
  const truncated = cutShort(buf);

  // document properties first: they are cheap and a stamp there settles the verdict
  let props = '';
  try {
    props = infoText(doc);
    // pdfinfo: "Couldn't find trailer dictionary", and no title: what the properties held is not known.
    if (doc.trailerLost) yield { kind: 'unscannable', reason: 'corrupt', detail: "PDF is damaged (its trailer is lost: the document's properties cannot be found)", where: { area: 'properties' } };
    const xmp = xmpText(doc);
    if (typeof xmp !== 'string') yield { kind: 'unscannable', ...xmp, where: { area: 'properties' } };
    else props = propertiesText([props, xmp]);
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'PDF document properties could not be read', where: { area: 'properties' } };
  }
  yield* textItems(props, { area: 'properties' });
  try {
    yield* textItems(outlineText(doc, ctx.checkTime), { area: 'bookmarks' });
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'PDF bookmarks could not be read', where: { area: 'bookmarks' } };
  }
  try {
    yield* textItems(pageLabelText(doc, ctx.checkTime), { area: 'page labels' });
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: "the PDF's page labels could not be read", where: { area: 'page labels' } };
  }
  try {
    yield* textItems(structureText(doc, ctx.checkTime), { area: 'alternative text' });
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: "the PDF's alternative text (structure tree) could not be read", where: { area: 'alternative text' } };
  }

  try {
    yield* textItems(scriptMessages(doc, pages, ctx.checkTime), { area: 'scripts' });
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: "the PDF's scripts could not be read", where: { area: 'scripts' } };
  }

  if (pages.length === 0) {
    if (!props) throw new ScanError('corrupt', 'PDF has no readable pages');
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'PDF has no readable pages' };
    return;
  }

  const fonts = new FontLoader(doc);
  // Layers the document opens with turned off (pdf-layers.ts): each page is also read without them.
  const offLayers = hiddenLayers(doc);
  let badPages = 0;
  let pagesOverLimits = 0;
  /** Glyphs whose characters could not be known, and the first page that shows any. */
  const unread = { glyphs: 0, page: 0 };
  /** Glyphs that are not the characters their fonts' ToUnicode maps say, and the first page that shows any. */
  const misread = { glyphs: 0, page: 0 };
  /** The last page's bottom line as placed. */
  let bottom = '';
  for (let pi = 0; pi < pages.length; pi++) {
    ctx.checkTime();
    const page = pages[pi];
    const pageNo = pi + 1;
    let text = '';
    try {
      const entry = inherited(doc, page, 'Resources');
      const resources = doc.dict(entry) ?? treeResources.get(page) ?? null;
      const st = newPageState(doc, fonts, () => ctx.checkTime());
      const cs = contentStreams(doc, page);
      if (cs.bad) st.partial = true;
      // Resources that are named but cannot be read (a damaged object) could hold any font.
      const canStamp = ctx.fullText || (entry !== undefined && !resources) || resourcesCanStamp(doc, fonts, resources);
      // Pages whose fonts cannot produce 秘 are still read when their marked content may give it as
      // /ActualText (pdf-content.ts): their streams are inflated and searched for that name.
      const data = pageContent(doc, cs.streams, st);
      // Page text and annotation appearances are one page to a reader: when any of them can give 秘,
      // all are read, so that 秘 in the page's text and 「Confidential」 in a stamp beside it meet.
      const aps = appearances(doc, fonts, page, resources, st);
      // A page after one that ends in 秘 is read even in fonts that cannot give 秘: its head may finish the stamp.
      const glyphs = canStamp || aps.some((ap) => ap.glyphs) || /[秘㊙]$/.test(bottom);
      const actual = !!data && (mentionsActualText(data) || resourcesCarryActualText(st, resources));
      const read = (into: PageState) => {
        startPage(into);
        if (data) readPart(into, glyphs, actual, () => runContent(into, data, resources, [1, 0, 0, 1, 0, 0], 0));
        appearanceText(into, aps, glyphs);
        freeTextLines(doc, page, into);
        endPage(into);
      };
      fonts.searchMapUsed();
      read(st);
      // Fonts under a Unicode CMap with a ToUnicode map: their codes were read as the characters their
      // glyphs show; the page is read again as search and copy give it, through those maps.
      let searched = '';
      if (fonts.searchMapUsed()) {
        const again = newPageState(doc, fonts, () => ctx.checkTime());
        fonts.searchReading(true);
        try {
          read(again);
        } finally {
          fonts.searchReading(false);
        }
        searched = withGaps(again.out.join(''));
      }
      let layered = '';
      if (offLayers.size) {
        const shown = newPageState(doc, fonts, () => ctx.checkTime());
        shown.hiddenLayers = offLayers;
        read(shown);
        layered = withGaps(shown.out.join(''));
      }
      if (st.partial) badPages++;
      else if (st.overLimits) pagesOverLimits++;
      if (st.unread > 0 && unread.glyphs === 0) unread.page = pageNo;
      unread.glyphs += st.unread;
      if (st.misread > 0 && misread.glyphs === 0) misread.page = pageNo;
      misread.glyphs += st.misread;
      const annots = annotText(doc, page);
      text = withGaps(st.out.join(''));
      if (annots) text = text ? text + '\n' + annots : annots;
      // Each description stands apart (its own span), from the page's text and from the others; so does
      // the page's second reading.
      // Words broken where their line ends (a narrow table cell), read closed up (pdf-content.ts brokenWords).
      const closed = brokenWords(text);
      if (st.alts.length || searched || closed || layered) text = [text, ...st.alts, searched, closed, layered].filter(Boolean).join(SEPARATOR);
      // The previous page's last line and this one's first, as pdftotext gives them (「秘」, a form feed,
      // 「Confidential」): a stamp split by a page break is read across it.
      if (bottom && st.top) text = [text, `${bottom}\n\f${st.top}`].filter(Boolean).join(SEPARATOR);
      bottom = st.bottom;
    } catch (e) {
      if (isScanError(e)) throw e;
      badPages++;
      bottom = '';
    }
    yield* textItems(text, { page: pageNo });
  }

  // Form fields (values, tooltips, captions, options), also those not attached to any page.
  try {
    yield* textItems(formText(doc, ctx.checkTime), { area: 'form' });
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'PDF form fields could not be read', where: { area: 'form' } };
  }
  try {
    const xfa = xfaText(doc);
    if (xfa === null) yield { kind: 'unscannable', reason: 'corrupt', detail: 'the PDF\'s XFA form could not be read', where: { area: 'form' } };
    else yield* textItems(xfa, { area: 'form' });
  } catch (e) {
    if (isScanError(e)) throw e;
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'the PDF\'s XFA form could not be read', where: { area: 'form' } };
  }
  yield* attachments(doc, pages, ctx);
  if (capped) yield { kind: 'unscannable', reason: 'too-large', detail: `PDF has more than ${MAX_PAGES.toLocaleString('en')} pages; the rest were not read` };

  // Text drawn in fonts that do not say which characters their glyphs are (no ToUnicode map, glyph
  // numbers for codes) was not read: the stamp could be among those glyphs. A stamp found elsewhere still marks the file.
  if (unread.glyphs > 0) {
    yield {
      kind: 'unscannable',
      reason: 'unsupported',
      detail: `${unread.glyphs} character(s), from page ${unread.page} on, are drawn in fonts that do not say which characters they are (no ToUnicode map, or one that names none): that text could not be read`,
      where: { page: unread.page },
    };
  }
  // A ToUnicode map that names characters its glyphs cannot be (a PDF rewriter's damaged map): the page
  // shows other text than the map gives (pdftotext reads 「ù Confidential」 where the page shows 「秘 Confidential」).
  if (misread.glyphs > 0) {
    yield {
      kind: 'unscannable',
      reason: 'corrupt',
      detail: `PDF text layer is damaged: ${misread.glyphs} character(s), from page ${misread.page} on, are given by their font's ToUnicode map as characters the glyphs cannot be (a full-width glyph as an accented Latin letter, a control code): the text the page shows could not be read`,
      where: { page: misread.page },
    };
  }
  if (pagesOverLimits > 0) {
    yield {
      kind: 'unscannable',
      reason: 'too-large',
      detail: `${pagesOverLimits} page(s) draw more forms or annotations, or nest forms deeper, than the reader follows on one page: not read whole`,
    };
  }
  // Objects the document refers to and its cross-reference lists, that are neither where it says nor
  // anywhere the repair scan looked (overwritten, cut out): what they held (a field, an annotation, a
  // page's resources) was not read. pdftotext says "xref num N not found but needed".
  if (doc.unloadable.size > 0) {
    yield { kind: 'unscannable', reason: 'corrupt', detail: `PDF is damaged (${doc.unloadable.size} object(s) it refers to cannot be read)` };
  }
  // Objects read past syntax errors (a key that is no name, a hex string with other bytes in it): what the
  // skipped part held was not read. pdftotext: "Dictionary key must be a name object", "Illegal character".
  if (doc.packedDamaged) {
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'PDF is damaged (a cross-reference or object stream does not decode: the objects in it are lost)' };
  }
  if (doc.malformed.size > 0) {
    yield { kind: 'unscannable', reason: 'corrupt', detail: `PDF is damaged (${doc.malformed.size} object(s) with broken syntax)` };
  }
  // No %%EOF at the end: the file was cut short, and whatever followed was not read.
  if (badPages > 0 || fromScan || treeBroken || truncated) {
    yield {
      kind: 'unscannable',
      reason: 'corrupt',
      detail: badPages
        ? `PDF is damaged (${badPages} page(s) not fully readable)`
        : truncated
          ? 'PDF is truncated'
          : 'PDF is damaged (page tree broken)',
    };
  }
};

/**
 * Whether the file was cut short: no %%EOF near its end, or, after the last one, the start of an update
 * that never got its own (an object, an xref table or a trailer: an edit saved as an incremental update
 * and then cut off in a download or a copy). Such an update can hold the stamp, and the revision before it
 * is all that reads whole; bytes after %%EOF that are not PDF syntax (padding, a producer's junk) are not damage,
 * and padding after it (NULs, Ctrl-Z, however much a copy left, up to PADDING_MAX) is looked past.
 */
function cutShort(buf: Uint8Array): boolean {
  // The last %%EOF is looked for near the end of the content, past trailing padding (NULs, Ctrl-Z).
  const end = paddedEnd(buf);
  const eof = findBytesBack(buf, '%%EOF', end - 5, Math.max(0, end - 2048));
  if (eof < 0) return true;
  const after = new TextDecoder('latin1').decode(buf.subarray(eof + 5)).replace(/^[\s\0]+/, '');
  // An update starts with an object (or, cut sooner, with its number) or with its xref table.
  return /^(\d|xref|trailer|startxref)/.test(after) || /\d+\s+\d+\s+obj\b|\bxref\b|\btrailer\b|\bstartxref\b/.test(after);
}
