/**
 * The messages between the content side (ISOLATED-world guard) and the background service worker.
 * Only verdicts and metadata cross this boundary: never file content.
 */
import type { Rule, UnscannableReason } from '../../src/detect/types.js';

/** How the data was about to leave the page. */
export type Channel =
  | 'file-input'
  | 'folder-input'
  | 'drop'
  | 'paste'
  | 'form'
  | 'text-field'
  | 'fetch'
  | 'xhr'
  | 'beacon'
  | 'websocket'
  | 'form-data'
  | 'file-picker';

/** What the content side found about one file or one text. */
export interface Finding {
  channel: Channel;
  /** The page's URL (origin + path; the query string is dropped before it is sent anywhere). */
  url: string;
  /** File base name, or null for text. */
  fileName: string | null;
  /** Bytes (files) or characters (text). */
  size: number;
  /** Lowercase hex SHA-256 of the file, when computed. */
  sha256: string | null;
  verdict: 'marked' | 'clean' | 'unscannable';
  rule: Rule | null;
  /** MarkedVerdict.reason or UnscannableReason. */
  reason: string | UnscannableReason | null;
  /** Human-readable place, e.g. `見積仕様書.docx › word/document.xml` or `page 3`. */
  location: string | null;
  /** Short excerpt of the match (at most 80 characters), or null. Never more content than that. */
  excerpt: string | null;
}

export type Action = 'allow' | 'block' | 'warn' | 'audit';

/** content → background: decide what to do with these findings (one user gesture may carry several files). */
export interface DecideRequest {
  type: 'decide';
  findings: Finding[];
}

/** background → content: one decision per finding, in order, plus the text to show. */
export interface DecideResponse {
  /** The strictest action over all findings. */
  action: Action;
  decisions: { action: Action; eventId: string }[];
  /** Service as the policy names it, e.g. `Gmail`, and its category. */
  service: { id: string; name: string; category: string } | null;
  /** Admin-configured guidance in the UI language (what to do instead), and an optional link. */
  guidance: { text: string; url: string | null };
}

/** content → background: the employee's answer to a `warn` dialog. */
export interface ResolveRequest {
  type: 'resolve';
  eventIds: string[];
  proceed: boolean;
  /** Required when proceed is true. */
  justification: string | null;
}

/** content → background: which service (if any) is this page? Used at start-up by the guard. */
export interface ServiceRequest {
  type: 'service';
  url: string;
}

export type Request = DecideRequest | ResolveRequest | ServiceRequest;

/**
 * background → content: the answer to a ServiceRequest. Added by the content-side engineer; every field
 * but `service` is optional so an older background still works (the guard falls back to engine defaults).
 * `service: null` means "not guarded": the guard then stays idle in this frame.
 */
export interface ServiceResponse {
  service: { id: string; name: string; category: string } | null;
  /** Rule 3 from policy, handed to checkName/scanText/scanBlob where the bytes are. */
  designated?: Partial<import('../../src/detect/types.js').Designated>;
  /** Scan limits from policy. */
  limits?: Partial<import('../../src/detect/types.js').Limits>;
  /** UI language the background chose ('ja' default, 'en' for English browsers). */
  lang?: 'ja' | 'en';
  /**
   * The policy's action per verdict for this service's category. Lets the guard hand a clean file to the
   * page without a round trip when `clean` is `allow` (the common case, and the latency budget is 30 ms).
   * When absent, every finding is sent as a DecideRequest.
   */
  actions?: Partial<Record<'marked' | 'clean' | 'unscannable', Action>>;
}
