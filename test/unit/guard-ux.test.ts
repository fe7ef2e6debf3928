/**
 * What the employee meets (issue 12), decided in the core: several files with one marked (nothing goes
 * by default; "attach only the files that passed" hands over exactly those, once), a dispute linked to
 * the decision, guidance by category, too-large/encrypted actions per category, a member's marked name,
 * and a multi-line prompt approved once.
 */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/detect/types.js';
import { BYTES_NAME } from '../../src/guard/find.js';
import { comparable } from '../../src/guard/memory.js';
import { MARKED, UNSCANNABLE, file, started } from '../support/guard.js';

const items = (...files: File[]) => files.map((f) => ({ kind: 'file' as const, blob: f, name: f.name }));

describe('several files, one marked', () => {
  it('by default nothing goes, and the clean files are listed as passed', async () => {
    const h = await started();
    const [a, b, marked] = [file('議事録.txt'), file('見積書.pdf'), file('価格表.docx')];
    h.verdicts.set(marked.name, MARKED);
    h.answer = { proceed: false, justification: null };
    expect(await h.guard.select('file-input', items(a, b, marked))).toEqual([]);
    const w = h.warnings[0];
    expect(w.items.map((i) => [i.name, i.passed])).toEqual([
      [marked.name, false],
      [a.name, true],
      [b.name, true],
    ]);
    expect(w.canSendPassed).toBe(true);
  });

  it('"attach only the files that passed": exactly those, and asking again for them needs no dialog', async () => {
    const h = await started();
    const [a, b, marked] = [file('議事録.txt'), file('見積書.pdf'), file('価格表.docx')];
    h.verdicts.set(marked.name, MARKED);
    h.answer = { proceed: false, justification: null, onlyPassed: true };
    const list = items(a, b, marked);
    expect(await h.guard.select('drop', list)).toEqual([list[0], list[1]]);
    expect(await h.guard.decide('drop', list)).toBe(false);
    // The page's own upload of the two (the hooks see them) passes from the cache: no scan, no dialog.
    expect(await h.guard.decide('xhr', items(a, b))).toBe(true);
    expect(h.scans.filter((n) => n === a.name)).toHaveLength(1);
    expect(h.warnings).toHaveLength(2); // the select and the decide above, never the xhr
    expect(h.guard.knownAnswer(marked, marked.name)).toBe(false);
  });

  it('a channel that cannot hand over part of a gesture never offers it, and ignores the answer', async () => {
    const h = await started();
    const [a, marked] = [file('a.txt'), file('b.docx')];
    h.verdicts.set(marked.name, MARKED);
    h.answer = { proceed: false, justification: null, onlyPassed: true };
    expect(await h.guard.select('file-picker', items(a, marked))).toEqual([]);
    expect(h.warnings[0].canSendPassed).toBe(false);
  });

  it('warn + "attach only passed": the warned file stays behind and is recorded as cancelled', async () => {
    const h = await started({ policy: { actions: { webmail: { unscannable: 'warn' } } } });
    const [a, enc] = [file('a.txt'), file('暗号化.zip')];
    h.verdicts.set(enc.name, UNSCANNABLE);
    h.answer = { proceed: true, justification: 'x', onlyPassed: true };
    const list = items(a, enc);
    expect(await h.guard.select('file-input', list)).toEqual([list[0]]);
    expect(h.resolves[0]).toMatchObject({ proceed: false, justification: null });
  });
});

describe('dispute', () => {
  it('the dialog can record a dispute of the refused decisions, with the comment', async () => {
    const h = await started();
    const [a, marked] = [file('a.txt'), file('b.docx')];
    h.verdicts.set(marked.name, MARKED);
    h.answer = { proceed: false, justification: null };
    await h.guard.select('file-input', items(a, marked));
    const w = h.warnings[0];
    expect(w.dispute).not.toBeNull();
    expect(await w.dispute!('議事録の雛形です')).toBe(true);
    const blockedId = h.events.find((e) => e.fileName === marked.name)!.id;
    expect(h.disputes).toEqual([{ type: 'dispute', eventIds: [blockedId], comment: '議事録の雛形です' }]);
  });

  it('a refusal made without a policy records nothing, so it offers no dispute and says nothing was recorded', async () => {
    const h = await started();
    h.down.view = true;
    h.guard.receiveSnapshot({ ...h.snapshot, version: 'other' });
    h.down.decide = true;
    h.verdicts.set('x.docx', MARKED);
    await h.guard.select('file-input', items(file('x.docx')));
    expect(h.warnings[0]).toMatchObject({ recorded: false, dispute: null });
  });
});

describe('guidance and actions by category', () => {
  const policy = {
    guidance: {
      sharing: {
        ja: '社外への送付は「社内便」を使ってください。',
        contact: { name: '情報システム部', mail: 'help@example.co.jp', phone: '03-1234-5678' },
        alternative: { ja: '社内便（大容量ファイル転送）', url: 'https://transfer.example.co.jp/' },
        reasons: [{ ja: '顧客の依頼による', en: 'Requested by the customer' }],
      },
    },
  };

  it('the dialog on a sharing service gets that category’s guidance, contact, alternative and reasons', async () => {
    const h = await started({ policy, url: 'https://46.gigafile.nu/' });
    h.verdicts.set('x.docx', MARKED);
    await h.guard.select('file-input', items(file('x.docx')));
    expect(h.warnings[0].category).toBe('sharing');
    expect(h.warnings[0].guidance).toEqual({
      text: '社外への送付は「社内便」を使ってください。',
      url: null,
      contact: { name: '情報システム部', mail: 'help@example.co.jp', phone: '03-1234-5678', url: null },
      alternative: { text: '社内便（大容量ファイル転送）', url: 'https://transfer.example.co.jp/' },
      reasons: ['顧客の依頼による'],
    });
  });

  it('webmail keeps the general message and its own preset reasons', async () => {
    const h = await started({ policy });
    h.verdicts.set('x.docx', MARKED);
    await h.guard.select('file-input', items(file('x.docx')));
    expect(h.warnings[0].guidance.contact).toBeNull();
    expect(h.warnings[0].guidance.reasons.length).toBeGreaterThan(0);
    expect(h.warnings[0].guidance.text).toContain('「秘」');
  });

  it('too large on a sharing service is recorded without a dialog; on webmail it asks; encrypted follows the policy', async () => {
    const tooLarge: Verdict = { verdict: 'unscannable', reason: 'too-large', detail: 'over' };
    const sharing = await started({ url: 'https://46.gigafile.nu/' });
    sharing.verdicts.set('動画.mp4', tooLarge);
    expect(await sharing.guard.decide('file-input', items(file('動画.mp4')))).toBe(true);
    expect(sharing.warnings).toHaveLength(0);
    expect(sharing.events.map((e) => [e.reason, e.action, e.outcome])).toEqual([['too-large', 'audit', 'allowed']]);

    const mail = await started({ policy: { actions: { webmail: { encrypted: 'block' } } } });
    mail.verdicts.set('動画.mp4', tooLarge).set('暗号化.zip', { verdict: 'unscannable', reason: 'encrypted', detail: 'AES' });
    await mail.guard.decide('file-input', items(file('動画.mp4')));
    expect(mail.warnings[0].action).toBe('warn');
    await mail.guard.decide('file-input', items(file('暗号化.zip')));
    expect(mail.warnings[1].action).toBe('block');
  });
});

describe('words the dialog gets', () => {
  it('a marked member’s name: the prefix is quoted from the member, not from the archive', async () => {
    const h = await started();
    h.verdicts.set('2023年度.zip', { verdict: 'marked', rule: 2, reason: 'name', location: { path: ['資料', '秘—引継ぎメモ.txt'] }, excerpt: '秘—引継ぎメモ.txt' });
    await h.guard.select('file-input', items(file('2023年度.zip')));
    expect(h.warnings[0].items[0].namePrefix).toBe('秘—');
  });
});

describe('a multi-line prompt approved once', () => {
  const PROMPT = '次の文章を要約してください。\n\n設計レビュー結果\n秘 Confidential\n以上';

  it('the request body that carries it (JSON escapes, other line breaks) is known as approved', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    expect(await h.guard.decide('text-field', [{ kind: 'text', text: PROMPT }])).toBe(true);
    const body = JSON.stringify({ messages: [{ content: { parts: [PROMPT.replace(/\n\n/g, '\n')] } }], model: 'x' });
    expect(await h.guard.decide('fetch', [{ kind: 'text', text: body }])).toBe(true);
    expect(h.warnings).toHaveLength(1);
    // Another prompt with the stamp is still asked about.
    expect(await h.guard.decide('fetch', [{ kind: 'text', text: JSON.stringify({ q: '別件\n秘 Confidential 価格表' }) }])).toBe(true);
    expect(h.warnings).toHaveLength(2);
  });

  it('asked once when the field watch, Enter and the request ask about the same prompt at once', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    const body = JSON.stringify({ parts: [PROMPT] });
    const [watch, enter, request] = await Promise.all([
      h.guard.decide('text-field', [{ kind: 'text', text: PROMPT }]),
      h.guard.decide('text-field', [{ kind: 'text', text: PROMPT.replace(/\n/g, '\r\n') }]),
      h.guard.decide('fetch', [{ kind: 'text', text: body }]),
    ]);
    expect([watch, enter, request]).toEqual([true, true, true]);
    expect(h.warnings).toHaveLength(1);
  });

  it('a no covers the same prompt asked about meanwhile, without a second dialog', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    h.answer = { proceed: false, justification: null };
    const both = await Promise.all([
      h.guard.decide('text-field', [{ kind: 'text', text: PROMPT }]),
      h.guard.decide('text-field', [{ kind: 'text', text: PROMPT }]),
    ]);
    expect(both).toEqual([false, false]);
    expect(h.warnings).toHaveLength(1);
  });

  it('the approval covers the approved text only: a new stamp typed beside it is asked about', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    expect(await h.guard.decide('text-field', [{ kind: 'text', text: PROMPT }])).toBe(true);
    expect(h.guard.textVerdict(`${PROMPT}\n追記します`).verdict).toBe('clean');
    expect(h.guard.textVerdict(`${PROMPT}\n追記: 秘 Confidential`).verdict).toBe('marked');
    expect(h.guard.textVerdict(`秘 ${PROMPT}`).verdict).toBe('clean'); // 秘 before an approved text joins no stamp
  });

  it('comparable(): escapes undone, whitespace ignored', () => {
    expect(comparable('a\nb "c"')).toBe(comparable(JSON.stringify('a\r\n\nb "c"').slice(1, -1)));
    expect(comparable('\\u79d8 x')).toBe('秘x');
  });
});

describe('what the page sends again while its warning is open', () => {
  const STAMPED = '来期の価格表 abc 秘 Confidential 取扱注意';

  it('a copy of a refused file (a FormData, then the Request made of it: a new object, a new mtime) is refused without a second dialog', async () => {
    const h = await started();
    h.verdicts.set('報告書.txt', MARKED);
    h.answer = { proceed: false, justification: null };
    const [first, copy] = [file('報告書.txt'), file('報告書.txt')];
    expect(await Promise.all([h.guard.decide('form-data', items(first)), h.guard.decide('fetch', items(copy))])).toEqual([false, false]);
    expect(h.warnings).toHaveLength(1);
    expect(h.events).toHaveLength(2); // both requests are on record
    // Once more, by the page, a moment later: still no dialog.
    expect(await h.guard.decide('xhr', items(file('報告書.txt')))).toBe(false);
    expect(h.warnings).toHaveLength(1);
  });

  it('a clean file of the same name and size still goes, and the employee\'s own gesture is always asked', async () => {
    const h = await started();
    h.verdicts.set('報告書.txt', MARKED);
    h.answer = { proceed: false, justification: null };
    expect(await h.guard.decide('fetch', items(file('報告書.txt')))).toBe(false);
    h.verdicts.delete('報告書.txt');
    expect(await h.guard.decide('fetch', items(file('報告書.txt')))).toBe(true);
    h.verdicts.set('報告書.txt', MARKED);
    expect(await h.guard.decide('file-input', items(file('報告書.txt')))).toBe(false);
    expect(h.warnings).toHaveLength(2);
  });

  it('the same words in another form at once (a JSON header, then the text out of it; page-made bytes that decode to it): one dialog', async () => {
    const h = await started();
    h.answer = { proceed: false, justification: null };
    const bytes = new Blob([STAMPED]);
    h.verdicts.set(BYTES_NAME, { ...MARKED, excerpt: STAMPED });
    const answers = await Promise.all([
      h.guard.decide('fetch', [{ kind: 'text', text: `{"t":"${STAMPED}","n":1}` }]),
      h.guard.decide('fetch', [{ kind: 'text', text: STAMPED }]),
      h.guard.decide('xhr', [{ kind: 'bytes', blob: bytes }]),
    ]);
    expect(answers).toEqual([false, false, false]);
    expect(h.warnings).toHaveLength(1);
    // Another stamped text is asked about.
    expect(await h.guard.decide('fetch', [{ kind: 'text', text: '別件 秘 Confidential 見積' }])).toBe(false);
    expect(h.warnings).toHaveLength(2);
  });

  it('a refused file carried again as its own content (read into a data: URL, decoded as page-made bytes): one dialog, both on record', async () => {
    for (const fileFirst of [true, false]) {
      const h = await started();
      h.answer = { proceed: false, justification: null };
      // The engine finds the same stamp in the same words in the file and in the bytes decoded from its data: URL.
      h.verdicts.set('報告書.txt', { ...MARKED, excerpt: STAMPED }).set(BYTES_NAME, { ...MARKED, excerpt: STAMPED });
      const asFile = () => h.guard.decide('fetch', items(file('報告書.txt')));
      const asBytes = () => h.guard.decide('fetch', [{ kind: 'bytes', blob: new Blob([STAMPED]) }]);
      expect(await (fileFirst ? asFile() : asBytes())).toBe(false);
      expect(await (fileFirst ? asBytes() : asFile())).toBe(false);
      expect(h.warnings).toHaveLength(1);
      expect(h.events).toHaveLength(2);
      // Another document's stamp is asked about.
      h.verdicts.set(BYTES_NAME, { ...MARKED, excerpt: '別件の見積 秘 Confidential 取扱注意' });
      expect(await h.guard.decide('fetch', [{ kind: 'bytes', blob: new Blob(['y']) }])).toBe(false);
      expect(h.warnings).toHaveLength(2);
    }
  });

  it('a document decoded from a body waits for the file being decided, so the one dialog names the file', async () => {
    const h = await started();
    h.answer = { proceed: false, justification: null };
    let release!: () => void;
    h.slow.set('報告書.txt', new Promise<void>((r) => (release = r)));
    h.verdicts.set('報告書.txt', { ...MARKED, excerpt: STAMPED }).set(BYTES_NAME, { ...MARKED, excerpt: STAMPED });
    // The file's scan is slow; its content, decoded from the body that carries it, is judged first.
    const asFile = h.guard.decide('fetch', items(file('報告書.txt')));
    const asBytes = h.guard.decide('fetch', [{ kind: 'bytes', blob: new Blob([STAMPED]) }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.warnings).toHaveLength(0);
    release();
    expect(await Promise.all([asFile, asBytes])).toEqual([false, false]);
    expect(h.warnings.map((w) => w.items.map((i) => i.name))).toEqual([['報告書.txt']]);
    expect(h.events).toHaveLength(2);
  });

  it('a yes covers the copies the page queued while the dialog was open (same content), with its reason; not a later copy, not another file', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    const DIGEST = 'ab'.repeat(32);
    h.verdicts.set('報告書.txt', { ...MARKED, sha256: DIGEST } as typeof MARKED).set('別の報告書.txt', { ...MARKED, sha256: 'cd'.repeat(32) } as typeof MARKED);
    // A FormData, then the Request made of it (a new File, a new mtime), and another file, all at once.
    const answers = await Promise.all([
      h.guard.decide('form-data', items(file('報告書.txt'))),
      h.guard.decide('fetch', items(file('報告書.txt'))),
      h.guard.decide('xhr', items(file('別の報告書.txt'))),
    ]);
    expect(answers).toEqual([true, true, true]);
    expect(h.warnings.map((w) => w.items.map((i) => i.name))).toEqual([['報告書.txt'], ['別の報告書.txt']]);
    // Every copy is on record, each resolved with the reason the employee gave.
    expect(h.events).toHaveLength(3);
    expect(h.resolves.map((r) => [r.eventIds.length, r.proceed, r.justification])).toEqual([
      [1, true, h.answer.justification],
      [1, true, h.answer.justification],
      [1, true, h.answer.justification],
    ]);
    expect(new Set(h.resolves.flatMap((r) => r.eventIds))).toEqual(new Set(h.events.map((e) => e.id)));
    // Sent again after the answer: asked again.
    expect(await h.guard.decide('fetch', items(file('報告書.txt')))).toBe(true);
    expect(h.warnings).toHaveLength(3);
  });

  it('a warning the employee answered yes is not a refusal: the next copy is asked about', async () => {
    const h = await started({ policy: { actions: { webmail: { marked: 'warn' } } } });
    h.verdicts.set('報告書.txt', MARKED);
    expect(await h.guard.decide('fetch', items(file('報告書.txt')))).toBe(true);
    expect(await h.guard.decide('xhr', items(file('報告書.txt')))).toBe(true);
    expect(h.warnings).toHaveLength(2);
  });
});
