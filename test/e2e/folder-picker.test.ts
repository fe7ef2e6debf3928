/**
 * The folder picker (<input type=file webkitdirectory>): a folder holding one marked file deep
 * inside is refused as a whole; a clean folder reaches the page and the server. The folder is
 * chosen through Chromium's own file-input path (CDP DOM.setFileInputFiles with the folder),
 * as the picker dialog would hand it over.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLEAN_TEXT,
  SAMPLES,
  arrivals,
  clearAll,
  corpus,
  dismissWarning,
  launchWithExtension,
  pageLog,
  readWarning,
  startSiteServer,
  type Launched,
  type SiteServer,
} from './support/index.js';

const HOSTS = ['mail.google.com', 'drive.google.com'];
let server: SiteServer;
let browser: Launched;

beforeAll(async () => {
  server = await startSiteServer({ hosts: HOSTS });
  browser = await launchWithExtension({ lang: 'en-US', hosts: HOSTS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Chooses `folder` in the page's folder input, the way the picker does. */
async function chooseFolder(page: Page, folder: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#dir-input' });
  await cdp.send('DOM.setFileInputFiles', { nodeId, files: [folder] });
  await cdp.detach();
}

describe.each(HOSTS)('%s folder picker', (host) => {
  it('refuses a folder with a marked file inside; delivers a clean folder', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url(host));
    const root = mkdtempSync(join(tmpdir(), 'ug-picker-'));
    const clean = join(root, 'clean');
    const dirty = join(root, 'dirty');
    for (const d of [clean, join(dirty, 'sub')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(clean, 'a.txt'), CLEAN_TEXT);
    writeFileSync(join(clean, 'b.docx'), SAMPLES.cleanDocx().buffer);
    writeFileSync(join(dirty, 'a.txt'), CLEAN_TEXT);
    writeFileSync(join(dirty, 'sub', 'notes.docx'), corpus('weekly-sync-notes.docx'));
    const mine = () => server.received.filter((a) => a.host === host && a.channel === 'dir-input');

    await clearAll(page, server);
    await chooseFolder(page, dirty);
    const w = await readWarning(page);
    expect(w.text).toContain('notes.docx');
    await dismissWarning(page);
    await page.waitForTimeout(200);
    expect(mine()).toEqual([]);
    expect((await pageLog(page)).filter((l) => l.ch === 'dir-input')).toEqual([]);

    await clearAll(page, server);
    await chooseFolder(page, clean);
    const got = await arrivals(server, (a) => a.host === host && a.channel === 'dir-input', 2);
    // Folder uploads keep each file's path inside the chosen folder (webkitRelativePath).
    expect(got.map((a) => a.name).sort()).toEqual(['clean/a.txt', 'clean/b.docx']);
    await page.close();
  });
});
