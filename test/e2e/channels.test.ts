/**
 * Every DOM channel on every required service hostname, in real Chromium with the built extension:
 * a file marked by name, files marked only by content (DOCX, PDF) and marked text never reach the
 * server (and the page's own handler never runs); clean files and text reach it byte for byte and the
 * page's handler ran. One browser for the file; one page per host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  CLEAN_TEXT,
  GUARDED_HOSTS,
  MARKED_TEXT,
  MARKED_TEXT_2,
  SAMPLES,
  arrivals,
  clearAll,
  dismissWarning,
  dragFiles,
  launchWithExtension,
  openLabPages,
  pageLog,
  pasteFiles,
  pasteText,
  readWarning,
  startSiteServer,
  type Launched,
  type Sample,
  type SiteServer,
} from './support/index.js';

let server: SiteServer;
let browser: Launched;
let pages: Map<string, Page>;
const S = {
  cleanText: SAMPLES.cleanText(),
  cleanDocx: SAMPLES.cleanDocx(),
  nameMarked: SAMPLES.nameMarked(),
  contentDocx: SAMPLES.contentDocx(),
  contentPdf: SAMPLES.contentPdf(),
};
const MARKED: Sample[] = [S.nameMarked, S.contentDocx, S.contentPdf];
const CLEAN: Sample[] = [S.cleanText, S.cleanDocx];

beforeAll(async () => {
  server = await startSiteServer({ hosts: GUARDED_HOSTS });
  // Pin the dialog language so the rule texts can be checked word for word.
  browser = await launchWithExtension({ lang: 'en-US' });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  pages = await openLabPages(browser.context, server, GUARDED_HOSTS);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs `act`, expects the block dialog, closes it, and checks nothing arrived and the page saw nothing. */
async function expectStopped(
  page: Page,
  host: string,
  channel: string,
  act: () => Promise<void>,
  mentions: string[] = [],
): Promise<string> {
  await clearAll(page, server);
  await act();
  const w = await readWarning(page);
  expect(w.action).toBe('block');
  expect(w.role).toBe('alertdialog');
  expect(w.buttons).toEqual(['Close', 'Ask for a review']);
  for (const m of mentions) expect(w.text).toContain(m);
  await dismissWarning(page);
  await page.waitForTimeout(150);
  expect(server.received.filter((a) => a.host === host)).toEqual([]);
  expect((await pageLog(page)).filter((l) => l.ch === channel)).toEqual([]);
  return w.text;
}

async function expectDelivered(page: Page, host: string, channel: string, s: Sample, act: () => Promise<void>) {
  await clearAll(page, server);
  await act();
  const got = await arrivals(server, (a) => a.host === host && a.channel === channel && a.kind === 'file');
  expect(got.map((a) => [a.name, a.sha256])).toEqual([[s.name, s.sha256]]);
  const log = (await pageLog(page)).filter((l) => l.ch === channel);
  expect(log.map((l) => l.names)).toEqual([[s.name]]);
  expect(await page.locator('upload-guard-warning').count()).toBe(0);
}

describe.each(GUARDED_HOSTS)('%s', (host) => {
  const page = () => pages.get(host)!;
  beforeAll(() => page().bringToFront());

  for (const [widget, style] of [
    ['#xhr-input', 'xhr-input'],
    ['#fetch-input', 'fetch-input'],
  ] as const) {
    it(`file input (${style}): marked by name/content never leaves; clean arrives unchanged`, async () => {
      const p = page();
      const texts: string[] = [];
      for (const s of MARKED) {
        texts.push(
          await expectStopped(p, host, style, () =>
            p.setInputFiles(widget, { name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer }),
          ),
        );
        // The input is cleared: the page cannot read the file later either.
        expect(await p.$eval(widget, (el) => (el as HTMLInputElement).files?.length ?? 0)).toBe(0);
      }
      // Which file, which rule, in plain words.
      expect(texts[0]).toContain('秘—設計書.docx');
      expect(texts[0]).toContain('The file name begins with “秘—”');
      expect(texts[1]).toContain('The 秘 Confidential stamp is in the body');
      expect(texts[2]).toContain('The 秘 Confidential stamp is on page 1');
      for (const s of CLEAN) {
        await expectDelivered(p, host, style, s, () =>
          p.setInputFiles(widget, { name: s.name, mimeType: 'application/octet-stream', buffer: s.buffer }),
        );
      }
    });
  }

  it('drag-and-drop: marked files never leave; clean ones arrive unchanged', async () => {
    const p = page();
    for (const s of MARKED) await expectStopped(p, host, 'drop', () => dragFiles(p, '#drop', [s.path]), [s.name]);
    for (const s of CLEAN) await expectDelivered(p, host, 'drop', s, () => dragFiles(p, '#drop', [s.path]));
  });

  it('paste: marked files and marked text never leave; clean ones arrive', async () => {
    const p = page();
    for (const s of MARKED) await expectStopped(p, host, 'paste', () => pasteFiles(p, '#paste', s), [s.name]);
    await expectDelivered(p, host, 'paste', S.cleanDocx, () => pasteFiles(p, '#paste', S.cleanDocx));

    for (const text of [MARKED_TEXT, MARKED_TEXT_2]) {
      await p.$eval('#paste', (el) => (el.textContent = ''));
      await expectStopped(p, host, 'paste', () => pasteText(p, '#paste', text), ['Text you typed or pasted']);
      expect(await p.locator('#paste').innerText()).toBe('');
    }
    await clearAll(p, server);
    await pasteText(p, '#paste', CLEAN_TEXT);
    const got = await arrivals(server, (a) => a.host === host && a.channel === 'paste-text');
    expect(got.map((a) => JSON.parse(a.text!).draft)).toEqual([CLEAN_TEXT]);
  });

  it('form submit: marked text in a field never leaves; a clean form arrives with its file', async () => {
    const p = page();
    // A marked file is already refused when chosen (file-input channel): the form never holds it.
    await expectStopped(p, host, 'form', () =>
      p.setInputFiles('#form input[type=file]', { name: S.contentPdf.name, mimeType: 'application/pdf', buffer: S.contentPdf.buffer }),
    );
    await p.fill('#form textarea', MARKED_TEXT);
    await expectStopped(p, host, 'form', () => p.click('#form-send'), ['Confidential']);

    await clearAll(p, server);
    await p.setInputFiles('#form input[type=file]', { name: S.cleanDocx.name, mimeType: 'application/octet-stream', buffer: S.cleanDocx.buffer });
    await p.fill('#form textarea', CLEAN_TEXT);
    await p.click('#form-send');
    const got = await arrivals(server, (a) => a.host === host && a.channel === 'form', 2);
    expect(got.map((a) => (a.kind === 'file' ? a.sha256 : a.text))).toEqual([S.cleanDocx.sha256, CLEAN_TEXT]);
    expect((await pageLog(p)).filter((l) => l.ch === 'form')).toHaveLength(1);
    await p.setInputFiles('#form input[type=file]', []);
    await p.fill('#form textarea', '');
  });

  it('prompt: Enter with marked text sends nothing; clean text is sent as JSON', async () => {
    const p = page();
    for (const text of [MARKED_TEXT, MARKED_TEXT_2]) {
      await p.fill('#prompt', text);
      await expectStopped(p, host, 'prompt', () => p.press('#prompt', 'Enter'));
      // The keystroke was stopped before the page: the prompt is still there to edit.
      expect(await p.inputValue('#prompt')).toBe(text);
    }
    await clearAll(p, server);
    await p.fill('#prompt', CLEAN_TEXT);
    await p.press('#prompt', 'Enter');
    const got = await arrivals(server, (a) => a.host === host && a.channel === 'prompt');
    expect(got.map((a) => JSON.parse(a.text!).messages[0].content.parts[0])).toEqual([CLEAN_TEXT]);
  });
});
