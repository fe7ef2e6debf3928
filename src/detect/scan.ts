/**
 * The scanner: read/decode (extractors) → match (rules) → report (verdict). Recurses into
 * archive members, enforces every limit, and always ends in exactly one verdict — it never
 * throws and never runs past its time budget.
 */
import { compileDesignated, normalizeLabel, type CompiledDesignated } from './rules/designated.js';
import { checkName, matchText, nameVerdict } from './rules/verdicts.js';
import { RATIO_FLOOR_BYTES, resolveLimits } from './limits.js';
import { sha256Blob } from './sha256.js';
import { extImage, namedAsStructured, sniff, splitVolume, unreadByName, unsupportedArchive, type Format } from './sniff.js';
import { decodeName, readBytes, startsWith } from './bytes.js';
import { rarFiles, rarLaterVolume } from './extract/rar-headers.js';
import type { Limits, Location, ScanOptions, ScanResult, UnscannableVerdict, Verdict, Where } from './types.js';
import { nameOnly, ScanError, ScanLimitError, type ExtractContext, type Extractor } from './extract/types.js';
import { extractCutZip, extractZip } from './extract/zip.js';
import { splitZipNames, splitZipPiece, type SplitZipDirectory } from './extract/zip-split.js';
import { arjNames } from './extract/arj-names.js';
import { xarNames } from './extract/xar-names.js';
import { extractOoxml } from './extract/ooxml.js';
import { extractOdf } from './extract/odf.js';
import { extractTar } from './extract/tar.js';
import { extractGzip } from './extract/gzip.js';
import { extractZlib } from './extract/zlib.js';
import { shownOrder } from './bidi.js';
import { extractRpm } from './extract/rpm.js';
import { extractScriptPayload } from './extract/script-payload.js';
import { prefixedArchive } from './extract/picture-archive.js';
import { archiveExtractor } from './extract/archive.js';
import { extractXz } from './extract/xz.js';
import { extractBzip2 } from './extract/bzip2.js';
import { extractCompress } from './extract/compress.js';
import { extractLzip } from './extract/lzip.js';
import { extractZstd } from './extract/zstd.js';
import { extractShellArchive, extractUu } from './extract/uu.js';
import { extractWarc } from './extract/warc.js';
import { extractIwa } from './extract/iwa.js';
import { extractMetafile } from './extract/metafile.js';
import { extractDxf } from './extract/dxf.js';
import { extractVobject } from './extract/vobject.js';
import { extractLdif } from './extract/ldif.js';
import { extractTnef } from './extract/tnef.js';
import { extractPalmBook } from './extract/palm-book.js';
import { extractDvi } from './extract/dvi.js';
import { extractTcr } from './extract/tcr.js';
import { extractSealed, extractSigned } from './extract/sealed.js';
import { extractIso } from './extract/iso.js';
import { extractHtml } from './extract/html.js';
import { extractPlist } from './extract/plist.js';
import { extractPdf } from './extract/pdf.js';
import { extractOle2 } from './extract/ole2.js';
import { extractRtf } from './extract/rtf.js';
import { extractText } from './extract/text.js';
import { extractBinary } from './extract/binary.js';
import { extractSqlite } from './extract/sqlite.js';
import { extractEmlx, extractEml } from './extract/eml.js';
import { extractFormData } from './extract/form-data.js';
import { extractMbox } from './extract/mbox.js';
import { readZipDirectory, ZipEndMissing, type ZipEntry } from './extract/zip-reader.js';

export { checkName, scanText } from './rules/verdicts.js';

/** Scan a file (or any Blob) named `name`. Never throws. */
export async function scanBlob(blob: Blob, name: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const limits = resolveLimits(opts.limits);
  const designated = compileDesignated(opts.designated);
  let format = 'unknown';
  let sha256: string | undefined;
  const done = (v: Verdict): ScanResult => ({ ...v, format, size: blob.size, ...(sha256 ? { sha256 } : {}), ms: Math.round(performance.now() - started) });
  try {
    const byName = checkName(name, opts.designated);
    if (byName) return done(byName);
    if (blob.size > limits.maxBytes) {
      return done({ verdict: 'unscannable', reason: 'too-large', detail: `${blob.size} bytes is over the ${limits.maxBytes}-byte limit` });
    }
    if (opts.hash === true || designated.sha256.size > 0) {
      sha256 = await sha256Blob(blob);
      if (designated.sha256.has(sha256)) return done({ verdict: 'marked', rule: 3, reason: 'sha256', location: { path: [] }, excerpt: sha256 });
    }
    const scanner = new Scanner(limits, designated, started, blob.size, opts.signal);
    const verdict = await scanner.scan(blob, name, [], 0, (f) => (format = f)).catch(unscannable);
    if (opts.hash === 'unless-clean' && verdict.verdict !== 'clean' && !sha256) sha256 = await sha256Blob(blob);
    return done(verdict);
  } catch (err) {
    return done(unscannable(err));
  }
}

function unscannable(err: unknown): UnscannableVerdict {
  if (err instanceof ScanError) return { verdict: 'unscannable', reason: err.reason, detail: err.message };
  return { verdict: 'unscannable', reason: 'corrupt', detail: describeError(err) };
}

const EXTRACTORS: Record<Exclude<Format, 'zip' | 'unsupported-archive'>, Extractor | null> = {
  pdf: extractPdf,
  'text-pdf': /* @__PURE__ */ thenPdf(extractText),
  'html-pdf': /* @__PURE__ */ thenPdf(extractHtml),
  // Strings and data values, then the bytes as a binary file's (what was read of a binary list before).
  plist: /* @__PURE__ */ thenBytes(extractPlist),
  ole2: extractOle2,
  rtf: extractRtf,
  gzip: extractGzip,
  tar: extractTar,
  html: extractHtml,
  xml: extractHtml,
  text: extractText,
  // MARKINGS.md: images (a scanned stamp) are not text, so they are clean (no OCR, nothing to read).
  image: null,
  media: null,
  '7z': /* @__PURE__ */ archiveExtractor('7z'),
  rar: /* @__PURE__ */ archiveExtractor('rar'),
  cab: /* @__PURE__ */ archiveExtractor('cab'),
  lzh: /* @__PURE__ */ archiveExtractor('lzh'),
  cpio: /* @__PURE__ */ archiveExtractor('cpio'),
  ar: /* @__PURE__ */ archiveExtractor('ar'),
  rpm: extractRpm,
  // A disc image's bytes are searched too: a boot image (El Torito) and files hidden from every directory
  // (`genisoimage -hide`) are in sectors no directory names.
  iso: /* @__PURE__ */ thenBytes(extractIso),
  compress: extractCompress,
  lzip: extractLzip,
  uu: extractUu,
  warc: extractWarc,
  shar: extractShellArchive,
  iwa: extractIwa,
  metafile: extractMetafile,
  dxf: extractDxf,
  vobject: extractVobject,
  ldif: extractLdif,
  tnef: extractTnef,
  'palm-book': extractPalmBook,
  // TeX's DVI: then its bytes, for what a special or a font name holds as it is.
  dvi: /* @__PURE__ */ thenBytes(extractDvi),
  tcr: extractTcr,
  // A document's companion (sniff.ts companionFile): its bytes are searched, as an unknown file's are.
  companion: extractBinary,
  sealed: extractSealed,
  signed: extractSigned,
  // An archive after a program, a script or a picture, cut out and read by its own format; the bytes
  // before it are a member too (a launch script's text, a program's strings). A ZIP whose offsets count
  // from the file's start cannot be cut out: libarchive reads it in place, after the byte search.
  sfx: /* @__PURE__ */ prefixedArchive(/* @__PURE__ */ alsoBytes(archiveExtractor('sfx'))),
  v7tar: /* @__PURE__ */ archiveExtractor('v7tar'),
  xz: extractXz,
  bzip2: extractBzip2,
  zstd: extractZstd,
  zlib: extractZlib,
  'script-payload': extractScriptPayload,
  'picture-archive': /* @__PURE__ */ prefixedArchive(/* @__PURE__ */ alsoBytes(archiveExtractor('sfx'))),
  binary: extractBinary,
  sqlite: extractSqlite,
  empty: null,
  // eslint-disable-next-line require-yield -- an Extractor that only refuses: it throws before yielding anything
  'empty-document': async function* () {
    throw new ScanError('corrupt', 'the file is empty (0 bytes): no document of its type can be');
  },
  eml: extractEml,
  // A web archive is a MIME message (multipart/related) and is read as one.
  mhtml: extractEml,
  emlx: extractEmlx,
  mbox: extractMbox,
  'form-data': extractFormData,
};

/**
 * Bytes whose structure could not be read, searched by the byte prefilter only (a stamp found is
 * found), and never clean: `why` says what kept the rest unread (or finds it out from the bytes).
 * A declaration, so EXTRACTORS above can use it.
 */
function bytesOnly(reason: UnscannableVerdict['reason'], why: string | ((blob: Blob) => Promise<string>)): Extractor {
  return async function* (blob, ctx) {
    yield* extractBinary(blob, ctx);
    yield { kind: 'unscannable', reason, detail: typeof why === 'string' ? why : await why(blob) };
  };
}

/** `read`, after the byte prefilter has searched the whole file (for what lies outside the structure `read` follows). */
function alsoBytes(read: Extractor): Extractor {
  return async function* (blob, ctx) {
    yield* extractBinary(blob, ctx);
    yield* read(blob, ctx);
  };
}

/**
 * Text or a page with a PDF behind it (sniff.ts pdfBehindText, or a PDF's objects in text): read as
 * what an editor or a browser shows, then as the PDF a PDF reader opens.
 */
function thenPdf(read: Extractor): Extractor {
  return async function* (blob, ctx) {
    yield* read(blob, ctx);
    yield* extractPdf(blob, ctx);
  };
}

/** `read`, then the byte prefilter over the whole file: what the structure names is found (and located) there first. */
function thenBytes(read: Extractor): Extractor {
  return async function* (blob, ctx) {
    yield* read(blob, ctx);
    yield* extractBinary(blob, ctx);
  };
}

/** A format recognised but not read here (sniff.ts), named from its first bytes or from `name`. */
function unreadable(name: string): Extractor {
  const bytes = bytesOnly('unsupported', async (blob) => {
    const head = new TextDecoder('latin1').decode(await readBytes(blob, 0, Math.min(blob.size, 1024)));
    const what = unsupportedArchive(head) ?? unreadByName(name) ?? ((await extImage(blob)) ? 'an ext2/3/4 disk image' : 'a format known by its name');
    return `a format whose content cannot be opened here (${what})`;
  });
  return async function* (blob, ctx) {
    // An ARJ's headers are plain: its members' names face rule 2, though their data are not decoded.
    if (startsWith(await readBytes(blob, 0, 2), [0x60, 0xea])) for (const n of arjNames(await readBytes(blob), 2 * ctx.limits.maxEntries)) yield nameOnly(n);
    // So is an xar's table of contents, once inflated: a damaged one leaves the names unread (still unscannable).
    let xar: string[] = [];
    try {
      xar = await xarNames(blob, ctx);
    } catch (err) {
      if (err instanceof ScanLimitError) throw err;
    }
    for (const n of xar) yield nameOnly(n);
    yield* bytes(blob, ctx);
  };
}

/** A file named like a container (`.docx`, `.gz`, `.pdf`…) whose bytes are none of the formats we know. */
const misnamedContainer = bytesOnly('corrupt', 'the file is not in the format its name says (damaged or truncated)');

/**
 * A later volume of a RAR set: unreadable as a piece (splitPiece), but its headers still name its
 * members, which a listing shows (rule 2).
 */
const rarVolume: Extractor = async function* (blob, ctx) {
  for (const f of rarFiles(await readBytes(blob))) if (!f.directory) yield nameOnly(decodeName(f.name, f.unicode).replace(/\\/g, '/'));
  yield* splitPiece(blob, ctx);
};

/** A later piece of a split archive (sniff.ts SPLIT_VOLUME). */
const splitPiece = bytesOnly('unsupported', 'a piece of an archive split into volumes: it cannot be read without the pieces before it');

/** The last piece of a split ZIP (zip-split.ts): its members' names, then a piece like the others. */
const splitZipEnd =
  (directory: SplitZipDirectory): Extractor =>
  async function* (blob, ctx) {
    if (directory) for await (const n of splitZipNames(blob, directory, ctx)) yield nameOnly(n);
    yield* splitPiece(blob, ctx);
  };

/** Formats that hold other files: their nesting counts against limits.maxDepth. */
const CONTAINERS = new Set<Format>(['gzip', 'tar', 'ole2', 'eml', 'emlx', 'mhtml', 'mbox', 'form-data', '7z', 'rar', 'cab', 'lzh', 'cpio', 'ar', 'rpm', 'iso', 'compress', 'lzip', 'uu', 'shar', 'iwa', 'dxf', 'vobject', 'signed', 'sfx', 'v7tar', 'xz', 'bzip2', 'zstd', 'warc', 'zlib', 'script-payload', 'picture-archive', 'sqlite', 'ldif', 'tnef', 'palm-book', 'tcr']);

class Scanner {
  private expanded = 0;
  private entries = 0;
  private readonly deadline: number;

  constructor(
    private readonly limits: Limits,
    private readonly designated: CompiledDesignated,
    started: number,
    topSize: number,
    private readonly signal?: AbortSignal,
  ) {
    this.deadline = started + limits.timeBudgetMs;
    // Overlapping-entry bombs keep each member's ratio modest; the total gives them away.
    this.maxExpanded = Math.min(limits.maxExpandedBytes, Math.max(64 * RATIO_FLOOR_BYTES, limits.maxRatio * topSize));
  }

  private readonly maxExpanded: number;

  private readonly checkTime = (): void => {
    if (performance.now() > this.deadline) throw new ScanLimitError('time-budget', `scan took longer than ${this.limits.timeBudgetMs} ms`);
    if (this.signal?.aborted) throw new ScanLimitError('time-budget', 'scan was cancelled');
  };

  private context(depth: number, object: boolean): ExtractContext {
    return {
      limits: this.limits,
      depth,
      object,
      fullText: this.designated.fullText,
      pictureHeads: this.designated.sha256.size === 0,
      checkTime: this.checkTime,
      addExpanded: (bytes) => {
        this.expanded += bytes;
        if (this.expanded > this.maxExpanded) {
          throw new ScanLimitError('expansion-ratio', `archive expands past ${this.maxExpanded} bytes in total (suspected archive bomb)`);
        }
      },
      addEntry: () => {
        if (++this.entries > this.limits.maxEntries) throw new ScanLimitError('too-many-entries', `more than ${this.limits.maxEntries} archive entries`);
      },
    };
  }

  /** Scan one blob at archive `depth`; `path` names the members that lead to it; `object`: see ExtractContext. */
  async scan(blob: Blob, name: string, path: string[], depth: number, onFormat?: (f: string) => void, object = false): Promise<Verdict> {
    let problem: UnscannableVerdict | null = null;
    const note = (v: UnscannableVerdict) => (problem ??= v);
    try {
      this.checkTime();
      const { format, extractor, container } = await this.pick(blob, name);
      onFormat?.(format);
      if (!extractor) return { verdict: 'clean' };
      if (container && depth > this.limits.maxDepth) {
        return { verdict: 'unscannable', reason: 'too-deep', detail: `archives nest more than ${this.limits.maxDepth} deep`, location: { path } };
      }
      const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
      for await (const item of extractor(blob, { ...this.context(depth, object), name: base })) {
        this.checkTime();
        if (item.kind === 'text') {
          // A right-to-left override shows the text after it reversed: read as shown too (bidi.ts).
          const where = at(path, item.where);
          const hit = matchText(item.text, this.designated, where) ?? (item.text.includes('\u202E') ? matchText(shownOrder(item.text), this.designated, where) : null);
          if (hit) return hit;
        } else if (item.kind === 'label') {
          if (this.designated.labels.has(normalizeLabel(item.label))) {
            return { verdict: 'marked', rule: 3, reason: 'label', location: at(path, item.where), excerpt: item.label };
          }
        } else if (item.kind === 'member') {
          const memberName = item.name || streamMemberName(name);
          // A nameless stream whose file has no compressor's suffix (a .gnumeric is gzip, a makeself .run
          // holds its archive compressed) is the file itself: located as the file is, not as 「x の中の x」.
          const itself = !item.name && memberName === name;
          // A payload takes its container's place; at the top it is the file itself (an archive cut out of
          // a self-extractor, extract/picture-archive.ts), located as the file is: by its members alone.
          // A part of the document stored as a member is the document: located as it is, the member as its part.
          const memberPath = itself || item.part ? path : item.payload && !path.length ? [] : [...(item.payload ? path.slice(0, -1) : path), memberName];
          const byName = nameVerdict(memberName, this.designated, memberPath);
          if (byName) return byName;
          if (item.nameOnly) continue; // its unread content is reported by the extractor, with the reason
          if (this.designated.sha256.size > 0 && this.designated.sha256.has(await sha256Blob(item.data))) {
            return { verdict: 'marked', rule: 3, reason: 'sha256', location: { path: memberPath }, excerpt: memberName };
          }
          const found = await this.scan(item.data, memberName, memberPath, depth + 1, undefined, item.object);
          const atPart = item.part && found.verdict !== 'clean' && found.location?.path.length === memberPath.length;
          const v = atPart ? { ...found, location: { ...found.location, path: memberPath, part: memberName } } : found;
          if (v.verdict === 'marked') return v;
          if (v.verdict === 'unscannable') note(v);
        } else {
          note({ verdict: 'unscannable', reason: item.reason, detail: item.detail, location: at(path, item.where) });
        }
      }
    } catch (err) {
      if (!(err instanceof ScanError)) return note({ verdict: 'unscannable', reason: 'corrupt', detail: describeError(err), location: { path } });
      if (err instanceof ScanLimitError || err.reason === 'time-budget' || depth === 0) throw err;
      return note({ verdict: 'unscannable', reason: err.reason, detail: err.message, location: { path } });
    }
    return problem ?? { verdict: 'clean' };
  }

  private async pick(blob: Blob, name: string): Promise<{ format: string; extractor: Extractor | null; container: boolean }> {
    const format = await sniff(blob, name);
    // A later volume of a RAR set: its first member is the rest of one that began before (libarchive skips it).
    if (format === 'rar' && (splitVolume(name) || rarLaterVolume(await readBytes(blob, 0, Math.min(blob.size, 64))))) {
      return { format, extractor: rarVolume, container: false };
    }
    // A piece of a split archive whose members were stored as they are (7z -m0=Copy, tar, a stored ZIP) reads
    // as text: still a piece, not a whole.
    if (format === 'text' && splitVolume(name)) return { format, extractor: splitPiece, container: false };
    if (format === 'binary' && namedAsStructured(name)) return { format, extractor: splitVolume(name) ? splitPiece : misnamedContainer, container: false };
    // The last piece of a split ZIP: its directory names the members whose data the pieces before it hold.
    const split = format === 'zip' || format === 'sfx' ? await splitZipPiece(blob, format === 'sfx') : undefined;
    if (split !== undefined) return { format, extractor: splitZipEnd(split), container: false };
    // Searched by the byte prefilter only, never clean; the name may be all that tells the format.
    if (format === 'unsupported-archive') return { format, extractor: unreadable(name), container: false };
    if (format !== 'zip') return { format, extractor: EXTRACTORS[format], container: CONTAINERS.has(format) };
    // One look at the member names tells OOXML and ODF from a plain archive, whatever the extension says.
    let entries: ZipEntry[];
    try {
      entries = await readZipDirectory(blob, this.context(0, false));
    } catch (err) {
      // No end record at all: read by its local entries, as far as they go.
      if (err instanceof ZipEndMissing) return { format: 'zip', extractor: extractCutZip, container: true };
      throw err;
    }
    const names = new Set(entries.map((e) => e.name));
    // A .docx/.xlsx/.pptx that lost its content types is a damaged package, not a plain archive.
    // Other packages in the same container format (NuGet, VSIX, MSIX, 3MF) are plain archives to us.
    if (OOXML_EXT.test(name) || (names.has('[Content_Types].xml') && [...names].some((n) => OFFICE_PART.test(n)))) {
      return { format: ooxmlKind(names), extractor: extractOoxml, container: true };
    }
    if (names.has('mimetype') && (names.has('content.xml') || names.has('META-INF/manifest.xml'))) {
      return { format: 'odf', extractor: extractOdf, container: true };
    }
    return { format: 'zip', extractor: extractZip, container: true };
  }
}

const OOXML_EXT = /\.(doc|dot|xls|xlt|ppt|pot|pps)[xmb]$/i;
/** Parts only Office documents and XPS hold: their folders, a fixed page. */
const OFFICE_PART = /^(?:word|xl|ppt|visio)\/|\.fpage$/i;

function ooxmlKind(names: Set<string>): string {
  if (names.has('word/document.xml')) return 'docx';
  if (names.has('xl/workbook.xml')) return 'xlsx';
  if (names.has('xl/workbook.bin')) return 'xlsb';
  if (names.has('ppt/presentation.xml')) return 'pptx';
  return 'ooxml';
}

/**
 * The content of a single-stream compressor is named after the file: x.txt.gz → x.txt, x.tgz → x.tar,
 * x.tar.xz → x.tar, x.csv.Z → x.csv, x.taz → x.tar, x.tar.lz → x.tar, x.tlz → x.tar.
 */
function streamMemberName(name: string): string {
  return name.replace(/\.(t?gz|t?xz|t?bz2?|tbz2|t?zst|zstd|zz|zlib|Z|taz|t?lz)$/i, (ext) => (/^\.t(gz|xz|bz2?|zst|az|lz)$/i.test(ext) ? '.tar' : ''));
}

function at(path: string[], where: Where | undefined): Location {
  return { path, ...where };
}

function describeError(err: unknown): string {
  return `unreadable: ${String((err as Error)?.message ?? err).slice(0, 200)}`;
}
