/**
 * Archives are read in real Chromium even under a page CSP that forbids workers, WebAssembly and
 * frames (the engine runs in the extension's own frame and worker: extension/content/scanner.ts):
 * marked 7z, RAR and CAB are stopped, clean ones arrive byte for byte. What every frame carries at
 * document_start stays small (≤ 30 KB per injected script), and the scan frame appears only once a
 * file does. A page that removes the scan frame gets no `clean` out of it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCspSite, type CspSite } from './support/csp-site.js';
import { DIST, dismissWarning, launchWithExtension, readWarning, WARNING_TAG, type Launched } from './support/index.js';

process.env.LC_ALL = 'C.UTF-8';

const HOST = 'mail.yahoo.co.jp';
/** In libarchive's RAR5 test file (its only RAR with known text); designated so that RAR has a marked case. */
const KEYWORD = 'This is from';
const INJECTED_BUDGET = 30 * 1024;
const SCANNER_TAG = 'upload-guard-scanner';

/** The dialog's line for a designated keyword, in the language the browser runs in. */
const KEYWORD_LINE = (JSON.parse(readFileSync(new URL('../../extension/_locales/ja/messages.json', import.meta.url), 'utf8')) as Record<string, { message: string }>)
  .warn_rule_keyword.message;
const fixture = (f: string) => readFileSync(new URL(`../fixtures/archives/${f}`, import.meta.url));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let site: CspSite;
let browser: Launched;

beforeAll(async () => {
  site = await startCspSite([HOST]);
  browser = await launchWithExtension({ hosts: [HOST], lang: 'ja', policy: { designated: { keywords: [KEYWORD] } } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function open(path = '/'): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(site.url(HOST, path));
  return page;
}

async function pick(page: Page, name: string, buffer: Buffer): Promise<void> {
  site.received.splice(0);
  await page.setInputFiles('#f', { name, mimeType: 'application/octet-stream', buffer });
}

async function arrived(name: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const hit = site.received.find((r) => r.name === name);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** Picks `bytes` as `name`: a marked file is refused with a warning that `says` why, a clean one arrives byte for byte. */
async function pickAndExpect(page: Page, name: string, bytes: Buffer, marked: boolean, says?: string): Promise<void> {
  await pick(page, name, bytes);
  if (marked) {
    const w = await readWarning(page, 20_000);
    expect(w.action).toBe('block');
    expect(w.text).toContain(says);
    await dismissWarning(page);
    await page.waitForTimeout(300);
    expect(site.received).toEqual([]);
  } else {
    const hit = await arrived(name);
    expect(hit?.sha256).toBe(sha(bytes));
    expect(await page.locator(WARNING_TAG).count()).toBe(0);
  }
}

describe('what every frame carries', () => {
  async function registered(): Promise<{ js: string[]; runAt: string; world: string }[]> {
    return (await browser.serviceWorker!.evaluate(async () => {
      const c = (globalThis as unknown as { chrome: typeof chrome }).chrome;
      return (await c.scripting.getRegisteredContentScripts()).map((s) => ({ js: s.js ?? [], runAt: s.runAt, world: s.world }));
    })) as { js: string[]; runAt: string; world: string }[];
  }
  function withinBudget(files: string[]): void {
    for (const f of files) {
      const size = statSync(join(DIST, f)).size;
      expect({ file: f, size, over: size > INJECTED_BUDGET }).toEqual({ file: f, size, over: false });
    }
  }

  it('a script in each world is registered for document_start, and the MAIN-world hooks are at most 30 KB', async () => {
    const scripts = await registered();
    expect(scripts.flatMap((s) => s.js).length).toBeGreaterThanOrEqual(2);
    expect(new Set(scripts.map((s) => s.world))).toEqual(new Set(['MAIN', 'ISOLATED']));
    withinBudget(scripts.filter((s) => s.world === 'MAIN').flatMap((s) => s.js));
  });

  // The dialog, the "checking…" indicator and the scanner load on first use (extension/shared/lazy-ui.ts).
  it('the ISOLATED-world guard is at most 30 KB', async () => {
    withinBudget((await registered()).filter((s) => s.world === 'ISOLATED').flatMap((s) => s.js));
  });

  it('no scan frame until a file appears', async () => {
    const page = await open();
    await page.waitForTimeout(300);
    expect(await page.locator(SCANNER_TAG).count()).toBe(0);
    await pick(page, '議事録.txt', Buffer.from('来週の定例は水曜 10 時から。\n'));
    expect(await arrived('議事録.txt')).not.toBeNull();
    expect(await page.locator(SCANNER_TAG).count()).toBe(1);
    await page.close();
  });

  it('the scan frame starts when the file input gets focus, before any file is chosen', async () => {
    const page = await open();
    await page.waitForTimeout(300);
    expect(await page.locator(SCANNER_TAG).count()).toBe(0);
    await page.focus('#f');
    await page.locator(SCANNER_TAG).waitFor({ state: 'attached', timeout: 5_000 });
    expect(await page.locator(SCANNER_TAG).count()).toBe(1);
    await page.close();
  });
});

describe('archives under a strict page CSP', () => {
  // `says`: words of the dialog that only a read archive can produce (the member, or the keyword rule).
  const cases: { file: string; as: string; marked: boolean; says?: string }[] = [
    { file: '7z-lzma2-solid.7z', as: '見積一式.7z', marked: true, says: '長文.txt' },
    { file: '7z-clean.7z', as: '議事録一式.7z', marked: false },
    { file: 'libarchive-rar5-unicode.rar', as: '資料.rar', marked: true, says: KEYWORD_LINE },
    { file: 'libarchive-rar4-unicode.rar', as: '資料-旧.rar', marked: false },
    { file: 'cab-mszip.cab', as: '配布物.cab', marked: true, says: '見積.txt' },
    { file: 'cab-stored-clean.cab', as: '配布物-公開.cab', marked: false },
    { file: 'zip-lzma.zip', as: '品質資料.zip', marked: true, says: '長文.txt' },
    { file: 'zip-ppmd.zip', as: '品質資料-2.zip', marked: true, says: '長文.txt' },
  ];
  let page: Page;
  beforeAll(async () => {
    page = await open();
  });

  for (const c of cases) {
    it(`${c.file}: ${c.marked ? 'stopped' : 'arrives'}`, () => pickAndExpect(page, c.as, fixture(c.file), c.marked, c.says), 40_000);
  }
});

describe("mail files, their attachments decoded by Chromium's own base64 decoder (Uint8Array.fromBase64)", () => {
  const mail = (f: string) => readFileSync(new URL(`../fixtures/${f}`, import.meta.url));
  // A message whose attachment is the stamp at the end of 40 KB of text: 54 KB of base64, decoded whole.
  const stampedText = Buffer.from('部品の納期について確認しました。\n'.repeat(1500) + '秘 Confidential\n');
  const generated = (text: Buffer) =>
    Buffer.from(
      'From: a@example.com\r\nSubject: =?UTF-8?B?5aCx5ZGK?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
        '報告書を添付します。\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename*=UTF-8\'\'' +
        encodeURIComponent('報告書.txt') + '\r\nContent-Transfer-Encoding: base64\r\n\r\n' + text.toString('base64').replace(/.{76}/g, '$&\r\n') + '\r\n--b--\r\n',
    );
  const cases: { name: string; bytes: Buffer; marked: boolean; says?: string }[] = [
    { name: '議事録の送付.eml', bytes: mail('mail/attach-docx.eml'), marked: true, says: '議事録.docx' },
    { name: '報告書の送付.eml', bytes: generated(stampedText), marked: true, says: '報告書.txt' },
    { name: '報告書の送付-公開.eml', bytes: generated(Buffer.from('部品の納期について確認しました。\n'.repeat(1500))), marked: false },
    { name: '現場写真の送付.eml', bytes: mail('pictures/photos-python.eml'), marked: false },
  ];
  let page: Page;
  beforeAll(async () => {
    page = await open();
  });

  for (const c of cases) {
    it(`${c.name}: ${c.marked ? 'stopped' : 'arrives'}`, () => pickAndExpect(page, c.name, c.bytes, c.marked, c.says), 40_000);
  }
});

describe('a ZIP appended to a picture: the picture is read at its end too, in the scan frame as in Node', () => {
  const picture = (f: string) => readFileSync(new URL(`../fixtures/pictures/${f}`, import.meta.url));
  const cases: { name: string; bytes: Buffer; marked: boolean; says?: string }[] = [
    { name: '現場写真.jpg', bytes: picture('photo-zip-appended.jpg'), marked: true, says: 'メモ.txt' },
    { name: '現場写真の送付.eml', bytes: picture('photo-appended-python.eml'), marked: true, says: 'メモ.txt' },
    { name: '現場写真-2.jpg', bytes: picture('photo-zip-appended-clean.jpg'), marked: false },
    { name: '現場写真-3.jpg', bytes: picture('site-photo.jpg'), marked: false },
  ];
  let page: Page;
  beforeAll(async () => {
    page = await open();
  });

  for (const c of cases) {
    it(`${c.name}: ${c.marked ? 'stopped' : 'arrives'}`, () => pickAndExpect(page, c.name, c.bytes, c.marked, c.says), 40_000);
  }
});

describe('a page that removes the scan frame', () => {
  it('gets no clean verdict: the upload waits for the employee', async () => {
    const page = await open('/?hostile=1');
    await pick(page, '議事録一式.7z', fixture('7z-clean.7z'));
    const w = await readWarning(page, 20_000);
    expect(['block', 'warn']).toContain(w.action);
    expect(site.received).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __log: string[] }).__log)).toContain(`removed ${SCANNER_TAG}`);
    await page.close();
  }, 40_000);
});
