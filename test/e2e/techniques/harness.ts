/**
 * The black-box technique harness: each technique is what a real page does to send data (a page
 * snippet, or a test-side driver for keyboard, file choosers and drags), run with marked and clean
 * payloads on guarded hosts and on a control host, judged only by what reaches the server.
 *
 * Adding a technique: a few lines in rows/*.ts (any file there is loaded), e.g.
 *
 *   { id: 'fetch-put', title: 'fetch PUT of the raw body',
 *     run: (p, t) => t.settle(fetch(t.url('fetch-put'), { method: 'PUT', body: t.body(p) })) }
 *
 * `run` executes in the page (it is sent as source: use only its arguments and page globals). Every
 * payload carries a fresh nonce in its name and content, so an arrival is traced to its payload by
 * SHA-256, by nonce in any text, or by name; `reached` replaces that test for encodings the server
 * cannot read back.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { WARNING_TAG, dismissWarning, readWarning, type Arrival } from '../support/index.js';
import type { Asset } from '../compat/server.js';

export type PayloadKind = 'file' | 'text';
/** What the guard must stop: content-stamped file, name-marked file, stamped text. */
export type MarkedKind = 'stamped-file' | 'name-marked-file' | 'stamped-text';
export type CleanKind = 'clean-file' | 'clean-text';

/** What a page snippet receives. */
export interface PagePayload {
  kind: PayloadKind;
  /** File name (files) or ''. */
  name: string;
  type: string;
  /** File bytes, base64 (files) or ''. */
  b64: string;
  /** The text (text payloads) or ''. */
  text: string;
  /** Unique to this payload: in its name and content. */
  nonce: string;
}

export interface Payload extends PagePayload {
  label: MarkedKind | CleanKind;
  marked: boolean;
  /** SHA-256 of the file bytes or of the UTF-8 text. */
  sha256: string;
  /** The file on disk (for file choosers and drags). */
  path: string;
}

/** window.t on the technique page (page.html). */
export interface Kit {
  bytes(p: PagePayload): Uint8Array;
  file(p: PagePayload): File;
  /** The File (file payloads) or the string (text payloads). */
  body(p: PagePayload): File | string;
  /** FormData with a `file` part or a `text` field. */
  form(p: PagePayload): FormData;
  /** `/upload?ch=CH` on the page's own host (recorded by the server). */
  url(ch: string, extra?: string): string;
  sleep(ms: number): Promise<void>;
  settle<T>(p: Promise<T> | T): Promise<T | string>;
}

export interface Technique {
  /** Short, unique; also the `ch` a snippet may put on its requests. */
  id: string;
  title: string;
  /** The page snippet. */
  run?: (p: PagePayload, t: Kit) => Promise<unknown>;
  /** Or a test-side driver (keyboard, file chooser, drag, navigation), given the shared technique page. */
  drive?: (page: Page, p: Payload) => Promise<unknown>;
  /** Which payloads this technique can carry. Default: files and text. */
  carries?: PayloadKind[];
  /** Static assets it needs (Service Worker scripts, frame pages), by path. */
  assets?: Record<string, Asset>;
  /** Extra host names it reaches (mapped to the local server), e.g. a widget frame's host. */
  hosts?: string[];
  /** Whether the payload reached the server; default: by SHA-256, nonce or name. */
  reached?: (arrivals: Arrival[], p: Payload) => boolean;
  /**
   * A known gap: which marked payloads still get through on a guarded host, and why. The row then
   * expects exactly those to leak, so it turns red when the gap closes (remove the entry then) and when
   * anything else leaks. Never hides a clean payload that fails.
   */
  gap?: {
    leaks: MarkedKind[];
    why: string;
    /**
     * The gap is a race that goes either way (measured: it leaked in some full runs and not in others):
     * those payloads may leak or not, and anything else leaking still fails the row.
     */
    sometimes?: boolean;
  };
  /**
   * Why a payload that must arrive (anything on the control host, a clean one on a guarded host) is sent
   * once more when it did not: a race in the browser itself, measured, that the guard's decisions do not
   * cause, or a moment in which the guard fails closed by design, measured and said where it is declared.
   * A marked payload on a guarded host is never sent again, and a second miss fails the row.
   */
  resend?: string;
}

/**
 * Chromium with an extension holding a blocking `webRequest` listener (the network layer) now and then
 * sends a request without the cookie written just before it, whatever the cookie holds: with two CPU hogs
 * running, 3 of 4,800 writes each followed by a `fetch` (and 3 of 3,200 more with a task between the
 * two), against none of 2,400 with the same build without the network layer, and none of 2,400 with no
 * extension.
 */
export const COOKIE_RACE = 'a cookie written just before a request is now and then missing from it in Chromium with a blocking webRequest extension';

const dir = mkdtempSync(join(tmpdir(), 'ug-techniques-'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function filePayload(label: MarkedKind | CleanKind, name: string, content: string, nonce: string): Payload {
  const bytes = Buffer.from(content);
  const sub = mkdtempSync(join(dir, 'p-'));
  const path = join(sub, name);
  writeFileSync(path, bytes);
  return { label, marked: !label.startsWith('clean'), kind: 'file', name, type: 'text/plain', b64: bytes.toString('base64'), text: '', nonce, sha256: sha(bytes), path };
}

function textPayload(label: MarkedKind | CleanKind, text: string, nonce: string): Payload {
  return { label, marked: !label.startsWith('clean'), kind: 'text', name: '', type: 'text/plain', b64: '', text, nonce, sha256: sha(Buffer.from(text)), path: '' };
}

/** Fresh payloads (new nonces) of every kind the technique carries: marked ones first. */
export function payloads(tech: Technique): Payload[] {
  const carries = tech.carries ?? ['file', 'text'];
  const n = () => randomUUID().slice(0, 8);
  const out: Payload[] = [];
  if (carries.includes('file')) {
    const a = n();
    out.push(filePayload('stamped-file', `報告書_${a}.txt`, `設計レビュー ${a}\n秘 Confidential\n以上\n`, a));
    const b = n();
    out.push(filePayload('name-marked-file', `秘—見積_${b}.txt`, `見積金額は別紙のとおり ${b}\n`, b));
  }
  if (carries.includes('text')) {
    const c = n();
    out.push(textPayload('stamped-text', `来期の価格表 ${c} 秘 Confidential 取扱注意`, c));
  }
  if (carries.includes('file')) {
    const d = n();
    out.push(filePayload('clean-file', `議事録_${d}.txt`, `来週の定例 ${d}\n秘書室にも連絡済み。秘密保持契約書は雛形を使用。\n`.repeat(20), d));
  }
  if (carries.includes('text')) {
    const e = n();
    out.push(textPayload('clean-text', `打合せは 3 階 ${e} 秘書室に連絡済み`, e));
  }
  return out;
}

/** The default trace: the exact bytes, or the nonce anywhere in a text or a name. */
export function reachedByDefault(arrivals: Arrival[], p: Payload): boolean {
  return arrivals.some((a) => a.sha256 === p.sha256 || a.text?.includes(p.nonce) || a.name?.includes(p.nonce));
}

export const reached = (tech: Technique, arrivals: Arrival[], p: Payload) => (tech.reached ?? reachedByDefault)(arrivals, p);

/**
 * `reached` for many payloads over one list of arrivals: whether `p` reached the server at index `from`
 * or later. The default trace is answered from one index built once (for each nonce-like token, a run of
 * 8 hex digits as `payloads` makes them, and each SHA-256: the last arrival that holds it), not by
 * searching every arrival's text once per payload: the closing sweep over some 850 marked payloads took
 * 30 s on a quiet machine that way, and ran past its timeout on a loaded one. Rows with their own trace
 * are asked as before.
 */
export function reachedSince(received: Arrival[]): (tech: Technique, p: Payload, from: number) => boolean {
  const last = new Map<string, number>();
  received.forEach((a, i) => {
    last.set(a.sha256, i);
    for (const s of [a.text ?? '', a.name ?? '']) {
      for (const run of s.match(/[0-9a-f]{8,}/g) ?? []) for (let k = 0; k + 8 <= run.length; k++) last.set(run.slice(k, k + 8), i);
    }
  });
  return (tech, p, from) => (tech.reached ? tech.reached(received.slice(from), p) : Math.max(last.get(p.nonce) ?? -1, last.get(p.sha256) ?? -1) >= from);
}

/**
 * What an arrival's text says once decoded as the server would: every run of base64 in it (standard, and
 * URL-safe or after a path's last `/`), decoded, and with `percent` the same over the text percent-decoded
 * first. Computed once per arrival: traces are asked about every payload against every arrival, megabyte
 * bodies included (a closing sweep that decoded them anew each time ran past its timeout).
 */
const decodedTexts = new WeakMap<Arrival, { plain: string; percent?: string }>();
function decodedOf(a: Arrival, percent: boolean): string {
  let d = decodedTexts.get(a);
  if (!d) decodedTexts.set(a, (d = { plain: base64Runs(a.text ?? '') }));
  if (percent && d.percent === undefined) {
    const text = percentDecoded(a.text ?? '');
    d.percent = `${text}\n${base64Runs(text)}`;
  }
  return percent ? d.percent! : d.plain;
}

/** Split, not matched: a quantified match over a run of megabytes overflows the regexp stack. */
function base64Runs(s: string): string {
  const runs = new Set([/[^A-Za-z0-9+/=]+/, /[^A-Za-z0-9+/]+/, /[^A-Za-z0-9+/_-]+/, /[^A-Za-z0-9+_-]+/].flatMap((re) => s.split(re)));
  return [...runs].filter((r) => r.length >= 16).map((r) => Buffer.from(r, 'base64').toString('utf8')).join('\n');
}

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Arrived when the nonce is in the text or in any base64 the text holds (`percent`: or the text percent-decoded holds). */
export const reachedDecoded =
  (opts: { percent?: boolean } = {}) =>
  (arrivals: Arrival[], p: Payload): boolean =>
    reachedByDefault(arrivals, p) ||
    arrivals.some((a) => decodedOf(a, false).includes(p.nonce) || (opts.percent === true && decodedOf(a, true).includes(p.nonce)));

/**
 * Closing a warning is bringing its tab to the front, then Esc: with rows running in three tabs at once,
 * another tab brought to the front between those two steps took the key, and its dialog stayed open into
 * the next (clean) payload's run. One closing at a time, over all tabs.
 */
let closing: Promise<unknown> = Promise.resolve();
function closeWarning(page: Page): Promise<void> {
  const mine = closing.then(() => dismissWarning(page));
  closing = mine.catch(() => undefined);
  return mine;
}

/**
 * Runs one payload through one technique on `page`. A warning that shows is closed (Esc), as an
 * employee would; the run ends shortly after a warning closed, or at the timeout, or once the snippet
 * settled and no warning showed within `graceMs`: a page call that returns at once (`sendBeacon`, a
 * cookie, a setter) is refused at once, and its warning opens a moment later, which must be this run's
 * and not the next payload's.
 */
export async function runOne(page: Page, tech: Technique, p: Payload, graceMs = 0, timeoutMs = 6_000): Promise<{ warned: boolean; warnings: string[] }> {
  const pagePayload: PagePayload = { kind: p.kind, name: p.name, type: p.type, b64: p.b64, text: p.text, nonce: p.nonce };
  let settledAt = 0;
  const work = (
    tech.drive
      ? tech.drive(page, p)
      : page.evaluate(
          ([src, pp]) => (0, eval)(`(${src})`)(pp, (window as unknown as { t: unknown }).t) as Promise<unknown>,
          [tech.run!.toString(), pagePayload] as const,
        )
  ).then(
    () => undefined,
    () => undefined,
  ).finally(() => (settledAt = Date.now()));
  const warnings: string[] = [];
  let closedAt = 0;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = Date.now();
    if (now >= until || (!closedAt && settledAt && now - settledAt > graceMs)) break;
    // After a close: a moment for a second warning of the same payload; a request held until the answer settles on its own.
    if (closedAt && now - closedAt > (settledAt ? 200 : 500)) break;
    if ((await page.locator(WARNING_TAG).count().catch(() => 0)) > 0) {
      // Its words say whose it is: a warning about an earlier payload can still be opening when it settled.
      warnings.push(await readWarning(page, 2_000, false).then((w) => w.text, () => ''));
      await closeWarning(page).catch(() => undefined);
      closedAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  void work;
  return { warned: warnings.length > 0, warnings };
}

/** Waits until `p` has reached the server (or the timeout), among the arrivals from index `from` on; returns whether it did. */
export async function waitReached(received: Arrival[], from: number, tech: Technique, p: Payload, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (reached(tech, received.slice(from), p)) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
