/**
 * The guard's one decision path, for every channel (DOM events and the page hooks alike):
 * judge each item where the bytes are → the policy's action, by the background, which records it →
 * the warning when needed → proceed or stop. Plus what makes it cheap and calm: answers remembered per
 * file, text remembered after a warning, no round trip for a clean file the policy allows.
 *
 * Platform-free: the browser comes in through GuardPorts (a worker scan, runtime messaging, the dialog,
 * the clock), so the whole decision table runs in Node tests.
 *
 * Fail closed: a page that cannot confirm the policy it runs with (no answer from the background
 * within POLICY_WAIT_MS, or a newer policy it could not load) refuses, and says why.
 */
import { checkName } from '../detect/rules/verdicts.js';
import type { MarkedVerdict, Verdict } from '../detect/types.js';
import type { Channel } from '../events/schema.js';
import type { PolicySnapshot } from '../policy/snapshot.js';
import type { Action, Category } from '../policy/types.js';
import { judgeItem, textVerdictOf, type Item, type Judged, type Scan, type EncryptionCheck } from './find.js';
import { AnswerCache, copyOf, RefusedFiles, TextMemory } from './memory.js';
import { NO_GUIDANCE, pageView, type Guidance, type PageView } from './page.js';
import type { DecideRequest, DecideResponse, DisputeRequest, ResolveRequest } from './protocol.js';

/**
 * How long a page waits to confirm its policy before refusing: bounded, so nothing hangs, yet long
 * enough for a stopped service worker to wake on a busy machine.
 */
export const POLICY_WAIT_MS = 5000;

export interface WarnItem {
  /** A file (named), bytes a page sent (a document it carried in a body: nameless), or text. */
  kind: Item['kind'];
  name: string | null;
  verdict: Verdict;
  /** For rule 2: the start of the name that triggered it, e.g. 「秘—」. */
  namePrefix: string | null;
  /** The policy lets this item go on its own (a clean file picked beside a marked one). */
  passed: boolean;
}

export interface WarnRequest {
  action: 'block' | 'warn';
  /**
   * 'unconfirmed': refused because the page could not confirm the current policy. 'unchecked': a
   * connection the page opened was refused because it could not be judged at once (clean since).
   */
  why: 'policy' | 'unconfirmed' | 'unchecked';
  /** Every item of the gesture, each with its own result, refused ones first. */
  items: WarnItem[];
  serviceName: string | null;
  category: Category | null;
  guidance: Guidance;
  /** The scan limit in force (the dialog names it when a file was too large to check). */
  maxBytes: number;
  /** The channel can hand the page part of the gesture (file input, drop) and some items passed. */
  canSendPassed: boolean;
  /** The attempt is on record: events were queued for it. */
  recorded: boolean;
  /** Records the employee's dispute of the refusal (optional comment); null when nothing was recorded. */
  dispute: ((comment: string | null) => Promise<boolean>) | null;
}

export interface WarnAnswer {
  proceed: boolean;
  justification: string | null;
  /** "Attach only the files that passed": the refused items stay behind, the passed ones go. */
  onlyPassed?: boolean;
}

export interface GuardPorts {
  /** Reads the bytes (off the page's thread where possible). A rejection counts as unscannable. */
  scan: Scan;
  /** Whether a marked file is password-protected (asked only at a sanctioned destination requiring it). */
  encrypted: EncryptionCheck;
  /** The background: this frame's policy. Rejects when the background cannot be reached. */
  fetchView(): Promise<PageView>;
  /** The background: decide on findings and record them. Rejects when it cannot be reached. */
  decide(req: DecideRequest): Promise<DecideResponse>;
  /** The background: record the employee's answer to a warning. */
  resolve(req: ResolveRequest): Promise<void>;
  /** The background: record that the employee disputes a decision. Rejects when it was not recorded. */
  dispute(req: DisputeRequest): Promise<void>;
  /** Shows the dialog and resolves with the employee's answer. */
  warn(req: WarnRequest): Promise<WarnAnswer>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** The frame's own URL. */
  frameUrl(): string;
}

export interface Guard {
  /** Fetches this frame's policy; called once at start and whenever the policy may have moved. */
  refresh(): Promise<void>;
  /** A snapshot the background pushed: applied at once. */
  receiveSnapshot(s: PolicySnapshot): void;
  /** The policy this frame runs with, or null until known. */
  view(): PageView | null;
  /** Called whenever the view changes (the adapter tells the page hooks). */
  onView(fn: (v: PageView) => void): void;
  /** Synchronous, for capture-phase handlers: true also while the policy is not known yet. */
  isGuarded(): boolean;
  knownAnswer(blob: Blob, name: string): boolean | undefined;
  nameVerdict(name: string): MarkedVerdict | null;
  textVerdict(text: string): Verdict;
  /** True when the policy refuses a name-marked file outright (so it can be cleared before page code runs). */
  nameRefusalIsFinal(): boolean;
  /** True when every item may go. */
  decide(channel: Channel, items: Item[]): Promise<boolean>;
  /**
   * The items that may go: all of them, none, or (when the employee chose "attach only the files that
   * passed" on a channel that can hand over part of a gesture) exactly those the policy let through.
   */
  select<T extends Item>(channel: Channel, items: T[]): Promise<T[]>;
}

/** Channels driven by the employee's own gesture: a refusal there is always explained in the dialog. */
const GESTURES = new Set<Channel>(['file-input', 'folder-input', 'drop', 'paste', 'form', 'text-field', 'file-picker']);

/** Channels that can hand the page a subset of what the employee chose. */
const PARTIAL = new Set<Channel>(['file-input', 'drop']);

const passes = (a: Action) => a === 'allow' || a === 'audit';

/** One decision over several items: an answer per file, and whether it may be remembered. */
interface Outcome {
  proceed: boolean;
  /** The employee chose to send only the items that passed. */
  onlyPassed: boolean;
  perItem: Map<Item, boolean>;
  /** False when the answer came from not knowing (background unreachable): never cached. */
  keep: boolean;
}

export function createGuard(ports: GuardPorts): Guard {
  let current: PageView | null = null;
  /** A newer policy is known to exist (an answer carried another version) and is not loaded yet. */
  let stale = false;
  let loading: Promise<void> | null = null;
  const listeners: ((v: PageView) => void)[] = [];
  const answers = new AnswerCache();
  const texts = new TextMemory(() => ports.now());
  const refusedFiles = new RefusedFiles(() => ports.now());
  /**
   * Each yes given in this frame, with the copies it covered (copyKey): the page's other copies queued
   * while that dialog was open share it. One entry per answer the employee gave.
   */
  const approvals: { keys: string[]; justification: string | null }[] = [];
  /** Warnings are shown one at a time: the next question waits, and may find itself answered (covered). */
  let warning: Promise<unknown> = Promise.resolve();

  function setView(v: PageView): void {
    if (current && current.version !== v.version) {
      // A new policy can turn an earlier yes into a no (a designated hash, a new keyword).
      answers.clear();
      texts.clear();
      refusedFiles.clear();
      approvals.length = 0;
    }
    current = v;
    stale = false;
    for (const fn of listeners) fn(v);
  }

  function refresh(): Promise<void> {
    loading ??= (async () => {
      const until = ports.now() + POLICY_WAIT_MS;
      for (let attempt = 1; ; attempt++) {
        try {
          return setView(await ports.fetchView());
        } catch {
          /* the service worker is starting, or gone: try again within the bound */
        }
        if (ports.now() + 100 * attempt > until) return;
        await ports.sleep(100 * attempt);
      }
    })().finally(() => (loading = null));
    return loading;
  }

  /** The policy, confirmed, within the bound; null when it cannot be. */
  async function confirmed(): Promise<PageView | null> {
    if (current && !stale) return current;
    await refresh();
    return current && !stale ? current : null;
  }

  function frameUrl(): string {
    try {
      const u = new URL(ports.frameUrl());
      return u.origin + u.pathname;
    } catch {
      return ports.frameUrl();
    }
  }

  function textVerdict(text: string): Verdict {
    const v = textVerdictOf(text, current?.designated ?? {});
    if (v.verdict !== 'marked') return v;
    // Approved a moment ago: only what lies beyond the approved text can still be marked.
    const rest = texts.beyondApproved(text);
    return rest === null ? v : textVerdictOf(rest, current?.designated ?? {});
  }

  async function select<T extends Item>(channel: Channel, items: T[]): Promise<T[]> {
    if (items.length === 0) return [];
    const view = await confirmed();
    if (!view) return (await refuseUnconfirmed(items, null), []);
    if (!view.service) return items;

    // The same text already being decided through another channel (the field watch, Enter, the request
    // that carries it): one question, one answer. A no covers this one too; a yes is seen by textVerdict.
    for (const item of items) {
      const earlier = item.kind === 'text' ? texts.pendingFor(item.text) : undefined;
      if (earlier && !(await earlier)) return [];
    }
    const settled = new Map<Item, Promise<boolean>>();
    const fresh: Item[] = [];
    const knownOk: Item[] = [];
    for (const item of items) {
      if (item.kind === 'text') {
        fresh.push(item);
        continue;
      }
      const name = item.kind === 'file' ? item.name : '';
      const known = answers.known(item.blob, name);
      // A refused file chosen again by hand is explained again; a page retrying it is refused quietly.
      if (known !== undefined && !(known === false && GESTURES.has(channel))) {
        settled.set(item, Promise.resolve(known));
        if (known) knownOk.push(item);
        continue;
      }
      const pending = answers.pending(item.blob, name);
      if (pending) settled.set(item, pending);
      else fresh.push(item);
    }
    let outcome: Outcome | null = null;
    if (fresh.length > 0) {
      const run = judge(channel, fresh, view, knownOk);
      // Registered before awaiting, so a concurrent request for the same file (the page hook right
      // after the change event) waits for this answer instead of scanning again.
      for (const item of fresh) {
        if (item.kind === 'text') {
          texts.track(item.text, run.then((r) => r.perItem.get(item) ?? r.proceed));
          continue;
        }
        answers.track(item.blob, item.kind === 'file' ? item.name : '', run.then((r) => ({ ok: r.perItem.get(item) ?? r.proceed, keep: r.keep })));
      }
      outcome = await run;
    }
    const each = await Promise.all(items.map((item) => settled.get(item) ?? outcome?.perItem.get(item) ?? outcome?.proceed ?? false));
    if (outcome?.onlyPassed) return items.filter((_, i) => each[i]);
    return (outcome?.proceed ?? true) && each.every(Boolean) ? items : [];
  }

  async function decide(channel: Channel, items: Item[]): Promise<boolean> {
    return (await select(channel, items)).length === items.length;
  }

  async function judge(channel: Channel, items: Item[], view: PageView, knownOk: Item[]): Promise<Outcome> {
    // The files being decided before this question (taken now: select() tracks this one's own next).
    const filesBefore = answers.underWay();
    const perItem = new Map<Item, boolean>();
    const url = frameUrl();
    const judged = await Promise.all(
      items.map((item) => judgeItem(channel, url, item, {
          designated: view.designated,
          limits: view.limits,
          scan: ports.scan,
          encrypted: ports.encrypted,
          textVerdict,
          requireEncryption: view.requireEncryption,
        })),
    );
    const reported = judged.filter((j): j is Judged & { finding: NonNullable<Judged['finding']> } => j.finding !== null);
    for (const j of judged) if (!j.finding) perItem.set(j.item, true);
    const done = (proceed: boolean, keep = true, onlyPassed = false): Outcome => ({ proceed, onlyPassed, perItem, keep });

    // Text refused a moment ago (autosave, retries) is refused quietly instead of asking again.
    if (!GESTURES.has(channel) && reported.some((j) => j.item.kind === 'text' && texts.isRefused(j.item.text))) {
      return done(false);
    }
    if (reported.length === 0) return done(true);
    // Clean files where the policy allows clean: no round trip and no record (the latency budget).
    if (reported.every((j) => j.finding.verdict === 'clean') && view.actions.clean === 'allow') {
      for (const j of reported) perItem.set(j.item, true);
      return done(true);
    }

    const res = await askBackground({ type: 'decide', findings: reported.map((j) => j.finding) });
    if (!res) return done(await refuseUnconfirmed(reported.map((j) => j.item), view), false);
    if (res.version !== view.version) {
      // This answer is the background's current policy; the page's own copy is out of date.
      stale = true;
      void refresh();
    }
    const actionAt = (i: number) => res.decisions[i]?.action ?? res.action;
    reported.forEach((j, i) => passes(actionAt(i)) && perItem.set(j.item, true));
    if (passes(res.action)) return done(true);

    const refused = reported.filter((_, i) => !passes(actionAt(i)));
    // Files that passed are listed too (a clean one picked beside a marked one), so nothing vanishes unsaid.
    const passed = [...judged.filter((j) => perItem.get(j.item) && j.item.kind === 'file'), ...knownOk.filter((i) => i.kind === 'file').map((item) => ({ item, verdict: CLEAN }))];
    const refusedIds = res.decisions.filter((d) => !passes(d.action)).map((d) => d.eventId);
    const warn = res.action === 'warn';
    const ask = () => ports.warn({
      action: warn ? 'warn' : 'block',
      why: 'policy',
      items: [...refused.map((j) => warnItem(j.item, j.verdict, view, false)), ...passed.map((j) => warnItem(j.item, j.verdict, view, true))],
      ...about(view, res),
      canSendPassed: PARTIAL.has(channel) && passed.length > 0,
      recorded: true,
      dispute: (comment) =>
        ports.dispute({ type: 'dispute', eventIds: refusedIds, comment }).then(
          () => true,
          () => false,
        ),
    });
    // The same thing sent again by the page while its warning was open (the header, then the body that
    // carries the same text; a FormData, then the Request made of it): once the employee said no to it,
    // the page's other copies are refused without asking again, and a yes given meanwhile (with its
    // reason) covers the copies that were waiting for it. A gesture is always asked about. The next
    // question's turn comes once this answer is remembered, so that it sees this one.
    const queuedAt = approvals.length;
    // Nameless page-made bytes (a document decoded from a body) wait for the files being decided here:
    // a copy of one is then answered with that file's question, whose dialog names it.
    if (refused.every((j) => j.item.kind === 'bytes')) await Promise.allSettled(filesBefore);
    const before = warning;
    let release!: () => void;
    warning = new Promise<void>((r) => (release = r));
    let answer: WarnAnswer;
    try {
      await before;
      const page = !GESTURES.has(channel);
      // A yes given after this question was queued, for the same content (text has no key: asked).
      const same = (keys: string[]) => refused.every((j) => {
        const key = copyKey(j);
        return key !== null && keys.includes(key);
      });
      const shared = page && warn ? approvals.slice(queuedAt).find((a) => same(a.keys)) : undefined;
      answer = page && refused.every(covered) ? QUIET : shared ? { proceed: true, justification: shared.justification, onlyPassed: false } : await ask();
    } catch (err) {
      release();
      throw err;
    }
    const onlyPassed = PARTIAL.has(channel) && passed.length > 0 && answer.onlyPassed === true;
    const proceed = warn && answer.proceed && !onlyPassed;
    remember(reported, refused, proceed);
    if (proceed) approvals.push({ keys: refused.flatMap((j) => copyKey(j) ?? []), justification: answer.justification });
    release();
    // Every question on record gets its answer, also one asked inside a refusal (a password-protected
    // archive to warn about, beside a marked file that is blocked): not sent, else it stayed awaiting an answer.
    const eventIds = res.decisions.filter((d) => d.action === 'warn').map((d) => d.eventId);
    if (eventIds.length > 0) {
      await ports.resolve({ type: 'resolve', eventIds, proceed, justification: proceed ? answer.justification : null }).catch(() => {
        /* the pending event is on record already */
      });
    }
    for (const j of refused) perItem.set(j.item, proceed);
    return done(proceed, true, onlyPassed);
  }

  /** The employee's answer, for the page's retries and copies: text sent or refused, files refused. */
  function remember(reported: Judged[], refused: Judged[], proceed: boolean): void {
    for (const j of reported) {
      if (j.item.kind !== 'text' || j.verdict.verdict !== 'marked') continue;
      if (proceed) texts.approve(j.item.text);
      else {
        texts.refuse(j.verdict.excerpt);
        texts.refuseWhole(j.item.text);
      }
    }
    if (proceed) return;
    for (const j of refused) {
      // Files by name: nameless page-made bytes of the same size are not the same thing.
      if (j.item.kind === 'file') refusedFiles.refuse(j.item.blob, j.item.name);
      // A refused document's stamp in its own words: the page carrying the same content again in another
      // form (a data: URL or base64 of the file in a JSON body, decoded as page-made bytes; the file
      // itself after those) is known by them (covered()), so the employee is not asked twice.
      if (j.item.kind !== 'text' && j.verdict.verdict === 'marked' && j.verdict.reason === 'stamp') texts.refuseWhole(j.verdict.excerpt);
    }
  }

  /**
   * Refused a moment ago, in another copy: a file of the same name, size and type, a text
   * holding the refused stamp, or anything whose stamp is found in the words of a text just refused (the
   * header's base64 decoded as bytes, after the same text in the URL was refused).
   */
  function covered(j: Judged): boolean {
    const v = j.verdict;
    if (v.verdict === 'clean') return false;
    if (j.item.kind === 'text' ? texts.isRefused(j.item.text) || texts.isWithinRefused(j.item.text) : j.item.kind === 'file' && refusedFiles.has(j.item.blob, j.item.name)) return true;
    return v.verdict === 'marked' && v.reason === 'stamp' && (texts.isRefused(v.excerpt) || texts.isWithinRefused(v.excerpt));
  }

  /**
   * What makes another copy the same one: its content (the scan's hash) where it was read, its name,
   * size and type where the name alone decided; null for text (approved text is known by its words).
   */
  function copyKey(j: Judged): string | null {
    if (j.finding?.sha256) return `sha256 ${j.finding.sha256}`;
    return j.item.kind === 'file' ? copyOf(j.item.blob, j.item.name) : null;
  }

  /** The background's answer, retried within the bound (a stopped service worker takes a moment to wake). */
  async function askBackground(req: DecideRequest): Promise<DecideResponse | null> {
    const until = ports.now() + POLICY_WAIT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await ports.decide(req);
      } catch {
        if (ports.now() + 100 * attempt > until) return null;
        await ports.sleep(100 * attempt);
      }
    }
  }

  /** Fail closed: without a confirmed policy nothing with something to report goes, and the dialog says why. */
  async function refuseUnconfirmed(items: Item[], view: PageView | null): Promise<boolean> {
    await ports.warn({
      action: 'block',
      why: 'unconfirmed',
      items: items.map((item) => warnItem(item, CLEAN, view, false)),
      ...about(view),
      canSendPassed: false,
      recorded: false,
      dispute: null,
    });
    return false;
  }

  /** What a warning says of the service: the background's answer's, else the page's own view's. */
  function about(view: PageView | null, res?: DecideResponse): Pick<WarnRequest, 'serviceName' | 'category' | 'guidance' | 'maxBytes'> {
    const [a, b] = [res?.service, view?.service];
    return { serviceName: a?.name ?? b?.name ?? null, category: a?.category ?? b?.category ?? null, guidance: res?.guidance ?? view?.guidance ?? NO_GUIDANCE, maxBytes: view?.limits.maxBytes ?? 0 };
  }

  function warnItem(item: Item, verdict: Verdict, view: PageView | null, passed: boolean): WarnItem {
    const name = item.kind === 'file' ? item.name : null;
    const byName = verdict.verdict === 'marked' && verdict.reason === 'name' && name !== null;
    // A member's name (inside an archive) is quoted from the member, not from the archive's own name.
    const named = byName ? (verdict.location.path.at(-1) ?? name) : null;
    return { kind: item.kind, name, verdict, namePrefix: named ? markedPrefix(baseName(named), view) : null, passed };
  }

  /** The shortest start of the name the engine itself calls marked (「秘—」, 「C -」): the dialog quotes exactly that. */
  function markedPrefix(name: string, view: PageView | null): string | null {
    const chars = Array.from(name);
    for (let k = 1; k <= Math.min(chars.length, 8); k++) {
      const head = chars.slice(0, k).join('');
      if (checkName(head, view?.designated)?.reason === 'name') return head.trim();
    }
    return null;
  }

  return {
    refresh,
    receiveSnapshot(s) {
      const url = ports.frameUrl();
      const own = /^https?:/.test(url) ? pageView(s, [url]) : null;
      if (own?.service) return setView(own);
      // about:blank, srcdoc and blob frames, frames on other hosts inside a guarded page, and windows
      // on other hosts that a guarded page opened or was opened by, cannot tell their service by their
      // own URL: ask (the background knows the tab and its opener), holding until then.
      if (current && current.version !== s.version) stale = true;
      void refresh();
    },
    view: () => current,
    onView: (fn) => void listeners.push(fn),
    isGuarded: () => current === null || stale || current.service !== null,
    knownAnswer: (blob, name) => answers.known(blob, name),
    nameVerdict: (name) => checkName(name, current?.designated),
    textVerdict,
    // Where encryption is required, a marked name is not the end of it: an encrypted file passes.
    nameRefusalIsFinal: () => current?.actions.marked === 'block' && !current.requireEncryption,
    decide,
    select,
  };
}

const CLEAN: Verdict = { verdict: 'clean' };
/** The answer to a question already answered no (covered): nothing goes, nothing is asked. */
const QUIET: WarnAnswer = { proceed: false, justification: null, onlyPassed: false };

/** The last segment of a path inside a folder or an archive. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
