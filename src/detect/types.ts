/**
 * The engine's public types. Everything under src/detect runs on web-platform APIs only
 * (Blob, TextDecoder, DecompressionStream, crypto.subtle) so the same code serves the
 * content script, a worker, the CLI and the tests.
 */

/** Which rule of MARKINGS.md matched: 1 content stamp, 2 file name, 3 designated by the company. */
export type Rule = 1 | 2 | 3;

/** Where inside one file something was found. Every field is optional: a plain text file has none. */
export interface Where {
  /** Part inside a container: `word/header1.xml`, `content.xml`, `WordDocument`, `ppt/notesSlides/notesSlide2.xml`. */
  part?: string;
  /** 1-based PDF page. */
  page?: number;
  /** Spreadsheet sheet name, and the cell when known. */
  sheet?: string;
  /** A table's name where a sheet or page holds several, each with its own A1 (Numbers, Pages, Keynote). */
  table?: string;
  cell?: string;
  /** 1-based slide number (also for speaker notes, with `notes: true`). */
  slide?: number;
  notes?: boolean;
  /** A human word for the part: `header`, `footer`, `comments`, `properties`, `body`, `notes`. */
  area?: string;
}

/** Where in the scanned file: the chain of archive members leading to it, then the spot inside. */
export interface Location extends Where {
  /** Archive members from the outside in, e.g. `['2023年度.zip', '引継ぎメモ.txt']`. Empty for the file itself. */
  path: string[];
}

export type UnscannableReason =
  | 'encrypted'
  | 'corrupt'
  | 'too-large'
  | 'too-deep'
  | 'too-many-entries'
  | 'expansion-ratio'
  | 'time-budget'
  /** A format or compression the engine cannot read (a ZIP member in Deflate64, a Quantum CAB…). */
  | 'unsupported';

export interface MarkedVerdict {
  verdict: 'marked';
  rule: Rule;
  /** Machine-readable cause: `stamp`, `name`, `sha256`, `keyword`, `pattern`, `name-pattern`, `label`. */
  reason: string;
  location: Location;
  /** Short text around the match (at most ~60 characters), or the offending name. */
  excerpt: string;
}

export interface CleanVerdict {
  verdict: 'clean';
}

export interface UnscannableVerdict {
  verdict: 'unscannable';
  reason: UnscannableReason;
  /** One line for humans, e.g. `AES-256 password (user password required)`. */
  detail: string;
  location?: Location;
}

export type Verdict = MarkedVerdict | CleanVerdict | UnscannableVerdict;

/** A verdict plus facts about the scan that callers (events, CLI) report. */
export type ScanResult = Verdict & {
  /** Detected format, e.g. `docx`, `pdf`, `zip`, `text/shift_jis`, `binary`. */
  format: string;
  /** Size in bytes of the top-level input. */
  size: number;
  /** Lowercase hex SHA-256 of the top-level input, when it was computed (see ScanOptions.hash). */
  sha256?: string;
  /** Milliseconds spent. */
  ms: number;
};

/** Bounds on every scan. All have safe defaults (see limits.ts); policy may change them. */
export interface Limits {
  /** Files larger than this are `unscannable: too-large` unless the name rule marks them. */
  maxBytes: number;
  /** Archives inside archives deeper than this are `unscannable: too-deep`. The top file is depth 0. */
  maxDepth: number;
  /** Total archive members visited in one scan. */
  maxEntries: number;
  /** Largest accepted ratio of expanded to compressed size of one archive member. */
  maxRatio: number;
  /** Largest total of expanded bytes across one scan. */
  maxExpandedBytes: number;
  /** Wall-clock budget for one scan, milliseconds. */
  timeBudgetMs: number;
}

/** Rule 3: what the company designated confidential by other means. */
export interface Designated {
  /** Lowercase hex SHA-256 fingerprints of specific files. */
  sha256: string[];
  /** Extra literal keywords for content (matched after NFKC, case-insensitively). */
  keywords: string[];
  /** Extra regular expressions for content (source strings; flags `iu` are applied). */
  patterns: string[];
  /** Extra regular expressions for file base names (flags `u`). */
  namePatterns: string[];
  /** Sensitivity labels (Microsoft Purview / MIP) by GUID or by name, matched case-insensitively. */
  labels: string[];
}

export interface ScanOptions {
  limits?: Partial<Limits>;
  designated?: Partial<Designated>;
  /**
   * Compute the SHA-256 of the top-level input even when no fingerprint is designated: `true`
   * always, `'unless-clean'` only for a file that is read and ends marked or unscannable (what an
   * incident record needs, at no cost to the clean uploads that are the common case).
   */
  hash?: boolean | 'unless-clean';
  /** Aborts the scan (treated like the time budget). */
  signal?: AbortSignal;
}
