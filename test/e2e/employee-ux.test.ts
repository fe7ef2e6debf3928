/**
 * The employee's experience (issue 12) in real Chromium with the built extension, in Japanese and in
 * English, with Japanese file names (Chromium runs under C.UTF-8 plus LANGUAGE/--lang):
 *
 * - several files with one marked: nothing goes by default and the dialog says so; "attach only the
 *   files that passed" hands the page exactly those, once (file input and drop);
 * - the "checking…" indicator on a 100 MB file: shown within 400 ms, never takes focus, gone on clean;
 * - the unscannable dialogs (password-protected, too large) with their own advice, and a too-large file
 *   on a sharing service recorded without a dialog;
 * - a dispute ("ask for a review") recorded and reaching the real collector, linked to the decision,
 *   and on the admin page's review-request view; the popup shows the device id the admin sees;
 * - a multi-line GenAI prompt sent after a warning is asked about once.
 *
 * Every dialog is photographed into docs/screenshots/ (see docs/employee-experience.md).
 * Needs root (managed policy in /etc/chromium/policies/managed): run under `flock /tmp/ug-e2e.lock`.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import type { StoredEvent } from '../../src/events/schema.js';
import { ADMIN_TOKEN, INGEST_TOKEN, ROOT, freePort, pull, startCollector, type RunningCollector } from './support/collector.js';
import {
  GUARDED_HOSTS,
  WARNING_TAG,
  arrivals,
  clearAll,
  clickInWarning,
  continueWithJustification,
  corpus,
  dismissWarning,
  dragFiles,
  launchWithExtension,
  pageLog,
  readWarning,
  sample,
  type Launched,
  type SiteServer,
  startSiteServer,
} from './support/index.js';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const CHECKING_TAG = 'upload-guard-checking';
const MAIL = 'mail.google.com';
const DRIVE = 'drive.google.com';
const GIGAFILE = '46.gigafile.nu';
const CHAT = 'chatgpt.com';

const CONTACT = { name: '情報システム部 ヘルプデスク', mail: 'helpdesk@example.co.jp', phone: '03-1234-5678' };
const GUIDANCE = {
  webmail: {
    ja: '社外へのファイル送付は、会社の「社内便」を使ってください。',
    en: 'Send files outside the company with the company transfer service.',
    contact: CONTACT,
    alternative: { ja: '社内便（ファイル転送サービス）', en: 'Company transfer service', url: 'https://transfer.example.co.jp/' },
  },
};

/** What each language must say: one term for the marking, the member named, locations in words. */
const WORDS = {
  ja: {
    nothingSent: 'まだ何も送信・添付されていません。',
    recorded: 'この操作は記録され、管理者が確認できます。',
    marked: '「秘」区分',
    passed: '問題なし',
    sendPassed: (n: number) => `問題のない ${n} 件だけ添付する`,
    nameRule: 'ファイル名が「秘—」で始まっています',
    member: '過去資料.zip の中の 2023年度.zip の中の 引継ぎメモ.txt に「秘 Confidential」の表示があります',
    cell: 'シート「Detail」のセル E1に「秘 Confidential」の表示があります',
    encrypted: 'パスワードで保護されているため、中身を確認できません',
    encryptedAdvice: '会社が認めた方法',
    tooLarge: 'ファイルが大きすぎるため、中身を確認できません',
    tooLargeAdvice: '確認できるファイルの大きさの上限',
    guidance: GUIDANCE.webmail.ja,
    alternative: '会社が認めている方法：社内便（ファイル転送サービス）',
    dispute: '判定の確認を依頼する',
    disputeSend: '確認を依頼する',
    disputeSent: '確認の依頼を記録しました。',
    reason: '上長の承認を得ている',
    checking: 'を確認しています…',
  },
  en: {
    nothingSent: 'Nothing has been sent or attached.',
    recorded: 'This attempt has been recorded and your administrator can see it.',
    marked: 'Marked 秘 Confidential',
    passed: 'Nothing marked',
    sendPassed: (n: number) => `Attach only the files that passed (${n})`,
    nameRule: 'The file name begins with “秘—”',
    member: 'The 秘 Confidential stamp is in 引継ぎメモ.txt in 2023年度.zip in 過去資料.zip',
    cell: 'The 秘 Confidential stamp is in cell E1 of sheet “Detail”',
    encrypted: 'It is password-protected, so its contents could not be checked',
    encryptedAdvice: 'approved route',
    tooLarge: 'It is too large to check',
    tooLargeAdvice: 'larger than can be checked',
    guidance: GUIDANCE.webmail.en,
    alternative: 'Approved alternative: Company transfer service',
    dispute: 'Ask for a review',
    disputeSend: 'Send the request',
    disputeSent: 'Your request has been recorded.',
    reason: 'Approved by my manager',
    checking: 'Checking ',
  },
} as const;

const FORBIDDEN = ['社外秘', '秘情報', '機密表示', '.xml', 'word/', 'xl/', 'too-large', 'encrypted', 'unscannable', 'undefined'];

/** A file of `bytes` bytes of clean Japanese text, written in slices (never held in memory whole). */
/**
 * A large clean data file: 1 MiB of seeded random bytes, repeated. Not text: a 100 MB Japanese text file
 * now scans in about 300 ms, and a scan that ends before the indicator's 300 ms rightly never shows it;
 * a binary file is searched byte by byte and takes longer, so the indicator has to appear.
 */
function bigDataFile(name: string, bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'ug-big-'));
  const path = join(dir, name);
  let seed = 20251202;
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  // A UTF-16 「秘 meeting notes…」 (not a stamp) every 2 KiB, amid noise: each is a window the engine decodes
  // and verifies. Random bytes alone now scan in about 300 ms (the SIMD byte search), too close to the
  // indicator's 300 ms; a bare 秘 followed by noise is dropped before any decoding.
  const line = Buffer.from('秘 meeting notes for the team', 'utf16le');
  for (let at = 0; at + line.length <= block.length; at += 2048) line.copy(block, at);
  const fd = openSync(path, 'w');
  for (let left = bytes; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  closeSync(fd);
  return path;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name) });
}

function file(name: string, buffer: Buffer) {
  return { name, mimeType: 'application/octet-stream', buffer };
}

const clean1 = sample('議事録メモ.txt', Buffer.from('来週の定例は水曜 10 時から。資料は各自で準備。\n'.repeat(40)));
const clean2 = sample('見積依頼_山田.txt', Buffer.from('部品 A-12 の見積をお願いします。納期は来月末です。\n'.repeat(40)));
const marked = sample('秘—設計書.docx', corpus('秘密保持契約書_雛形.docx'));

describe.each(['ja', 'en'] as const)('employee experience (%s)', (lang) => {
  const W = WORDS[lang];
  let server: SiteServer;
  let collector: RunningCollector;
  let b: Launched;
  const pages = new Map<string, Page>();
  const page = async (host: string) => {
    let p = pages.get(host);
    if (!p) {
      p = await b.context.newPage();
      await p.goto(server.url(host));
      pages.set(host, p);
    }
    await p.bringToFront();
    await clearAll(p, server);
    return p;
  };

  beforeAll(async () => {
    server = await startSiteServer({ hosts: GUARDED_HOSTS });
    collector = await startCollector({ dataDir: mkdtempSync(join(tmpdir(), 'ug-ux-data-')), port: await freePort() });
    b = await launchWithExtension({
      lang: lang === 'ja' ? 'ja' : 'en-US',
      policy: { collectorUrl: collector.url, ingestToken: INGEST_TOKEN, actions: { genai: { marked: 'warn' } }, guidance: GUIDANCE },
    });
    // The first storage.managed read can take seconds: wait until the background runs with the policy.
    const sw = b.serviceWorker!;
    for (let i = 0; i < 150; i++) {
      if (Object.keys(await sw.evaluate(async () => chrome.storage.managed.get(null))).length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await collector?.stop();
    await server?.close();
  });

  it('several files, one marked: the dialog lists each with its result and nothing is attached', async () => {
    const p = await page(MAIL);
    await p.setInputFiles('#fetch-input', [clean1, clean2, marked].map((s) => file(s.name, s.buffer)));
    const w = await readWarning(p);
    expect(w.action).toBe('block');
    for (const s of [clean1, clean2, marked]) expect(w.text).toContain(s.name);
    for (const s of [W.nothingSent, W.recorded, W.marked, W.passed, W.nameRule, W.guidance, W.alternative, CONTACT.mail, CONTACT.phone]) {
      expect(w.text).toContain(s);
    }
    expect(w.buttons).toContain(W.sendPassed(2));
    for (const bad of FORBIDDEN) expect(w.text).not.toContain(bad);
    await shot(p, `several-files-${lang}.png`);
    await dismissWarning(p);
    await p.waitForTimeout(500);
    expect((await pageLog(p)).filter((l) => l.ch === 'fetch-input')).toEqual([]);
    expect(server.received.filter((a) => a.host === MAIL)).toEqual([]);
    expect(await p.$eval('#fetch-input', (el) => (el as HTMLInputElement).files?.length ?? 0)).toBe(0);
  });

  it('a name with a right-to-left override is shown with the override visible, not obeyed', async () => {
    const p = await page(MAIL);
    const name = '秘—請求書\u202Etxt.exe';
    await p.setInputFiles('#fetch-input', file(name, Buffer.from('plain text')));
    const w = await readWarning(p);
    expect(w.text).toContain('秘—請求書[U+202E]txt.exe');
    expect(w.text).not.toContain('\u202E');
    await dismissWarning(p);
  });

  it('stays modal and on screen: the page cannot take the focus, hide it with CSS or remove it; Escape still closes it', async () => {
    const p = await page(MAIL);
    await p.setInputFiles('#fetch-input', file(marked.name, marked.buffer));
    await readWarning(p);
    // A composer that refocuses itself: the focus comes back to the dialog, and the key typed is not the page's.
    await p.evaluate(() => (document.getElementById('prompt') as HTMLElement).focus());
    expect(await p.evaluate((tag) => document.activeElement?.localName === tag, WARNING_TAG)).toBe(true);
    await p.keyboard.type('x');
    expect(await p.$eval('#prompt', (el) => (el as HTMLTextAreaElement).value)).not.toContain('x');
    // The page's style sheet, its inline style, and removing the element.
    await p.addStyleTag({ content: `${WARNING_TAG} { display: none !important; opacity: 0 !important; }` });
    await p.evaluate((tag) => {
      const host = document.querySelector(tag) as HTMLElement;
      host.style.setProperty('visibility', 'hidden', 'important');
      host.remove();
    }, WARNING_TAG);
    await p.waitForTimeout(100);
    const shown = await p.evaluate((tag) => {
      const host = document.querySelector(tag);
      if (!host) return 'removed';
      const cs = getComputedStyle(host);
      return `${cs.display}/${cs.visibility}/${cs.opacity}`;
    }, WARNING_TAG);
    expect(shown).toBe('block/visible/1');
    await p.evaluate(() => (document.getElementById('prompt') as HTMLElement).focus());
    await p.keyboard.press('Escape');
    await p.locator(WARNING_TAG).waitFor({ state: 'detached', timeout: 5_000 });
    expect(server.received.filter((a) => a.host === MAIL)).toEqual([]);
  });

  it('"attach only the files that passed" (file input): the page gets exactly those, once', async () => {
    const p = await page(MAIL);
    await p.setInputFiles('#fetch-input', [clean1, marked, clean2].map((s) => file(s.name, s.buffer)));
    await readWarning(p);
    await clickInWarning(p, W.sendPassed(2));
    await p.locator(WARNING_TAG).waitFor({ state: 'detached', timeout: 5_000 });
    const got = await arrivals(server, (a) => a.host === MAIL && a.channel === 'fetch-input', 2);
    await p.waitForTimeout(1_000); // nothing more comes
    expect(server.received.filter((a) => a.host === MAIL).map((a) => [a.name, a.sha256])).toEqual([
      [clean1.name, clean1.sha256],
      [clean2.name, clean2.sha256],
    ]);
    expect(got).toHaveLength(2);
    expect((await pageLog(p)).filter((l) => l.ch === 'fetch-input').map((l) => l.names)).toEqual([[clean1.name, clean2.name]]);
    expect(await p.locator(WARNING_TAG).count()).toBe(0);
  });

  it('"attach only the files that passed" (drop): the drop zone gets exactly those, once', async () => {
    const p = await page(DRIVE);
    await dragFiles(p, '#drop', [clean1.path, marked.path, clean2.path]);
    const w = await readWarning(p);
    expect(w.text).toContain(W.nothingSent);
    await clickInWarning(p, W.sendPassed(2));
    await arrivals(server, (a) => a.host === DRIVE && a.channel === 'drop', 2);
    await p.waitForTimeout(1_000);
    expect(server.received.filter((a) => a.host === DRIVE).map((a) => a.sha256).sort()).toEqual([clean1.sha256, clean2.sha256].sort());
    expect((await pageLog(p)).filter((l) => l.ch === 'drop').map((l) => l.names)).toEqual([[clean1.name, clean2.name]]);
  });

  it('a member of an archive and a cell of a sheet are named in words, never part paths', async () => {
    const p = await page(MAIL);
    const zip = sample('過去資料.zip', corpus('過去資料.zip'));
    const xlsx = sample('quality-kpi.xlsx', corpus('quality-kpi.xlsx'));
    await p.setInputFiles('#fetch-input', [zip, xlsx].map((s) => file(s.name, s.buffer)));
    const w = await readWarning(p);
    expect(w.text).toContain(W.member);
    expect(w.text).toContain(W.cell);
    for (const bad of FORBIDDEN) expect(w.text).not.toContain(bad);
    await shot(p, `archive-member-${lang}.png`);
    await dismissWarning(p);
  });

  it('"checking…" on a 100 MB file: shown within 400 ms, takes no focus, gone when it is clean', async () => {
    const p = await page(DRIVE);
    const path = bigDataFile(lang === 'ja' ? '生産実績ログ_2025年度.dat' : '生産実績ログ_2025年度_en.dat', 100_000_000);
    await p.focus('#prompt');
    // The page records when the file is in the input (polled: the guard holds the input event, so no
    // page listener sees it), when the indicator is attached and gone, and whether focus ever left the prompt.
    await p.evaluate((tag) => {
      const w = window as unknown as { __ind: Record<string, number | boolean | null> };
      w.__ind = { chosen: null, shown: null, gone: null, focusLost: false };
      const input = document.getElementById('fetch-input') as HTMLInputElement;
      const poll = setInterval(() => {
        if (input.files?.length && w.__ind.chosen === null) w.__ind.chosen = Date.now();
        if (w.__ind.gone !== null) clearInterval(poll);
      }, 2);
      new MutationObserver(() => {
        const on = document.querySelector(tag) !== null;
        if (on && w.__ind.shown === null) w.__ind.shown = Date.now();
        if (!on && w.__ind.shown !== null && w.__ind.gone === null) w.__ind.gone = Date.now();
        if (document.activeElement?.id !== 'prompt') w.__ind.focusLost = true;
      }).observe(document.documentElement, { childList: true, subtree: true });
    }, CHECKING_TAG);
    // The DevTools session is open before the file is chosen and read as soon as the indicator is there:
    // a clean 100 MB file's verdict comes ~150–250 ms after the indicator, which then goes.
    const cdp = await p.context().newCDPSession(p);
    const t0 = Date.now();
    await p.setInputFiles('#fetch-input', path);
    await p.locator(CHECKING_TAG).waitFor({ state: 'attached', timeout: 5_000 });
    const text = await readCheckingText(cdp).finally(() => cdp.detach());
    type Ind = { chosen: number | null; shown: number | null; gone: number | null; focusLost: boolean };
    const ind = () => p.evaluate(() => (window as unknown as { __ind: Ind }).__ind);
    const first = await ind();
    const shownAfter = first.shown! - (first.chosen ?? t0);
    console.log(`[ux] checking indicator (${lang}): shown ${shownAfter} ms after the file was in the input (${first.shown! - t0} ms after the test started choosing it)`);
    expect(shownAfter).toBeLessThanOrEqual(400);
    // It names the file (read through the DevTools protocol: closed shadow root).
    expect(text).toContain(W.checking);
    expect(text).toContain('生産実績ログ_2025年度');
    expect(text).toContain('100 MB');
    await shot(p, `checking-${lang}.png`);
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('prompt');
    await p.locator(CHECKING_TAG).waitFor({ state: 'detached', timeout: 60_000 });
    // For the scan-limit figure (docs/employee-experience.md): the whole 100 MB scan, choice to verdict.
    console.log(`[ux] 100 MB clean data (${lang}): verdict ${(await ind()).gone! - (first.chosen ?? t0)} ms after the file was in the input`);
    const got = await arrivals(server, (a) => a.host === DRIVE && a.channel === 'fetch-input', 1, 30_000);
    expect(got.map((a) => a.size)).toEqual([100_000_000]);
    expect((await ind()).focusLost).toBe(false);
    expect(await p.locator(WARNING_TAG).count()).toBe(0);
  }, 120_000);

  it('unscannable: a password-protected archive gets its own reason and advice', async () => {
    const p = await page(MAIL);
    const zip = sample('送付資料_pw.zip', corpus('送付資料_pw.zip'));
    await p.setInputFiles('#fetch-input', file(zip.name, zip.buffer));
    const w = await readWarning(p);
    expect(w.action).toBe('warn');
    expect(w.text).toContain(W.encrypted);
    expect(w.text).toContain(W.encryptedAdvice);
    // The advice is about this file, not the 「秘」 advice for a marked one.
    expect(w.text).not.toContain(lang === 'ja' ? '「秘」区分の情報が含まれています' : 'includes information marked');
    for (const bad of FORBIDDEN) expect(w.text).not.toContain(bad);
    await shot(p, `unscannable-encrypted-${lang}.png`);
    await dismissWarning(p);
  });

  it('unscannable: too large to check asks on webmail (with the limit named) and is only recorded on a sharing service', async () => {
    const big = join(mkdtempSync(join(tmpdir(), 'ug-huge-')), lang === 'ja' ? '製品紹介動画_最終版.bin' : '製品紹介動画_最終版_en.bin');
    // Sparse: past the default scan limit without writing it.
    const fd = openSync(big, 'w');
    writeSync(fd, Buffer.from([1]), 0, 1, DEFAULT_LIMITS.maxBytes);
    closeSync(fd);
    const mail = await page(MAIL);
    await mail.setInputFiles('#fetch-input', big);
    const w = await readWarning(mail);
    expect(w.action).toBe('warn');
    expect(w.text).toContain(W.tooLarge);
    expect(w.text).toContain(W.tooLargeAdvice);
    await shot(mail, `unscannable-too-large-${lang}.png`);
    // The reason can be picked instead of typed.
    await clickInWarning(mail, W.reason);
    await clickInWarning(mail, lang === 'ja' ? '理由を記録して送信する' : 'Record the reason and send');
    await arrivals(server, (a) => a.host === MAIL && a.channel === 'fetch-input', 1, 30_000);

    const share = await page(GIGAFILE);
    await share.setInputFiles('#fetch-input', big);
    const got = await arrivals(server, (a) => a.host === GIGAFILE && a.channel === 'fetch-input', 1, 30_000);
    expect(got).toHaveLength(1);
    expect(await share.locator(WARNING_TAG).count()).toBe(0);
  }, 120_000);

  it('a multi-line prompt sent after a warning is asked about once', async () => {
    const p = await page(CHAT);
    const prompt = '次の議事録を要約してください。\n\n設計レビュー結果\n秘 Confidential\n以上';
    await p.fill('#prompt', prompt);
    await p.press('#prompt', 'Enter');
    const w = await readWarning(p);
    expect(w.action).toBe('warn');
    await shot(p, `prompt-warn-${lang}.png`);
    await continueWithJustification(p, lang === 'ja' ? '公開済みの資料の要約です' : 'A summary of published material');
    const got = await arrivals(server, (a) => a.host === CHAT && a.channel === 'prompt');
    await p.waitForTimeout(1_500);
    expect(got.map((a) => JSON.parse(a.text!).messages[0].content.parts[0])).toEqual([prompt]);
    expect(await p.locator(WARNING_TAG).count()).toBe(0);
  });

  it('a dispute is recorded, reaches the collector linked to the decision, and is on the admin page; the popup shows the device id', async () => {
    const p = await page(MAIL);
    await p.setInputFiles('#fetch-input', file(marked.name, marked.buffer));
    await readWarning(p);
    await clickInWarning(p, W.dispute);
    // The page listens for keys and text at the window (capture), as shortcut handlers and analytics do,
    // and cancels 「c」 and 「/」 as a shortcut: what is typed in the dialog is for the company, not the page.
    await p.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { typedSeen: string[] }).typedSeen = seen;
      for (const type of ['keydown', 'keyup', 'keypress', 'beforeinput', 'input', 'compositionupdate', 'textInput']) {
        window.addEventListener(type, (e) => {
          seen.push(`${type}:${(e as KeyboardEvent).key ?? (e as InputEvent).data}`);
          if ((e as KeyboardEvent).key === 'c' || (e as KeyboardEvent).key === '/') e.preventDefault();
        }, true);
      }
    });
    const comment = lang === 'ja' ? '雛形をコピーしただけで、中身は公開済みの契約書です c/o' : 'Only a copy of our public contract template c/o';
    await p.keyboard.type(comment);
    expect(await p.evaluate(() => (window as unknown as { typedSeen: string[] }).typedSeen)).toEqual([]);
    await shot(p, `dispute-${lang}.png`);
    await clickInWarning(p, W.disputeSend);
    expect((await readWarning(p)).text).toContain(W.disputeSent);
    await shot(p, `dispute-sent-${lang}.png`);
    await dismissWarning(p);

    let events: StoredEvent[] = [];
    for (let i = 0; i < 100 && !events.some((e) => e.outcome === 'disputed'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      const { stdout } = await pull(collector, ['--since', '1h', '--format', 'ndjson']);
      events = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StoredEvent);
    }
    const dispute = events.find((e) => e.outcome === 'disputed' && e.fileName === marked.name);
    expect(dispute, JSON.stringify(events.map((e) => [e.fileName, e.outcome]))).toBeDefined();
    const decision = events.find((e) => e.id === dispute!.relatesTo);
    expect(decision).toMatchObject({ fileName: marked.name, action: 'block', outcome: 'blocked' });
    expect(dispute).toMatchObject({ justification: comment, rule: 2, deviceId: decision!.deviceId });

    // The admin page's review-request view lists it, with the comment as text.
    const admin = await b.context.newPage();
    await admin.goto(`${collector.url}/admin/`);
    await admin.fill('input[type=password], input[name=token]', ADMIN_TOKEN);
    await admin.keyboard.press('Enter');
    await admin.click('[data-view=disputes]');
    const row = admin.locator(`tr[data-id="${dispute!.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td.comment').textContent()).toBe(comment);
    await shot(admin, `admin-disputes-${lang}.png`);
    await admin.close();

    const popup = await b.context.newPage();
    await popup.goto(`chrome-extension://${b.extensionId}/extension/ui/popup/index.html`);
    await popup.locator('[data-testid=device-id]').waitFor();
    expect(await popup.textContent('[data-testid=device-id] code')).toBe(decision!.deviceId);
    await shot(popup, `popup-${lang}.png`);
    await popup.close();
  }, 60_000);
});

/** The indicator's text, through the DevTools protocol (its content is in a closed shadow root). */
async function readCheckingText(cdp: CDPSession): Promise<string> {
  {
    type N = { localName?: string; nodeType: number; nodeValue?: string; nodeName: string; children?: N[]; shadowRoots?: N[] };
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: N };
    const out: string[] = [];
    const walk = (n: N, inside: boolean) => {
      const here = inside || n.localName === CHECKING_TAG;
      if (here && n.nodeType === 3 && n.nodeName !== 'STYLE' && n.nodeValue?.trim()) out.push(n.nodeValue.trim());
      for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) if (c.nodeName !== 'STYLE') walk(c, here);
    };
    walk(root, false);
    return out.join(' ');
  }
}
