/**
 * The guard's behaviour around the table: several items at once (the strictest wins), the caches, warn →
 * justify → proceed, refusal memory, a background that cannot be reached, and policy that moves under an
 * open page. Real core, real background decision and events (test/support/guard.ts), virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { answerFindings } from '../../src/guard/index.js';
import { TEXT_MEMORY_MS } from '../../src/guard/memory.js';
import { POLICY_WAIT_MS } from '../../src/guard/guard.js';
import { MARKED, UNSCANNABLE, file, harness, snapshotOf, started } from '../support/guard.js';

const MARKED_TEXT = '来期の価格表です。秘 Confidential 取扱注意';

describe('several items in one gesture', () => {
  it('the strictest action decides, the dialog lists every item with its own result, every finding is recorded', async () => {
    const h = await started();
    const [ok, enc, stamped] = [file('議事録.txt'), file('暗号化.zip'), file('価格表.docx')];
    h.verdicts.set(enc.name, UNSCANNABLE).set(stamped.name, MARKED);
    const items = [ok, enc, stamped].map((f) => ({ kind: 'file' as const, blob: f, name: f.name }));
    expect(await h.guard.decide('drop', items)).toBe(false);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0].action).toBe('block');
    // Refused items first, then the one that passed; a drop can hand over only that one.
    expect(h.warnings[0].items.map((i) => [i.name, i.verdict.verdict, i.passed])).toEqual([
      [enc.name, 'unscannable', false],
      [stamped.name, 'marked', false],
      [ok.name, 'clean', true],
    ]);
    expect(h.warnings[0]).toMatchObject({ canSendPassed: true, recorded: true });
    expect(h.events.map((e) => [e.fileName, e.action])).toEqual([
      [ok.name, 'allow'],
      [enc.name, 'warn'],
      [stamped.name, 'block'],
    ]);
    // The clean file passed on its own merits; the others share the refusal.
    expect(h.guard.knownAnswer(ok, ok.name)).toBe(true);
    expect(h.guard.knownAnswer(stamped, stamped.name)).toBe(false);
    // The archive's warning was asked inside the refusal: it is answered (not sent), never left awaiting an answer.
    expect(h.resolves).toEqual([expect.objectContaining({ eventIds: [h.events[1].id], proceed: false, justification: null })]);
  });

  it('warn beats audit: one warn dialog for the warned item, all proceed after the justification', async () => {
    const h = await started({ policy: { actions: { webmail: { clean: 'audit' } } } });
    const [a, b] = [file('a.txt'), file('b.pdf')];
    h.verdicts.set(b.name, UNSCANNABLE);
    expect(await h.guard.decide('file-input', [a, b].map((f) => ({ kind: 'file' as const, blob: f, name: f.name })))).toBe(true);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatchObject({ action: 'warn', items: [{ name: 'b.pdf', passed: false }, { name: 'a.txt', passed: true }] });
    expect(h.events.map((e) => e.action)).toEqual(['audit', 'warn']);
    expect(h.resolves[0].eventIds).toEqual([h.events[1].id]);
  });

  it('all clean and allowed: no round trip, nothing recorded', async () => {
    const h = await started();
    const files = [file('a.txt'), file('b.txt'), file('c.txt')];
    expect(await h.guard.decide('drop', files.map((f) => ({ kind: 'file' as const, blob: f, name: f.name })))).toBe(true);
    expect(h.wire).toEqual([]);
  });
});

describe('caches', () => {
  it('the same file object is scanned and asked about once', async () => {
    const h = await started();
    const f = file('価格表.docx');
    h.verdicts.set(f.name, UNSCANNABLE);
    const item = { kind: 'file' as const, blob: f, name: f.name };
    expect(await h.guard.decide('file-input', [item])).toBe(true);
    expect(await h.guard.decide('fetch', [item])).toBe(true);
    expect(h.scans).toHaveLength(1);
    expect(h.warnings).toHaveLength(1);
  });

  it('the copy the page hooks send (same name, size, mtime, type; new object) hits the cache', async () => {
    const h = await started();
    const f = file('図面.pdf');
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(true);
    const copy = new File([await f.arrayBuffer()], f.name, { type: f.type, lastModified: f.lastModified });
    expect(h.guard.knownAnswer(copy, copy.name)).toBe(true);
    expect(await h.guard.decide('xhr', [{ kind: 'file', blob: copy, name: copy.name }])).toBe(true);
    expect(h.scans).toHaveLength(1);
  });

  it('concurrent requests for one file share one scan and one dialog', async () => {
    const h = await started();
    const f = file('暗号化.zip');
    h.verdicts.set(f.name, UNSCANNABLE);
    const item = { kind: 'file' as const, blob: f, name: f.name };
    const answers = await Promise.all([h.guard.decide('file-input', [item]), h.guard.decide('fetch', [item])]);
    expect(answers).toEqual([true, true]);
    expect(h.scans).toHaveLength(1);
    expect(h.warnings).toHaveLength(1);
  });

  it('a refused file: chosen again by hand it is explained again; retried by the page it is refused quietly', async () => {
    const h = await started();
    const f = file('価格表.docx');
    h.verdicts.set(f.name, MARKED);
    const item = { kind: 'file' as const, blob: f, name: f.name };
    expect(await h.guard.decide('file-input', [item])).toBe(false);
    expect(await h.guard.decide('fetch', [item])).toBe(false);
    expect(h.warnings).toHaveLength(1);
    expect(await h.guard.decide('file-input', [item])).toBe(false);
    expect(h.warnings).toHaveLength(2);
  });

  it('a name-marked file is refused without reading its bytes, and the dialog quotes the prefix', async () => {
    const h = await started();
    const f = file('秘—設計書.docx');
    expect(h.guard.nameVerdict(f.name)).toMatchObject({ rule: 2 });
    expect(h.guard.nameRefusalIsFinal()).toBe(true);
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(false);
    expect(h.scans).toEqual([]);
    expect(h.warnings[0].items[0].namePrefix).toBe('秘—');
    expect(h.events[0]).toMatchObject({ rule: 2, reason: 'name', verdict: 'marked' });
  });
});

describe('page-made bytes', () => {
  it('are reported only when marked: a chunk that reads as corrupt passes unrecorded', async () => {
    const h = await started();
    const chunk = new Blob(['\x00\x01garbage']);
    h.verdicts.set('upload.bin', UNSCANNABLE);
    expect(await h.guard.decide('fetch', [{ kind: 'bytes', blob: chunk }])).toBe(true);
    expect(h.wire).toEqual([]);
    h.verdicts.set('upload.bin', MARKED);
    expect(await h.guard.decide('fetch', [{ kind: 'bytes', blob: new Blob(['x']) }])).toBe(false);
    expect(h.events[0]).toMatchObject({ channel: 'fetch', fileName: null, rule: 1 });
  });
});

describe('warn → justify → proceed, and refusal memory for text', () => {
  it('text sent after a warning passes the request that carries it, without a second dialog', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    expect(await h.guard.decide('text-field', [{ kind: 'text', text: MARKED_TEXT }])).toBe(true);
    expect(h.resolves[0]).toMatchObject({ proceed: true, justification: '取引先への提出で承認済み' });
    expect(h.guard.textVerdict(`{"body":"${MARKED_TEXT}"}`).verdict).toBe('clean');
    expect(await h.guard.decide('fetch', [{ kind: 'text', text: MARKED_TEXT }])).toBe(true);
    expect(h.warnings).toHaveLength(1);
    // A minute later the approval is gone.
    h.clock.now += TEXT_MEMORY_MS + 1;
    expect(h.guard.textVerdict(MARKED_TEXT).verdict).toBe('marked');
  });

  it('cancel: recorded as cancelled without justification; the page retrying the text is refused quietly', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    h.answer = { proceed: false, justification: 'typed but cancelled' };
    expect(await h.guard.decide('paste', [{ kind: 'text', text: MARKED_TEXT }])).toBe(false);
    expect(h.resolves[0]).toMatchObject({ proceed: false, justification: null });
    const events = h.events.length;
    // The page's autosave and retries of the same draft: no dialog, no new record.
    expect(await h.guard.decide('xhr', [{ kind: 'text', text: MARKED_TEXT }])).toBe(false);
    expect(await h.guard.decide('fetch', [{ kind: 'text', text: `{"draft":"${MARKED_TEXT}"}` }])).toBe(false);
    expect(await h.guard.decide('beacon', [{ kind: 'text', text: `${MARKED_TEXT} 追記` }])).toBe(false);
    expect(h.warnings).toHaveLength(1);
    expect(h.events).toHaveLength(events);
    // The employee's own gesture is explained again.
    expect(await h.guard.decide('text-field', [{ kind: 'text', text: MARKED_TEXT }])).toBe(false);
    expect(h.warnings).toHaveLength(2);
    // After a minute a retry asks again.
    h.clock.now += TEXT_MEMORY_MS + 1;
    expect(await h.guard.decide('xhr', [{ kind: 'text', text: MARKED_TEXT }])).toBe(false);
    expect(h.warnings).toHaveLength(3);
  });
});

describe('document text never leaves the page', () => {
  it('the background gets verdict, name, size, hash, rule and a neutral location; the dialog gets the excerpt', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    const f = file('価格表.docx');
    h.verdicts.set(f.name, { ...MARKED, location: { path: [], part: 'word/header1.xml' } });
    await h.guard.decide('drop', [{ kind: 'file', blob: f, name: f.name }, { kind: 'text', text: MARKED_TEXT }]);
    const sent = h.wire.join('\n');
    expect(sent).not.toContain('社外秘');
    expect(sent).not.toContain('価格表です');
    expect(sent).not.toContain('excerpt');
    expect(h.events.map((e) => e.location)).toEqual(['part=word/header1.xml', null]);
    expect(h.warnings[0].items.map((i) => (i.verdict.verdict === 'marked' ? i.verdict.excerpt : null))).toEqual([MARKED.excerpt, expect.stringContaining('秘')]);
  });

  it('a marked finding without its rule is refused whole and records nothing', () => {
    const s = snapshotOf({});
    const bad = { channel: 'drop', url: 'https://mail.google.com/', fileName: 'a', size: 1, sha256: null, verdict: 'marked', rule: null, reason: 'stamp', location: null };
    const a = answerFindings(s, ['https://mail.google.com/'], [bad]);
    expect(a).toMatchObject({ action: 'block', findings: [] });
    const ok = answerFindings(s, ['https://mail.google.com/'], [{ ...bad, rule: 1, excerpt: '秘 本文' }]);
    expect(ok.findings[0]).not.toHaveProperty('excerpt');
    expect(ok.action).toBe('block');
  });
});

describe('the background cannot be reached', () => {
  it('no policy yet: the page waits at most POLICY_WAIT_MS, then refuses and says why', async () => {
    const h = harness();
    h.down.view = true;
    expect(h.guard.isGuarded()).toBe(true);
    const t0 = h.clock.now;
    const f = file('議事録.txt');
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(false);
    expect(h.clock.now - t0).toBeLessThanOrEqual(POLICY_WAIT_MS);
    expect(h.warnings[0]).toMatchObject({ action: 'block', why: 'unconfirmed' });
    expect(h.scans).toEqual([]);
    // Once the background answers, the same file is judged normally (the refusal was not remembered).
    h.down.view = false;
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(true);
  });

  it('no answer to a decision: refused within the bound, not remembered, nothing guessed', async () => {
    const h = await started();
    h.down.decide = true;
    const f = file('暗号化.zip');
    h.verdicts.set(f.name, UNSCANNABLE);
    const t0 = h.clock.now;
    expect(await h.guard.decide('fetch', [{ kind: 'file', blob: f, name: f.name }])).toBe(false);
    expect(h.clock.now - t0).toBeLessThanOrEqual(POLICY_WAIT_MS);
    expect(h.warnings[0].why).toBe('unconfirmed');
    expect(h.guard.knownAnswer(f, f.name)).toBeUndefined();
    h.down.decide = false;
    expect(await h.guard.decide('fetch', [{ kind: 'file', blob: f, name: f.name }])).toBe(true);
    expect(h.warnings[1].why).toBe('policy');
  });

  it('a clean file the policy allows needs no answer and passes at once', async () => {
    const h = await started();
    h.down.decide = true;
    const f = file('議事録.txt');
    const t0 = h.clock.now;
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(true);
    expect(h.clock.now).toBe(t0);
  });
});

describe('policy that moves under an open page', () => {
  it('a pushed snapshot applies at once: a new keyword, and the cache of earlier answers is dropped', async () => {
    const h = await started();
    const seen: string[] = [];
    h.guard.onView((v) => seen.push(v.version));
    const f = file('引継ぎ.txt');
    const item = { kind: 'file' as const, blob: f, name: f.name };
    expect(await h.guard.decide('file-input', [item])).toBe(true);
    expect(h.guard.textVerdict('プロジェクトX の資料').verdict).toBe('clean');
    const next = h.setPolicy({ designated: { keywords: ['プロジェクトX'] } });
    h.guard.receiveSnapshot(next);
    expect(seen).toEqual([next.version]);
    expect(h.guard.textVerdict('プロジェクトX の資料').verdict).toBe('marked');
    expect(h.guard.knownAnswer(f, f.name)).toBeUndefined();
    h.verdicts.set(f.name, { ...MARKED, rule: 3, reason: 'keyword' });
    expect(await h.guard.decide('file-input', [item])).toBe(false);
    expect(h.events.at(-1)).toMatchObject({ rule: 3, reason: 'keyword', action: 'block' });
  });

  it('a category switched from warn to block', async () => {
    const h = await started({ policy: { actions: { webmail: { unscannable: 'warn' } } } });
    const [a, b] = [file('a.zip'), file('b.zip')];
    h.verdicts.set(a.name, UNSCANNABLE).set(b.name, UNSCANNABLE);
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: a, name: a.name }])).toBe(true);
    h.guard.receiveSnapshot(h.setPolicy({ actions: { webmail: { unscannable: 'block' } } }));
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: b, name: b.name }])).toBe(false);
    expect(h.warnings.map((w) => w.action)).toEqual(['warn', 'block']);
  });

  it('a host no longer guarded stops gating; a host newly guarded starts', async () => {
    const h = await started({ url: 'https://upload.partner.example/send' });
    expect(h.guard.isGuarded()).toBe(false);
    const f = file('秘—設計書.docx');
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(true);
    const partner = { id: 'partner', name: '取引先', category: 'custom', hosts: ['upload.partner.example'] };
    h.guard.receiveSnapshot(h.setPolicy({ services: [partner] }));
    expect(h.guard.isGuarded()).toBe(true);
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(false);
    h.guard.receiveSnapshot(h.setPolicy({}));
    // Its own URL no longer names a service, but a window the background pairs with a guarded page
    // (window-follow.ts) would still be guarded: it asks, and stands down on the answer.
    expect(h.guard.isGuarded()).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.guard.isGuarded()).toBe(false);
    expect(await h.guard.decide('file-input', [{ kind: 'file', blob: f, name: f.name }])).toBe(true);
  });

  it('a guard that missed the push learns from the next answer and refreshes itself', async () => {
    const h = await started();
    const before = h.guard.view()!.version;
    h.setPolicy({ designated: { keywords: ['プロジェクトX'] } }); // no push reaches this page
    const f = file('暗号化.zip');
    h.verdicts.set(f.name, UNSCANNABLE);
    await h.guard.decide('drop', [{ kind: 'file', blob: f, name: f.name }]);
    await Promise.resolve();
    expect(h.guard.view()!.version).not.toBe(before);
    expect(h.guard.view()!.version).toBe(h.snapshot.version);
    expect(h.guard.textVerdict('プロジェクトX').verdict).toBe('marked');
  });

  it('an about:blank frame cannot tell its service from its URL and asks the background', async () => {
    const h = await started({ url: 'about:blank' });
    const fetches = h.viewFetches;
    h.guard.receiveSnapshot(h.setPolicy({ designated: { keywords: ['プロジェクトX'] } }));
    await Promise.resolve();
    expect(h.viewFetches).toBe(fetches + 1);
  });
});
