/**
 * The popup and the options page in real Chromium, without a managed policy: Japanese by default,
 * English for an English browser, the state of the guard, and nothing a user could edit.
 *
 * Run: npm run build && npx vitest run --project e2e test/e2e/popup-options.test.ts
 * (Other tests may write managed policies for the same extension ID: run policy tests one file at a time.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecideResponse, Finding } from '../../extension/shared/messages.js';
import { extensionPage, launch, newProfile, sendMessage, type Browser } from './policy-harness.js';

function finding(url: string, over: Partial<Finding> = {}): Finding {
  return { channel: 'drop', url, fileName: '秘—見積.pdf', size: 10, sha256: null, verdict: 'marked', rule: 2, reason: 'name', location: null, ...over };
}

describe('popup and options, Japanese browser', () => {
  let b: Browser;
  beforeAll(async () => {
    b = await launch(newProfile(), { lang: 'ja' });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('the popup shows the default state in Japanese', async () => {
    const popup = await extensionPage(b);
    await popup.waitForSelector('[data-testid=popup]');
    expect(await popup.evaluate(() => document.documentElement.lang)).toBe('ja');
    expect(await popup.textContent('h1')).toContain('Upload Guard の状態');
    expect(await popup.textContent('[data-testid=policy-state]')).toContain('既定の設定で動作しています');
    expect(await popup.textContent('[data-testid=collector-state]')).toContain('未設定');
    expect(await popup.textContent('[data-testid=queued]')).toBe('送信待ちの記録：0 件');
    expect(await popup.textContent('[data-testid=recent-none]')).toBe('まだ判定はありません');
    await popup.close();
  });

  it('the popup lists the last decisions, hostile names as inert text', async () => {
    const page = await extensionPage(b);
    const hostile = '<img src=x onerror="document.title=\'pwned\'">.docx';
    await sendMessage<DecideResponse>(page, { type: 'decide', findings: [finding('https://mail.google.com/mail/u/0/')] });
    await sendMessage<DecideResponse>(page, {
      type: 'decide',
      findings: [finding('https://46.gigafile.nu/', { fileName: hostile, verdict: 'unscannable', rule: null, reason: 'encrypted' })],
    });
    await page.reload();
    await page.waitForSelector('[data-testid=recent]');
    const rows = await page.$$eval('[data-testid=recent] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(2);
    // Newest first: time, service, file, verdict, action.
    expect(rows[0].slice(1)).toEqual(['ギガファイル便', hostile, '確認できません', '警告']);
    expect(rows[1].slice(1)).toEqual(['Gmail', '秘—見積.pdf', '「秘」区分', 'ブロック']);
    expect(await page.locator('[data-testid=recent] img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    // With no collector configured the events wait on the device.
    expect(await page.textContent('[data-testid=queued]')).toBe('送信待ちの記録：2 件');
    await page.close();
  });

  it('the options page shows the shipped policy, all defaults, nothing editable', async () => {
    const opts = await extensionPage(b, 'extension/ui/options/index.html');
    await opts.waitForSelector('[data-testid=options]');
    expect(await opts.textContent('h1')).toContain('適用中のポリシー');
    const badges = await opts.$$eval('.badge', (els) => els.map((e) => e.getAttribute('data-managed')));
    expect(badges.length).toBeGreaterThan(5);
    expect(new Set(badges)).toEqual(new Set(['false']));
    for (const name of ['Yahoo! JAPAN メール', 'Gmail', 'ギガファイル便', 'ChatGPT', 'Google Drive']) {
      expect(await opts.textContent('[data-testid=section-services]')).toContain(name);
    }
    expect(await opts.textContent('[data-service=gigafile]')).toContain('*.gigafile.nu');
    expect(await opts.textContent('[data-action="webmail.marked"]')).toBe('ブロック');
    expect(await opts.textContent('[data-action="sharing.unscannable"]')).toBe('警告');
    expect(await opts.textContent('[data-action="genai.clean"]')).toBe('許可');
    expect(await opts.textContent('body')).toContain('kifiiikeeilkcdcehgbnoedbcgaoafec');
    // Limits and the collector in words, never key names or raw bytes; the shipped guidance per category.
    expect(await opts.textContent('[data-limit=maxBytes]')).toMatch(/^確認できるファイルの大きさの上限\s*147 MB$/);
    expect(await opts.textContent('[data-limit=timeBudgetMs]')).toContain('20 秒');
    const words = (await opts.textContent('[data-testid=section-limits]'))! + (await opts.textContent('[data-testid=section-collector]'))!;
    for (const key of ['maxBytes', 'timeBudgetMs', 'maxDepth', 'collectorUrl', 'ingestToken', '146,800,640']) expect(words).not.toContain(key);
    expect(await opts.textContent('[data-testid=section-messages]')).toContain('「秘」区分の情報は');
    expect(await opts.locator('input, textarea, select, button, [contenteditable]').count()).toBe(0);
    expect(await opts.locator('[data-testid=problems]').count()).toBe(0);
    await opts.close();
  });
});

describe('popup, English browser', () => {
  let b: Browser;
  beforeAll(async () => {
    b = await launch(newProfile(), { lang: 'en-US' });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('is in English, and so is the guidance the guard gets', async () => {
    const popup = await extensionPage(b);
    await popup.waitForSelector('[data-testid=popup]');
    expect(await popup.textContent('h1')).toContain('Upload Guard status');
    expect(await popup.textContent('[data-testid=policy-state]')).toContain('default settings');
    const r = await sendMessage<DecideResponse>(popup, { type: 'decide', findings: [finding('https://chatgpt.com/')] });
    expect(r.guidance.text).toMatch(/^Share information marked 秘 Confidential/);
    await popup.close();
  });
});
