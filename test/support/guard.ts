/**
 * The guard's core wired as the browser wires it, minus the browser: the background's half is the real
 * one (answerFindings → decisionEvent → responseOf, as extension/background/decisions.ts binds it), the
 * scan port returns what a test says the engine found, the dialog answers as told, the clock is virtual.
 * Everything the guard did is recorded for the assertions.
 */
import { decisionEvent, type EventContext } from '../../src/events/build.js';
import type { UploadEvent } from '../../src/events/schema.js';
import type { MarkedVerdict, ScanResult, Verdict } from '../../src/detect/types.js';
import {
  answerFindings,
  createGuard,
  pageView,
  responseOf,
  serviceInfo,
  type DecideRequest,
  type DisputeRequest,
  type Guard,
  type ResolveRequest,
  type WarnAnswer,
  type WarnRequest,
} from '../../src/guard/index.js';
import { isEncrypted } from '../../src/guard/encryption.js';
import { effectivePolicyFrom } from '../../src/policy/load.js';
import { policySnapshot, type PolicySnapshot } from '../../src/policy/snapshot.js';

const ctx: EventContext = { deviceId: 'dev-1', user: 'taro@example.co.jp', browser: 'Chromium 142', extensionVersion: '0.1.0', policyVersion: null };

export interface Harness {
  guard: Guard;
  /** Every event the background recorded. */
  events: UploadEvent[];
  /** Every request that crossed to the background, as sent (JSON, as the wire carries it). */
  wire: string[];
  warnings: WarnRequest[];
  resolves: ResolveRequest[];
  disputes: DisputeRequest[];
  scans: string[];
  viewFetches: number;
  /** What the engine says, by file name (default: clean). */
  verdicts: Map<string, Verdict | ScanResult>;
  /** A scan of this file name answers only once the promise settles (a slow file). */
  slow: Map<string, Promise<void>>;
  /** What the employee does in the dialog. */
  answer: WarnAnswer;
  /** The background cannot be reached. */
  down: { view: boolean; decide: boolean };
  clock: { now: number };
  url: string;
  snapshot: PolicySnapshot;
  /** The admin changes the policy: the background's snapshot moves (pushing it is up to the test). */
  setPolicy(managed: Record<string, unknown>): PolicySnapshot;
}

export function snapshotOf(managed: Record<string, unknown>): PolicySnapshot {
  const loaded = effectivePolicyFrom(managed);
  if (loaded.problems.length > 0) throw new Error(`bad test policy: ${loaded.problems.join('; ')}`);
  return policySnapshot(loaded.effective, 'ja');
}

/** `top`: the frame is embedded in a page at that URL (what the background knows of the tab). */
export function harness(opts: { policy?: Record<string, unknown>; url?: string; top?: string; start?: boolean } = {}): Harness {
  const h: Harness = {
    guard: undefined as unknown as Guard,
    events: [],
    wire: [],
    warnings: [],
    resolves: [],
    disputes: [],
    scans: [],
    viewFetches: 0,
    verdicts: new Map(),
    slow: new Map(),
    answer: { proceed: true, justification: '取引先への提出で承認済み' },
    down: { view: false, decide: false },
    clock: { now: 1_000_000 },
    url: opts.url ?? 'https://mail.google.com/mail/u/0/?compose=new',
    snapshot: snapshotOf(opts.policy ?? {}),
    setPolicy(managed) {
      h.snapshot = snapshotOf(managed);
      return h.snapshot;
    },
  };
  const scan = async (blob: Blob, name: string): Promise<ScanResult> => {
    h.scans.push(name);
    await h.slow.get(name);
    const v = h.verdicts.get(name) ?? { verdict: 'clean' };
    return { format: 'test', size: blob.size, ms: 0, ...v } as ScanResult;
  };
  h.guard = createGuard({
    scan,
    // As the scan worker answers it: the same check, over what the test says the engine found.
    encrypted: (blob, name, limits) => isEncrypted(blob, name, scan, limits),
    fetchView: async () => {
      h.viewFetches++;
      if (h.down.view) throw new Error('unreachable');
      return pageView(h.snapshot, [h.url, opts.top]);
    },
    decide: async (req: DecideRequest) => {
      h.wire.push(JSON.stringify(req));
      if (h.down.decide) throw new Error('unreachable');
      const a = answerFindings(h.snapshot, [h.url, opts.top], JSON.parse(JSON.stringify(req.findings)));
      const events = a.findings.map((f, i) => decisionEvent(ctx, f, a.url, serviceInfo(a.destination), a.actions[i]));
      h.events.push(...events);
      return responseOf(h.snapshot, a, events.map((e) => e.id));
    },
    resolve: async (req) => {
      h.wire.push(JSON.stringify(req));
      h.resolves.push(req);
    },
    dispute: async (req) => {
      h.wire.push(JSON.stringify(req));
      h.disputes.push(req);
    },
    warn: async (req) => {
      h.warnings.push(req);
      return h.answer;
    },
    now: () => h.clock.now,
    sleep: async (ms) => void (h.clock.now += ms),
    frameUrl: () => h.url,
  });
  return h;
}

/** A harness whose guard already knows its policy (as after the first answer from the background). */
export async function started(opts: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const h = harness(opts);
  await h.guard.refresh();
  return h;
}

let mtime = 1_700_000_000_000;
/** A picked file: a File has a name and an mtime, which the per-key cache uses. */
export function file(name: string, body = 'x'.repeat(100)): File {
  return new File([body], name, { type: 'application/octet-stream', lastModified: mtime++ });
}

export const MARKED: MarkedVerdict = {
  verdict: 'marked',
  rule: 1,
  reason: 'stamp',
  location: { path: ['2023年度.zip'], part: 'word/header1.xml', area: 'header' },
  excerpt: '社外秘 取扱注意 価格表',
};
export const UNSCANNABLE: Verdict = { verdict: 'unscannable', reason: 'encrypted', detail: 'AES-256 password' };
export const CLEAN: Verdict = { verdict: 'clean' };
