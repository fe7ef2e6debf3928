/**
 * The guard's one decision path, shared by every channel (DOM events here, network hooks via the bridge):
 * scan where the bytes are → send only the Finding (metadata) to the background → apply its action →
 * show the warning when needed → answer proceed / stop. Also the caches that keep a file from being
 * scanned twice (per object, and per name+size+mtime+type for the copy the page hooks send over).
 *
 * No rule lives here: verdicts come from src/detect, actions from the background's policy.
 */
import browser from 'webextension-polyfill';
import { checkName, describeLocation, scanText } from '../../src/detect/index.js';
import type { MarkedVerdict, ScanResult, Verdict } from '../../src/detect/types.js';
import type {
  Action,
  Channel,
  DecideRequest,
  DecideResponse,
  Finding,
  ResolveRequest,
  ServiceRequest,
  ServiceResponse,
} from '../shared/messages.js';
import { showWarning, type WarnItem } from '../ui/warning/show.js';
import { fileKey } from './bridge.js';
import { scan } from './scanner.js';

export type Item =
  | { kind: 'file'; blob: Blob; name: string }
  | { kind: 'bytes'; blob: Blob }
  | { kind: 'text'; text: string };

// ---------- configuration from the background ----------
let config: ServiceResponse | null = null;
const configReady: Promise<ServiceResponse> = (async () => {
  const req: ServiceRequest = { type: 'service', url: location.href };
  for (let attempt = 0; ; attempt++) {
    try {
      const res = (await browser.runtime.sendMessage(req)) as ServiceResponse | undefined;
      if (res && 'service' in res) return (config = res);
    } catch {
      /* the service worker is starting: try again */
    }
    if (attempt >= 20) return (config = { service: null });
    await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
  }
})();

export function whenConfigured(): Promise<ServiceResponse> {
  return configReady;
}
/** Synchronous view for capture-phase handlers: null until the background answered. */
export function currentConfig(): ServiceResponse | null {
  return config;
}
export function isGuarded(): boolean {
  return config === null || config.service !== null;
}

// ---------- caches ----------
/** Settled answers, readable synchronously (so an already-approved file never waits again). */
const settledByObject = new WeakMap<Blob, boolean>();
const settledByKey = new Map<string, boolean>();
const pendingByObject = new WeakMap<Blob, Promise<boolean>>();
const pendingByKey = new Map<string, Promise<boolean>>();
/** Text the employee chose to send after a warning, so the request that carries it passes without a second dialog. */
const approvedText = new Map<string, number>();
/** Text just refused: the page's retries and autosaves are refused quietly instead of re-opening the dialog. */
const refusedText = new Map<string, number>();
const TEXT_MEMORY_MS = 60_000;
const KEY_CACHE_MAX = 2000;

function remember(blob: Blob, key: string | null, ok: boolean): void {
  settledByObject.set(blob, ok);
  if (key) {
    if (settledByKey.size > KEY_CACHE_MAX) settledByKey.delete(settledByKey.keys().next().value as string);
    settledByKey.set(key, ok);
  }
}

function keyOf(item: Item): string | null {
  return item.kind === 'file' && typeof (item.blob as File).lastModified === 'number' ? fileKey(item.blob, item.name) : null;
}

/** Known answer for a file, without waiting: true/false, or undefined when it still has to be judged. */
export function knownAnswer(blob: Blob, name: string): boolean | undefined {
  const hit = settledByObject.get(blob);
  if (hit !== undefined) return hit;
  return typeof (blob as File).lastModified === 'number' ? settledByKey.get(fileKey(blob, name)) : undefined;
}

/** Rule 2 / designated names, synchronously, at the capture-phase event. */
export function nameVerdict(name: string): MarkedVerdict | null {
  return checkName(name, config?.designated);
}

/** Rule 1 / designated keywords on text, synchronously. */
export function textVerdict(text: string): Verdict {
  const v = scanText(text.length > 4_194_304 ? text.slice(0, 4_194_304) : text, config?.designated);
  if (v.verdict === 'marked' && approvedText.size > 0) {
    const now = Date.now();
    for (const [approved, until] of approvedText) {
      if (until < now) approvedText.delete(approved);
      else if (text.includes(approved)) return { verdict: 'clean' };
    }
  }
  return v;
}

/** True when the policy (as the background told us) refuses a file marked by name outright. */
export function nameRefusalIsFinal(): boolean {
  return config?.actions?.marked === 'block';
}

// ---------- the decision ----------
/** Channels driven by the employee's own gesture: a refusal there is always explained in the dialog. */
const GESTURES = new Set<Channel>(['file-input', 'folder-input', 'drop', 'paste', 'form', 'text-field', 'file-picker']);

type Judged = { item: Item; finding: Finding | null };

export async function decide(channel: Channel, items: Item[]): Promise<boolean> {
  if (items.length === 0) return true;
  const cfg = await configReady;
  if (!cfg.service) return true;

  const waitFor: Promise<boolean>[] = [];
  const fresh: Item[] = [];
  for (const item of items) {
    if (item.kind === 'text') {
      fresh.push(item);
      continue;
    }
    const known = knownAnswer(item.blob, item.kind === 'file' ? item.name : '');
    // A refused file chosen again by hand is explained again; a page retrying it is refused quietly.
    if (known !== undefined && !(known === false && GESTURES.has(channel))) {
      waitFor.push(Promise.resolve(known));
      continue;
    }
    const key = keyOf(item);
    const pending = pendingByObject.get(item.blob) ?? (key ? pendingByKey.get(key) : undefined);
    if (pending) waitFor.push(pending);
    else fresh.push(item);
  }

  let freshResult: Promise<boolean> = Promise.resolve(true);
  if (fresh.length) {
    const run = judge(channel, fresh, cfg);
    // Every file in this gesture shares one answer; register it before awaiting so a concurrent
    // request for the same file (page hook after the change event) waits for it instead of rescanning.
    const perFile = new Map<Item, Promise<boolean>>();
    for (const item of fresh) {
      if (item.kind === 'text') continue;
      const p = run.then((r) => r.perItem.get(item) ?? r.proceed);
      perFile.set(item, p);
      pendingByObject.set(item.blob, p);
      const key = keyOf(item);
      if (key) pendingByKey.set(key, p);
      void p.then((ok) => {
        remember(item.blob, key, ok);
        pendingByObject.delete(item.blob);
        if (key) pendingByKey.delete(key);
      });
    }
    freshResult = run.then((r) => r.proceed);
  }
  const all = await Promise.all([freshResult, ...waitFor]);
  return all.every(Boolean);
}

async function judge(
  channel: Channel,
  items: Item[],
  cfg: ServiceResponse,
): Promise<{ proceed: boolean; perItem: Map<Item, boolean> }> {
  const perItem = new Map<Item, boolean>();
  const judged: Judged[] = await Promise.all(items.map((item) => find(channel, item, cfg)));
  const withFindings = judged.filter((j): j is { item: Item; finding: Finding } => j.finding !== null);
  for (const j of judged) if (!j.finding) perItem.set(j.item, true);

  // Quietly refuse text refused a moment ago (autosave, retries) instead of opening the dialog again.
  const now = Date.now();
  if (!GESTURES.has(channel) && withFindings.some((j) => j.item.kind === 'text' && (refusedText.get(j.finding.excerpt ?? '') ?? 0) > now)) {
    return { proceed: false, perItem };
  }
  if (withFindings.length === 0) return { proceed: true, perItem };
  // Clean files where policy allows clean: no round trip (the latency budget is the reason).
  if (withFindings.every((j) => j.finding.verdict === 'clean') && cfg.actions?.clean === 'allow') {
    for (const j of withFindings) perItem.set(j.item, true);
    return { proceed: true, perItem };
  }

  const req: DecideRequest = { type: 'decide', findings: withFindings.map((j) => j.finding) };
  let res: DecideResponse;
  try {
    res = (await browser.runtime.sendMessage(req)) as DecideResponse;
  } catch {
    // No answer from the background: a marking still stops the upload; anything else goes.
    const marked = withFindings.some((j) => j.finding.verdict === 'marked');
    return { proceed: !marked, perItem };
  }
  const passes = (a: Action) => a === 'allow' || a === 'audit';
  withFindings.forEach((j, i) => {
    const a = res.decisions[i]?.action ?? res.action;
    if (passes(a)) perItem.set(j.item, true);
  });
  if (passes(res.action)) return { proceed: true, perItem };

  const shown = withFindings.filter((j, i) => !passes(res.decisions[i]?.action ?? res.action));
  const answer = await showWarning({
    action: res.action === 'warn' ? 'warn' : 'block',
    items: shown.map((j) => warnItem(j.item, j.finding, cfg)),
    serviceName: res.service?.name ?? cfg.service?.name ?? null,
    guidance: res.guidance,
  });
  const proceed = res.action === 'warn' && answer.proceed;
  if (res.action === 'warn') {
    const resolve: ResolveRequest = {
      type: 'resolve',
      eventIds: res.decisions.filter((d) => d.action === 'warn').map((d) => d.eventId),
      proceed,
      justification: proceed ? answer.justification : null,
    };
    try {
      await browser.runtime.sendMessage(resolve);
    } catch {
      /* recorded as pending by the background */
    }
  }
  for (const j of withFindings) {
    if (j.item.kind !== 'text' || !j.finding.excerpt) continue;
    if (proceed) approvedText.set(j.item.text.trim(), Date.now() + TEXT_MEMORY_MS);
    else refusedText.set(j.finding.excerpt, Date.now() + TEXT_MEMORY_MS);
  }
  for (const j of shown) perItem.set(j.item, proceed);
  return { proceed, perItem };
}

/** One item → its Finding (null: nothing to report, e.g. bytes with no marking). */
async function find(channel: Channel, item: Item, cfg: ServiceResponse): Promise<Judged> {
  const url = location.origin + location.pathname;
  if (item.kind === 'text') {
    const v = textVerdict(item.text);
    return { item, finding: v.verdict === 'marked' ? finding(channel, url, null, item.text.length, null, v) : null };
  }
  if (item.kind === 'file') {
    // Rule 2 needs no bytes: do not read a file whose name already decides it.
    const byName = checkName(item.name, cfg.designated);
    if (byName) return { item, finding: finding(channel, url, item.name, item.blob.size, null, byName) };
  }
  const name = item.kind === 'file' ? item.name : 'upload.bin';
  // The hash identifies the file in an incident record; clean uploads skip it to stay fast.
  const r: ScanResult = await scan(item.blob, name, { designated: cfg.designated, limits: cfg.limits, hash: 'unless-clean' });
  // Bytes the page built itself are stopped only by a positive marking; a fragment of a file is
  // naturally "corrupt" and must not raise a warning on every chunk of an ordinary upload.
  if (item.kind === 'bytes' && r.verdict !== 'marked') return { item, finding: null };
  return {
    item,
    finding: finding(channel, url, item.kind === 'file' ? item.name : null, item.blob.size, r.sha256 ?? null, r),
  };
}

function finding(
  channel: Channel,
  url: string,
  fileName: string | null,
  size: number,
  sha256: string | null,
  v: Verdict,
): Finding {
  return {
    channel,
    url,
    fileName,
    size,
    sha256,
    verdict: v.verdict,
    rule: v.verdict === 'marked' ? v.rule : null,
    reason: v.verdict === 'marked' ? v.reason : v.verdict === 'unscannable' ? v.reason : null,
    location: v.verdict !== 'clean' && v.location ? describeLocation(v.location, langOf()) || null : null,
    excerpt: v.verdict === 'marked' ? v.excerpt.slice(0, 80) : null,
    // Kept for the dialog only (not part of Finding on the wire): stripped below.
    ...({ [VERDICT]: v } as object),
  } as Finding;
}

const VERDICT = Symbol('verdict');
function verdictOf(f: Finding): Verdict | undefined {
  return (f as unknown as Record<symbol, Verdict>)[VERDICT];
}

export function langOf(): 'ja' | 'en' {
  return config?.lang ?? (browser.i18n.getMessage('warn_lang') === 'en' ? 'en' : 'ja');
}

function warnItem(item: Item, f: Finding, cfg: ServiceResponse): WarnItem {
  const v = verdictOf(f);
  return {
    name: item.kind === 'file' ? item.name : null,
    verdict: v ?? { verdict: f.verdict as 'clean' },
    namePrefix: v && v.verdict === 'marked' && v.reason === 'name' && item.kind === 'file' ? markedPrefix(item.name, cfg) : null,
  };
}

/**
 * The shortest start of the name that the engine itself calls marked (「秘—」, 「C -」): the dialog
 * quotes exactly what triggered rule 2 without the extension knowing the rule.
 */
function markedPrefix(name: string, cfg: ServiceResponse): string | null {
  const chars = Array.from(name);
  for (let k = 1; k <= Math.min(chars.length, 8); k++) {
    const head = chars.slice(0, k).join('');
    const v = checkName(head, cfg.designated);
    if (v && v.reason === 'name') return head.trim();
  }
  return null;
}
