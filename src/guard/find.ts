/**
 * One item → what the engine says about it, and the Finding (metadata only) to report, or null when
 * there is nothing to report. Names are judged without reading bytes; bytes are read through the scan
 * port (a worker in the browser).
 */
import { checkName, scanText } from '../detect/rules/verdicts.js';
import type { Designated, Limits, MarkedVerdict, ScanOptions, ScanResult, Verdict } from '../detect/types.js';
import type { Finding } from '../events/finding.js';
import type { Channel } from '../events/schema.js';

/** What a channel hands the guard. Blobs stay in the page: only their Finding leaves it. */
export type Item =
  /** A file the employee picked, dropped or pasted, or a Blob the page named (FormData filename). */
  | { kind: 'file'; blob: Blob; name: string }
  /** A body the page built from bytes: stopped only by a positive marking (a chunk is naturally "corrupt"). */
  | { kind: 'bytes'; blob: Blob }
  | { kind: 'text'; text: string };

export type Scan = (blob: Blob, name: string, opts: Omit<ScanOptions, 'signal'>) => Promise<ScanResult>;

/**
 * Whether a file is password-protected (src/guard/encryption.ts). A port, not an import: it reads
 * container structure, which belongs beside the engine in the scan worker, not in every frame's script.
 */
export type EncryptionCheck = (blob: Blob, name: string, limits: Limits) => Promise<boolean>;

/** The name page-made bytes are scanned under (they have none of their own). */
export const BYTES_NAME = 'upload.bin';

export interface Judged {
  item: Item;
  verdict: Verdict;
  /** null: nothing to report (clean text, unmarked page-made bytes). */
  finding: Finding | null;
}

/** Longest text scanned in one go; a prompt or a mail body is far smaller. */
export const TEXT_CAP = 4 * 1024 * 1024;

export function textVerdictOf(text: string, designated: Partial<Designated>): Verdict {
  return scanText(text.length > TEXT_CAP ? text.slice(0, TEXT_CAP) : text, designated);
}

export async function judgeItem(
  channel: Channel,
  url: string,
  item: Item,
  opts: {
    designated: Designated;
    limits: Limits;
    scan: Scan;
    textVerdict: (text: string) => Verdict;
    /** The page is a sanctioned destination that takes marked files only encrypted: find out for each marked file. */
    requireEncryption?: boolean;
    encrypted: EncryptionCheck;
  },
): Promise<Judged> {
  const judged = await judgeContent(channel, url, item, opts);
  if (!opts.requireEncryption || item.kind !== 'file' || judged.verdict.verdict !== 'marked' || !judged.finding) return judged;
  // Fail closed: a check that fails leaves the condition unmet.
  const encrypted = await opts.encrypted(item.blob, item.name, opts.limits).catch(() => false);
  return { ...judged, finding: { ...judged.finding, encrypted } };
}

async function judgeContent(
  channel: Channel,
  url: string,
  item: Item,
  opts: { designated: Designated; limits: Limits; scan: Scan; textVerdict: (text: string) => Verdict },
): Promise<Judged> {
  if (item.kind === 'text') {
    const v = opts.textVerdict(item.text);
    return { item, verdict: v, finding: v.verdict === 'marked' ? findingOf(channel, url, null, item.text.length, null, v) : null };
  }
  const name = item.kind === 'file' ? item.name : BYTES_NAME;
  if (item.kind === 'file') {
    // Rule 2 needs no bytes: a file whose name already decides it is not read.
    const byName: MarkedVerdict | null = checkName(item.name, opts.designated);
    if (byName) return { item, verdict: byName, finding: findingOf(channel, url, item.name, item.blob.size, null, byName) };
  }
  let r: ScanResult | Verdict;
  try {
    // The hash identifies the file in an incident record; clean uploads skip it to stay fast.
    r = await opts.scan(item.blob, name, { designated: opts.designated, limits: opts.limits, hash: 'unless-clean' });
  } catch {
    r = { verdict: 'unscannable', reason: 'corrupt', detail: 'the scan failed' };
  }
  if (item.kind === 'bytes' && r.verdict !== 'marked') return { item, verdict: r, finding: null };
  const sha256 = 'sha256' in r ? (r.sha256 ?? null) : null;
  return { item, verdict: r, finding: findingOf(channel, url, item.kind === 'file' ? item.name : null, item.blob.size, sha256, r) };
}

function findingOf(channel: Channel, url: string, fileName: string | null, size: number, sha256: string | null, v: Verdict): Finding {
  return {
    channel,
    url,
    fileName,
    size,
    sha256,
    verdict: v.verdict,
    rule: v.verdict === 'marked' ? v.rule : null,
    reason: v.verdict === 'clean' ? null : v.reason,
    location: v.verdict === 'clean' ? null : (v.location ?? null),
  };
}
