/**
 * The contract between the scanner and the extractors (one module per format).
 * An extractor turns bytes into text runs with locations; it knows nothing of the rules.
 *
 * Coverage accounting — the engine never answers `clean` without having read:
 *  - Everything a reader could see is either yielded (`text`, `label`), handed back as a `member`
 *    (the scanner scans it as a file of its own; unknown formats get the byte prefilter), or
 *    skipped on purpose because it cannot hold text (images, fonts, styles: say so in a comment).
 *  - Anything else the extractor could not read — a damaged part, a stream that ends early, a
 *    chain that loops, an unsupported filter or compression method, a member over a limit — is
 *    reported with `{ kind: 'unscannable', reason, detail, where }`, and the extractor goes on
 *    with what it can still read (a marked sibling still makes the file marked).
 *  - A blob it recognises but cannot parse at all ends with `throw new ScanError('corrupt', …)`.
 *  - Never catch-and-continue in silence: a `catch` either rethrows a ScanError or yields
 *    `unscannable`. Decompress only through ExpansionGuard (expansion-guard.ts).
 * The scanner answers `clean` only when the whole tree of members ended without any of these.
 */
import type { Limits, UnscannableReason, Where } from '../types.js';

/** What an extractor yields, in document order. */
export type Extracted =
  /** Text a reader or a search would find. Yield whole logical units (a part, a page): the
   * matcher only joins text within one run, so a stamp split across formatting runs must be
   * joined by the extractor. Never yield megabytes in one run: split long text with an overlap
   * of at least 64 characters (see `chunkText` in ../text-chunks.ts). */
  | { kind: 'text'; text: string; where: Where }
  /**
   * An archive member or embedded file; the scanner checks its name (rule 2) and scans it recursively.
   * `nameOnly` (made by `nameOnly()`): only the name is checked. Either the content could not be read
   * (encrypted, damaged, an unknown method), and the extractor says why in an `unscannable` item of its
   * own; or it is another name of a file read under its first name (an attachment named twice).
   * `payload`: the file an embedded object carries, yielded by the object's own container (OOXML's
   * `oleObject1.bin`, ODF's `Object 1`). It stands for that container, so its name takes the
   * container's place in the location: 報告書.docx › 仕様書.pdf, not › word/embeddings/oleObject1.bin › 仕様書.pdf.
   * `object`: an object a document embeds (OOXML's embeddings, ODF's `Object 1`, RTF's \objdata); see
   * `ExtractContext.object`.
   * `part`: a part of the document itself, stored as a member (an iWork document's `Index/…/*.iwa`): located
   * as the document is, with the member's name as the part, never as a member the employee would look for.
   */
  | { kind: 'member'; name: string; data: Blob; where?: Where; nameOnly?: true; payload?: true; object?: true; part?: true }
  /** A sensitivity label found in the document (MIP label GUID or name), for rule 3. */
  | { kind: 'label'; label: string; where: Where }
  /** Part of the input could not be read; the scanner decides what this means for the verdict. */
  | { kind: 'unscannable'; reason: UnscannableReason; detail: string; where?: Where };

export interface ExtractContext {
  limits: Limits;
  /** Archive depth of the blob being extracted (0 = the file the user chose). */
  depth: number;
  /** True when rule 3 has content keywords or patterns, so byte prefilters for 秘 must not skip text. */
  fullText: boolean;
  /**
   * True when an image or a recording inside a container may be taken by its first bytes alone (as
   * the scan reads one: scan.ts), its encoding not undone past them. Unset whenever rule 3 names
   * files by SHA-256, which needs every member whole.
   */
  pictureHeads?: boolean;
  /**
   * True when the blob is an object a document embeds (a member marked `object`). A compound file of a
   * kind not read here is then searched by its bytes, as a .doc's embedded objects are: the document
   * also holds a picture of it (read when a metafile). On its own, such a file is `unscannable`.
   */
  object?: boolean;
  /** Throws ScanError('time-budget') once the budget is spent or the scan was aborted. Call it in long loops. */
  /**
   * The base name of the file being read (a member's own name inside an archive): what a spreadsheet's
   * printed header shows for `&F`. Unset when the caller gave none.
   */
  name?: string;
  checkTime(): void;
  /** Accounts expanded bytes against limits.maxExpandedBytes; throws ScanError('expansion-ratio') past it. */
  addExpanded(bytes: number): void;
  /** Accounts one archive member against limits.maxEntries; throws ScanError('too-many-entries') past it. */
  addEntry(): void;
}

export type Extractor = (blob: Blob, ctx: ExtractContext) => AsyncIterable<Extracted>;

/** Throw this from an extractor to end the scan of this blob as `unscannable` with a precise reason. */
export class ScanError extends Error {
  constructor(
    readonly reason: UnscannableReason,
    message: string,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}

/**
 * A limit on the whole scan (time budget, total expanded bytes, entry count): unlike a problem
 * with one member, it ends the scan of every enclosing archive too.
 */
export class ScanLimitError extends ScanError {
  override name = 'ScanLimitError';
}

/** A member checked by its name alone (see `nameOnly` on `Extracted`). */
export function nameOnly(name: string, where?: Where): Extracted {
  return { kind: 'member', name, data: new Blob([]), nameOnly: true, ...(where && { where }) };
}
