/**
 * Compound File (OLE2) documents: legacy Word (.doc), Excel (.xls), PowerPoint (.ppt), their
 * property sets, embedded objects, encrypted OOXML packages, and any other compound file.
 *
 * The container is read with the small bounded reader in cfb-reader.ts (not the `cfb` package:
 * it is CJS, reads whole files into its own structures, and its errors and loops on damaged input
 * are not under our control).
 */
import { embeddedObject } from '../member-names.js';
import { Cfb, type CfbEntry } from './cfb-reader.js';
import { blobOf } from '../bytes.js';
import { readPropertySets } from './ole2-props.js';
import { MAX_VERIFIED_HITS, scanBytes } from './binary.js';
import { readDoc } from './ole2-doc.js';
import { readXls } from './ole2-xls.js';
import { unreadFormulas } from './formula-text.js';
import { readPpt, type PptObject } from './ole2-ppt.js';
import { inflateRaw } from './inflate.js';
import { metafileBlips, type MetafileBlip } from './office-blips.js';
import { isMsg, readMsg } from './msg.js';
import { ScanError, ScanLimitError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import type { Where } from '../types.js';
import { chunkText } from '../text-chunks.js';
import { mtefText } from './mtef.js';

/** The stream of an Equation Editor 3.0 / MathType object that holds the equation (MTEF). */
const EQUATION_NATIVE = 'Equation Native';

const MSIP = /^MSIP_Label_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(\w+)$/i;

/** Nesting of embedded compound documents handled inside one file. */
const MAX_NESTED_STORAGES = 4;

export const extractOle2: Extractor = async function* (blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    throw new ScanError('corrupt', `cannot read input: ${(e as Error)?.message ?? e}`);
  }
  let cfb: Cfb;
  try {
    cfb = new Cfb(bytes, ctx.checkTime);
  } catch (e) {
    if (e instanceof ScanError) throw e;
    throw new ScanError('corrupt', `damaged compound file: ${(e as Error)?.message ?? e}`);
  }
  // A directory that lists nothing was damaged: a real compound file holds at least one stream.
  if (cfb.root.children.length === 0) throw new ScanError('corrupt', 'damaged compound file: empty directory');
  const read = new Map<CfbEntry, [number, number][]>();
  const known = yield* storage(cfb, cfb.root, ctx, 0, read);
  // Backstop: the byte prefilter over every stream, so text a structured reader could not reach
  // (a damaged piece table, a record it does not know, a stream no reader claims) is still searched.
  // A Word document's text, read story by story, is passed over (DocResult.textBytes).
  const budget = { left: MAX_VERIFIED_HITS };
  for (const e of cfb.streams()) {
    ctx.checkTime();
    // An equation object's characters are records of their own (mtef.ts): read them as the equation shows them.
    if (e.name === EQUATION_NATIVE) for (const text of chunkText(mtefText(cfb.read(e)))) yield { kind: 'text', text, where: { part: e.path, area: 'body' } };
    const ranges = read.get(e);
    yield* scanBytes(ranges ? withoutRanges(cfb.read(e), ranges) : cfb.read(e), ctx, { part: e.path, area: 'binary', budget });
  }
  for (const p of cfb.problems) yield { kind: 'unscannable', reason: 'corrupt', detail: `damaged compound file: ${p.detail}`, where: { part: p.part } };
  // A compound document of a kind no reader here knows (a Visio drawing, a Hangul document, a Windows
  // Installer package): its text may be compressed or in a code of its own, so bytes without a stamp do
  // not make it clean. An object a document embeds is searched by its bytes alone (ExtractContext.object).
  if (!ctx.object && !known && !thumbnails(cfb)) {
    yield { kind: 'unscannable', reason: 'unsupported', detail: `a compound document of a kind not read here (${userType(cfb)})` };
  }
};

/**
 * Windows' thumbnail cache (Thumbs.db, in the folders of network shares a ZIP is made from): pictures
 * only, clean as any picture (MARKINGS.md). Its streams are a Catalog and one per picture, named by a
 * number (Windows XP) or by size and hash (`256_0123456789abcdef`, later versions).
 */
function thumbnails(cfb: Cfb): boolean {
  const names = cfb.root.children.map((c) => c.name);
  return names.length > 0 && names.every((n) => /^(Catalog|\d+|\d+_[0-9a-f]{16})$/i.test(n));
}

/** Classes of compound files that carry no \x01CompObj to say what they are. */
const CLASSES: Record<string, string> = {
  '000C1084-0000-0000-C000-000000000046': 'Windows Installer package',
  '000C1086-0000-0000-C000-000000000046': 'Windows Installer patch',
  '000C1082-0000-0000-C000-000000000046': 'Windows Installer transform',
};

/** The kind a compound file says it is (\x01CompObj's user type, [MS-OLEDS] 2.3.8, or its class), for a person to read. */
function userType(cfb: Cfb): string {
  const e = cfb.child(cfb.root, '\u0001CompObj');
  const b = e ? cfb.read(e) : null;
  const len = b && b.length >= 32 ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(28, true) : 0;
  const text = b ? String.fromCharCode(...b.subarray(32, 32 + Math.min(len, 80, b.length - 32))).replace(/[^\x20-\x7e]/g, '').trim() : '';
  return text || CLASSES[cfb.rootClsid] || `class ${cfb.rootClsid}`;
}

/** Text runs of a string, split when long. */
function* run(text: string, where: Where): Generator<Extracted> {
  if (!text.trim()) return;
  for (const t of chunkText(text)) yield { kind: 'text', text: t, where };
}

function guard<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ScanError) throw e;
    throw new ScanError('corrupt', `damaged ${what}: ${(e as Error)?.message ?? e}`);
  }
}

/** Reads one storage; returns whether a reader knew its kind (a document, an Outlook item, an object's payload). */
/** `bytes` with the given ranges zeroed (a copy). */
function withoutRanges(bytes: Uint8Array, ranges: [number, number][]): Uint8Array {
  const out = bytes.slice();
  for (const [a, b] of ranges) out.fill(0, Math.max(0, a), Math.min(out.length, b));
  return out;
}

/** Streams whose text a structured reader read, by stream: byte ranges the backstop passes over. */
type ReadRanges = Map<CfbEntry, [number, number][]>;

async function* storage(cfb: Cfb, st: CfbEntry, ctx: ExtractContext, nest: number, read: ReadRanges = new Map()): AsyncGenerator<Extracted, boolean> {
  ctx.checkTime();
  const has = (n: string) => cfb.child(st, n);
  const prefix = st.path ? st.path + '/' : '';

  // Encrypted OOXML: "save with password" in Office and LibreOffice (EncryptionInfo), or rights
  // management (IRM, a sensitivity label that encrypts: \x06DataSpaces, no EncryptionInfo); a binary
  // document under IRM keeps the original in \x09DRMContent.
  // Their property sets are not encrypted: a sensitivity label there is read first (rule 3).
  if (has('EncryptedPackage') || has('\u0009DRMContent')) {
    yield* propertySets(cfb, st);
    throw new ScanError('encrypted', has('EncryptionInfo') ? 'password-protected Office document' : 'Office document protected by rights management (IRM)');
  }
  if (has('EncryptedSummary')) throw new ScanError('encrypted', 'password-protected PowerPoint presentation');

  // An Outlook item (.msg): its own reader, which comes back here for embedded OLE objects.
  if (isMsg(cfb, st)) {
    yield* readMsg(cfb, st, ctx, nest, (s, n) => storage(cfb, s, ctx, n, read));
    return true;
  }

  const word = has('WordDocument');
  const book = has('Workbook') ?? has('Book');
  const ppt = has('PowerPoint Document');
  if (word) {
    const table = has('1Table');
    const table0 = has('0Table');
    const doc = guard('Word document', () =>
      readDoc(
        cfb.read(word),
        (which) => {
          const t = which === 1 ? table : table0;
          return t ? cfb.read(t) : null;
        },
        () => {
          const data = has('Data');
          return data ? cfb.read(data) : null;
        },
      ),
    );
    if (doc.encrypted) throw new ScanError('encrypted', 'password-protected Word document');
    if (doc.damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: `damaged Word document: ${doc.damaged}`, where: { part: prefix + 'WordDocument' } };
    if (doc.tooLarge) yield { kind: 'unscannable', reason: 'too-large', detail: `Word document: ${doc.tooLarge}`, where: { part: prefix + 'WordDocument' } };
    if (doc.stories) {
      for (const s of doc.stories) yield* run(s.text, { part: prefix + 'WordDocument', area: s.area });
      if (doc.textBytes) read.set(word, doc.textBytes);
    } else {
      // The piece table could not be read: look for the stamp in the raw stream (UTF-16LE, both alignments).
      yield* scanBytes(cfb.read(word), ctx, { part: prefix + 'WordDocument', area: 'body' });
    }
  }
  if (book) {
    const xls = guard('Excel workbook', () => readXls(cfb.read(book), ctx.checkTime, ctx.name));
    if (xls.encrypted) throw new ScanError('encrypted', 'password-protected Excel workbook');
    if (xls.damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: `damaged Excel workbook: ${xls.damaged}`, where: { part: prefix + book.name } };
    if (xls.tooLarge) yield { kind: 'unscannable', reason: 'too-large', detail: `Excel workbook: ${xls.tooLarge}`, where: { part: prefix + book.name } };
    // A formula that may show the stamp, stored without its value and not evaluable here (formula-text.ts).
    if (xls.unread.length) yield unreadFormulas(xls.unread.map((c) => c.cell), { part: prefix + book.name, sheet: xls.unread[0].sheet });
    for (const c of xls.cells) yield* run(c.text, { part: prefix + book.name, sheet: c.sheet, cell: c.cell });
    for (const r of xls.rows) yield* run(r.text, { part: prefix + book.name, sheet: r.sheet, cell: r.cell });
    for (const s of xls.sheets) yield* run(s.text, { part: prefix + book.name, sheet: s.sheet, area: s.area });
    for (const s of xls.other) yield* run(s.text, { part: prefix + book.name, area: s.area });
  }
  if (ppt) {
    const p = guard('PowerPoint presentation', () => readPpt(cfb.read(ppt), ctx.checkTime));
    if (p.encrypted) throw new ScanError('encrypted', 'password-protected PowerPoint presentation');
    if (p.damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: `damaged PowerPoint presentation: ${p.damaged}`, where: { part: prefix + 'PowerPoint Document' } };
    for (const g of p.groups) {
      const where: Where = { part: prefix + 'PowerPoint Document', area: g.area };
      if (g.slide) where.slide = g.slide;
      if (g.notes) where.notes = true;
      yield* run(g.text, where);
    }
    // Embedded objects (an Excel sheet, a file shown as an icon) live in the stream itself, each its
    // own compound file, mostly zlib-compressed: read as files of their own, as a .doc's ObjectPool is.
    for (const [i, o] of p.objects.entries()) {
      const part = `${prefix}PowerPoint Document: embedded object ${i + 1}`;
      const data = await pptObject(o, ctx, part).catch((e: unknown) => {
        if (!(e instanceof ScanError) || e instanceof ScanLimitError) throw e;
        return e;
      });
      if (data instanceof ScanError) yield { kind: 'unscannable', reason: data.reason, detail: data.message, where: { part } };
      else {
        ctx.addEntry();
        yield { kind: 'member', name: embeddedObject(i + 1), data: blobOf(data), where: { part }, object: true };
      }
    }
    // Pictures LibreOffice draws in place of a shape (a callout) are metafiles with text records, deflated.
    const store = has('Pictures');
    if (store) {
      const part = prefix + 'Pictures';
      const { blips, damaged } = metafileBlips(cfb.read(store));
      if (damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: 'damaged PowerPoint picture store', where: { part } };
      for (const [i, blip] of blips.entries()) {
        const name = `picture${i + 1}.${blip.kind}`;
        const data = await blipBytes(blip, ctx, `${part}: ${name}`).catch((e: unknown) => {
          if (!(e instanceof ScanError) || e instanceof ScanLimitError) throw e;
          return e;
        });
        if (data instanceof ScanError) yield { kind: 'unscannable', reason: data.reason, detail: data.message, where: { part } };
        else {
          ctx.addEntry();
          yield { kind: 'member', name, data: blobOf(data), where: { part }, object: true };
        }
      }
    }
  }

  yield* propertySets(cfb, st);

  // An embedded object holding a whole file: in a storage of a .doc/.xls/.ppt, or at the root of the
  // compound file OOXML and ODF keep each embedded object in (word/embeddings/oleObject1.bin, ODF's
  // `Object 1`): a file embedded as an icon (the Packager's \x01Ole10Native), a PDF (Acrobat's
  // CONTENTS), a document (Package).
  const payload = st === cfb.root && ctx.depth > 0 ? ({ payload: true } as const) : {};
  const native = has('\u0001Ole10Native');
  if (native) {
    const m = parseOle10Native(cfb.read(native));
    if (m.damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: 'an embedded file whose header is damaged (its bytes are read as they are)', where: { part: native.path } };
    ctx.addEntry();
    ctx.addExpanded(m.data.length);
    yield { kind: 'member', name: m.name || st.name, data: blobOf(m.data), where: { part: native.path }, ...payload };
  }
  let payloads = native ? 1 : 0;
  for (const n of ['Package', 'CONTENTS']) {
    const e = has(n);
    if (e) {
      payloads++;
      const data = cfb.read(e);
      ctx.addEntry();
      ctx.addExpanded(data.length);
      yield { kind: 'member', name: embeddedObject(), data: blobOf(data), where: { part: e.path }, ...payload };
    }
  }

  // Embedded storages (Word ObjectPool, Excel MBD…, PowerPoint-linked objects): each may be a document.
  for (const c of st.children) {
    if (c.type !== 1) continue;
    if (nest >= MAX_NESTED_STORAGES || ctx.depth + nest + 1 > ctx.limits.maxDepth) {
      yield { kind: 'unscannable', reason: 'too-deep', detail: 'embedded objects nest too deep', where: { part: c.path } };
      continue;
    }
    ctx.addEntry();
    yield* storage(cfb, c, ctx, nest + 1, read);
  }

  // Streams no reader claims get the byte prefilter in the backstop pass (extractOle2).
  return Boolean(word || book || ppt) || payloads > 0;
}

/** An ExOleObjStg record's compound file: as stored, or its size then a zlib stream ([MS-PPT] 2.10.34). */
async function pptObject(o: PptObject, ctx: ExtractContext, name: string): Promise<Uint8Array> {
  if (!o.compressed) return o.data;
  // The zlib header (2 bytes) and its Adler-32 trailer (4) around the raw deflate stream.
  if (o.data.length < 10 || (o.data[4] & 0x0f) !== 8) throw new ScanError('corrupt', `damaged embedded object (${name})`);
  const declared = new DataView(o.data.buffer, o.data.byteOffset, o.data.byteLength).getUint32(0, true);
  return (await inflateRaw(blobOf(o.data.subarray(6, o.data.length - 4)), ctx, { name, declared })).bytes();
}

/** A picture store's metafile as drawn: as stored, or a zlib stream of its declared size ([MS-ODRAW] 2.2.31). */
async function blipBytes(blip: MetafileBlip, ctx: ExtractContext, name: string): Promise<Uint8Array> {
  if (!blip.deflated) return blip.data;
  // The zlib header (2 bytes) and its Adler-32 trailer (4) around the raw deflate stream.
  if (blip.data.length < 6 || (blip.data[0] & 0x0f) !== 8) throw new ScanError('corrupt', `damaged picture (${name})`);
  return (await inflateRaw(blobOf(blip.data.subarray(2, blip.data.length - 4)), ctx, { name, declared: blip.size })).bytes();
}

/** A storage's property sets: their values as text, and the sensitivity labels (MSIP_Label_*) they hold. */
function* propertySets(cfb: Cfb, st: CfbEntry): Generator<Extracted> {
  const prefix = st.path ? st.path + '/' : '';
  for (const [name, summary] of [
    ['\u0005SummaryInformation', true],
    ['\u0005DocumentSummaryInformation', false],
  ] as const) {
    const e = cfb.child(st, name);
    if (!e) continue;
    const props = guard('document properties', () => readPropertySets(cfb.read(e), summary));
    for (const p of props) {
      const m = MSIP.exec(p.name);
      if (m) {
        if (/^enabled$/i.test(m[2]) && /^true$/i.test(p.value.trim())) yield { kind: 'label', label: m[1], where: { area: 'properties' } };
        if (/^name$/i.test(m[2])) yield { kind: 'label', label: p.value.trim(), where: { area: 'properties' } };
      }
      yield* run(p.value, { part: prefix + name.slice(1) + (p.name.startsWith('#') ? '' : `: ${p.name}`), area: 'properties' });
    }
  }
}

/**
 * What may follow the data: nothing (older packagers), or the temp path, label and source path again in
 * UTF-16, each a character count then the characters. More bytes than those three say (a data size
 * overwritten by zeros, which leaves the file's bytes behind it) is a header that does not hold together
 * (null); else the UTF-16 strings found (as many as there are whole, up to three).
 */
function trailerStrings(b: Uint8Array, dv: DataView, at: number, end: number): string[] | null {
  const found: string[] = [];
  let o = at;
  for (let k = 0; k < 3 && o + 4 <= end; k++) {
    const chars = dv.getUint32(o, true);
    if (o + 4 + 2 * chars <= end) found.push(new TextDecoder('utf-16le').decode(b.subarray(o + 4, o + 4 + 2 * chars)).replace(/\0+$/, ''));
    o += 4 + 2 * chars;
  }
  // A few bytes of slack: a writer may pad the stream.
  return end - o <= 16 ? found : null;
}

/**
 * `\x01Ole10Native`: size, flags, label, source path, …, temp path, data size, data. An OLE1 Package
 * object (RTF's \objdata) holds the same without the leading size: `sized` false. A header that does not
 * hold together (`damaged`) gives the whole stream as the data: whatever file is in it is still read.
 */
export function parseOle10Native(b: Uint8Array, sized = true): { name: string; data: Uint8Array; damaged?: true } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const start = sized ? 4 : 0;
  const fallback = { name: '', data: b.subarray(Math.min(start, b.length)), damaged: true as const };
  // The leading size is the rest of the stream's (0 taken as unsaid): one past the stream's end is damage.
  const total = (sized && b.length >= 4 && dv.getUint32(0, true)) || b.length - start;
  if (total > b.length - start) return fallback;
  try {
    let o = start + 2;
    const cstr = (): string => {
      const e = b.indexOf(0, o);
      if (e < 0 || e - o > 4096) throw new Error('bad string');
      const s = b.subarray(o, e);
      o = e + 1;
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(s);
      } catch {
        return new TextDecoder('shift_jis').decode(s);
      }
    };
    const label = cstr();
    const src = cstr();
    o += 8;
    cstr(); // temp path
    if (o + 4 > b.length) return fallback;
    const size = dv.getUint32(o, true);
    o += 4;
    if (size > start + total - o) return fallback;
    const unicode = trailerStrings(b, dv, o + size, start + total);
    if (!unicode) return fallback;
    const base = (p: string) => p.split(/[\\/]/).pop() ?? p;
    // The UTF-16 label and path, when written, are the name itself: the ANSI ones may have lost what the
    // code page lacks (docx's EmbeddedFileRun writes 「秘-memo.txt」 as 「_-memo.txt」 there, and in full here).
    const [, uLabel, uSrc] = unicode;
    return { name: uLabel || (uSrc && base(uSrc)) || label || base(src), data: b.subarray(o, o + size) };
  } catch {
    return fallback;
  }
}
