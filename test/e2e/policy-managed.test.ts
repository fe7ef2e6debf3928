/**
 * A managed policy (written to /etc/chromium/policies/managed before launch, as an admin's Chrome
 * policy would be) takes effect in real Chromium: guard registration, decisions, the options page,
 * and delivery of events and heartbeats to a collector with the policy's URL and token, including
 * retries after an outage and across a browser restart.
 *
 * Run: npm run build && npx vitest run --project e2e test/e2e/policy-managed.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatSchema, UploadEventSchema } from '../../src/events/schema.js';
import { EXTENSION_ID } from '../../src/policy/extension-id.js';
import type { DecideResponse, Finding, ServiceResponse } from '../../extension/shared/messages.js';
import type { UiStatus } from '../../extension/background/ui-protocol.js';
import {
  extensionPage,
  launch,
  newProfile,
  registeredScripts,
  sendMessage,
  startFakeCollector,
  until,
  writeManagedPolicy,
  type Browser,
  type FakeCollector,
} from './policy-harness.js';
import type { Page } from 'playwright-core';

const TOKEN = 'e2e-ingest-token-3f1c';
/** Served by the fake collector's GET handler under these names. */
const HOSTS = ['upload.partner.example', 'acme.box.com'];

function finding(url: string, over: Partial<Finding> = {}): Finding {
  return {
    channel: 'file-input',
    url,
    fileName: '秘—設計書.docx',
    size: 2048,
    sha256: null,
    verdict: 'marked',
    rule: 2,
    reason: 'name',
    location: null,
    ...over,
  };
}

describe('managed policy in real Chromium', () => {
  let collector: FakeCollector;
  let removePolicy: () => void;
  let profile: string;
  let b: Browser;
  let page: Page;
  let policy: Record<string, unknown>;

  const decide = (...findings: Finding[]) => sendMessage<DecideResponse>(page, { type: 'decide', findings });
  const status = () => sendMessage<UiStatus>(page, { type: 'ui-status' });

  beforeAll(async () => {
    collector = await startFakeCollector();
    removePolicy = writeManagedPolicy('upload-guard-test', (policy = {
      collectorUrl: collector.url,
      ingestToken: TOKEN,
      user: 'taro@example.co.jp',
      policyVersion: 'e2e-2026-11',
      heartbeatMinutes: 60,
      // Only hosts and categories no other test uses, so a concurrent channel test is unaffected.
      services: [{ id: 'partner-upload', name: '取引先アップロード', category: 'custom', hosts: ['upload.partner.example'] }],
      removeServices: ['poe'],
      allow: ['acme.box.com'],
      actions: { custom: { marked: 'warn', clean: 'audit' } },
      messages: { ja: '社内転送サービスを使ってください。', en: 'Use the company transfer service.', link: 'https://transfer.example.co.jp/' },
      // One valid and one broken designation: the broken one is dropped and reported.
      designated: { keywords: ['プロジェクトX'], patterns: ['(unclosed'] },
    }));
    profile = newProfile();
    b = await launch(profile, { hosts: HOSTS });
    page = await extensionPage(b);
  });

  afterAll(async () => {
    await b?.close();
    removePolicy?.();
    await collector?.close();
  });

  it('runs under the documented extension ID', () => {
    expect(b.extensionId).toBe(EXTENSION_ID);
  });

  it('registers the guard for the managed service list, minus allowed hosts', async () => {
    const scripts = await until(async () => {
      const s = await registeredScripts(b.sw);
      return s.length === 2 && s[0].matches?.includes('*://upload.partner.example/*') ? s : null;
    }, 'registration with the policy service');
    const hooks = scripts.find((s) => s.world === 'MAIN')!;
    const guard = scripts.find((s) => s.world !== 'MAIN')!;
    for (const s of [hooks, guard]) {
      expect(s).toMatchObject({ runAt: 'document_start', allFrames: true, matchOriginAsFallback: true, excludeMatches: ['*://acme.box.com/*'] });
      expect(s.matches).toEqual(expect.arrayContaining(['*://*.gigafile.nu/*', '*://mail.google.com/*', '*://upload.partner.example/*']));
      expect(s.matches).not.toContain('*://poe.com/*');
    }
    expect(hooks.js).toEqual(['extension/content/page-hooks.js']);
    expect(guard.js).toEqual(['extension/content/guard.js']);
  });

  it('injects the guard into pages of an added service and their about:blank frames, not into allowed hosts', async () => {
    const isolatedWorlds = async (url: string) => {
      const tab = await b.context.newPage();
      const cdp = await b.context.newCDPSession(tab);
      const worlds: { frameId: string }[] = [];
      cdp.on('Runtime.executionContextCreated', ({ context }) => {
        if (context.auxData?.type === 'isolated' && context.origin === `chrome-extension://${EXTENSION_ID}`) worlds.push(context.auxData as { frameId: string });
      });
      await cdp.send('Runtime.enable');
      await tab.goto(url);
      await tab.waitForTimeout(500);
      await tab.close();
      return new Set(worlds.map((w) => w.frameId)).size;
    };
    await until(async () => (await registeredScripts(b.sw))[0]?.matches?.includes('*://upload.partner.example/*'), 'registration');
    const port = new URL(collector.url).port;
    expect(await isolatedWorlds(`http://upload.partner.example:${port}/`)).toBe(2); // the page and its iframe
    expect(await isolatedWorlds(`http://acme.box.com:${port}/`)).toBe(0);
  });

  it('answers the guard with the policy: service, actions, designations', async () => {
    const partner = await sendMessage<ServiceResponse>(page, { type: 'service', url: 'https://upload.partner.example/send' });
    expect(partner.service).toEqual({ id: 'partner-upload', name: '取引先アップロード', category: 'custom' });
    expect(partner.actions).toEqual({ marked: 'warn', unscannable: 'warn', clean: 'audit' });
    expect(partner.designated?.keywords).toEqual(['プロジェクトX']);
    expect(partner.designated?.patterns).toEqual([]);
    expect(partner.lang).toBe('ja');
    const tenant = await sendMessage<ServiceResponse>(page, { type: 'service', url: 'https://acme.box.com/folder/1' });
    expect(tenant.service).toBeNull();
    const gigafile = await sendMessage<ServiceResponse>(page, { type: 'service', url: 'https://46.gigafile.nu/' });
    expect(gigafile.service?.id).toBe('gigafile');
    // Sharing services record a file too large to check instead of asking (the shipped default).
    expect(gigafile.actions).toEqual({ marked: 'block', unscannable: 'warn', clean: 'allow', tooLarge: 'audit' });
  });

  it('shows the policy read-only on the options page, in Japanese', async () => {
    const opts = await extensionPage(b, 'extension/ui/options/index.html');
    await opts.waitForSelector('[data-testid=options]');
    expect(await opts.textContent('h1')).toContain('適用中のポリシー');
    for (const id of ['services', 'allow', 'actions', 'designated', 'messages', 'collector']) {
      expect(await opts.getAttribute(`[data-testid=section-${id}] .badge`, 'data-managed'), id).toBe('true');
    }
    expect(await opts.getAttribute('[data-testid=section-limits] .badge', 'data-managed')).toBe('false');
    expect(await opts.textContent('[data-action="custom.marked"]')).toBe('警告');
    expect(await opts.textContent('[data-action="custom.clean"]')).toBe('記録のみ');
    expect(await opts.textContent('[data-action="webmail.marked"]')).toBe('ブロック');
    expect(await opts.textContent('[data-service="partner-upload"]')).toContain('upload.partner.example');
    expect(await opts.locator('[data-service="poe"]').count()).toBe(0);
    expect(await opts.textContent('[data-testid=problems]')).toContain('designated.patterns[0]');
    expect(await opts.textContent('[data-testid=guidance]')).toBe('社内転送サービスを使ってください。');
    // Nothing to edit, and the token is never shown.
    expect(await opts.locator('input, textarea, select, [contenteditable]').count()).toBe(0);
    expect(await opts.textContent('body')).not.toContain(TOKEN);
    await opts.close();
  });

  it('decides by the managed actions and delivers the events with the ingest token', async () => {
    const warn = await decide(finding('https://upload.partner.example/send?ticket=123'));
    expect(warn.action).toBe('warn');
    expect(warn.service?.id).toBe('partner-upload');
    expect(warn.guidance).toMatchObject({ text: '社内転送サービスを使ってください。', url: 'https://transfer.example.co.jp/', contact: null });
    const audit = await decide(finding('https://upload.partner.example/', { verdict: 'clean', rule: null, reason: null, fileName: 'plan.docx' }));
    expect(audit.action).toBe('audit');
    const block = await decide(finding('https://46.gigafile.nu/upload?key=x'), finding('https://46.gigafile.nu/', { fileName: 'ok.txt', verdict: 'clean', rule: null }));
    expect(block.action).toBe('block');
    expect(block.decisions.map((d) => d.action)).toEqual(['block', 'allow']);
    const tenant = await decide(finding('https://acme.box.com/folder'));
    expect(tenant.action).toBe('allow');
    expect(tenant.service).toBeNull();

    const ids = [warn, audit, block, tenant].flatMap((r) => r.decisions.map((d) => d.eventId));
    const events = await until(() => {
      const got = collector.events().filter((e) => ids.includes(e.id as string));
      return got.length === ids.length ? got : null;
    }, 'events at the collector');
    for (const r of collector.received) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    for (const e of events) {
      expect(UploadEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
      expect(e).toMatchObject({ user: 'taro@example.co.jp', policyVersion: 'e2e-2026-11' });
    }
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.get(warn.decisions[0].eventId)).toMatchObject({ origin: 'https://upload.partner.example', category: 'custom', action: 'warn', outcome: 'pending' });
    expect(byId.get(block.decisions[0].eventId)).toMatchObject({ origin: 'https://46.gigafile.nu', service: 'gigafile', action: 'block', outcome: 'blocked' });
    expect(JSON.stringify(events)).not.toMatch(/ticket|key=x/);

    // The employee continues after the warning, with a reason: a second event points at the first.
    expect(await sendMessage(page, { type: 'resolve', eventIds: [warn.decisions[0].eventId], proceed: true, justification: '発注元の承認済み' })).toEqual({ ok: true });
    const answer = await until(() => collector.events().find((e) => e.relatesTo === warn.decisions[0].eventId), 'the answer event');
    expect(answer).toMatchObject({ outcome: 'proceeded', justification: '発注元の承認済み', fileName: '秘—設計書.docx' });
    // The queue empties once the collector's acknowledgement is back (a moment after it stored the event).
    await until(async () => (await status()).queued === 0, 'an empty queue');
  });

  it('sends a heartbeat with the device, queue and drop counts', async () => {
    const hb = await until(() => collector.received.find((r) => r.path === '/v1/heartbeat'), 'a heartbeat');
    expect(hb.authorization).toBe(`Bearer ${TOKEN}`);
    const parsed = HeartbeatSchema.parse(hb.body);
    expect(parsed).toMatchObject({ user: 'taro@example.co.jp', policyVersion: 'e2e-2026-11', dropped: 0 });
    // Tamper evidence: the interval in force, a managed policy, and how it was installed (unpacked here).
    expect(parsed).toMatchObject({ heartbeatMinutes: 60, managed: true, installType: 'development', incognitoAllowed: false });
    expect(parsed.deviceId).toBe(collector.events()[0].deviceId);
  });

  it('keeps events through a collector outage and retries them from a chrome.alarms backoff', async () => {
    collector.status = 503;
    const r = await decide(finding('https://mail.google.com/mail/u/0/', { fileName: 'C—budget.xlsx' }));
    const s = await until(async () => {
      const st = await status();
      return st.delivery.failures > 0 && st.queued >= 1 ? st : null;
    }, 'a failed delivery');
    expect(s.delivery.lastError).toContain('503');
    const alarm = await b.sw.evaluate(() => (globalThis as unknown as { chrome: typeof chrome }).chrome.alarms.get('upload-guard-retry'));
    expect(alarm).toBeTruthy();
    expect(alarm!.scheduledTime - Date.now()).toBeGreaterThan(20_000);
    expect(alarm!.scheduledTime - Date.now()).toBeLessThan(40_000);
    // The popup says the collector is failing.
    const popup = await extensionPage(b);
    await popup.waitForSelector('[data-testid=popup]');
    expect(await popup.textContent('[data-testid=collector-state]')).toContain('接続できません');
    await popup.close();

    collector.status = 202;
    // Nothing triggers a send now but the retry alarm (~30 s).
    const got = await until(() => collector.events().find((e) => e.id === r.decisions[0].eventId), 'delivery by the retry alarm', 60_000, 500);
    expect(got).toMatchObject({ fileName: 'C—budget.xlsx', service: 'gmail' });
    await until(async () => (await status()).queued === 0, 'an empty queue');
    expect((await status()).delivery.failures).toBe(0);
  }, 90_000);

  it('keeps queued events across a browser restart and delivers them afterwards', async () => {
    collector.status = 503;
    const r = await decide(
      finding('https://chatgpt.com/', { channel: 'paste', fileName: null, size: 40, verdict: 'marked', rule: 1, reason: 'stamp' }),
      finding('https://drive.google.com/drive/my-drive', { channel: 'drop' }),
    );
    await until(async () => (await status()).queued >= 2, 'queued events');
    await b.close();

    collector.status = 202;
    b = await launch(profile, { hosts: HOSTS });
    page = await extensionPage(b);
    const ids = r.decisions.map((d) => d.eventId);
    await until(() => ids.every((id) => collector.events().some((e) => e.id === id)), 'delivery after restart', 30_000);
    // Delivered once each (the collector would drop duplicates anyway, but the extension should not send them twice here).
    for (const id of ids) expect(collector.events().filter((e) => e.id === id)).toHaveLength(1);
    expect((await status()).queued).toBe(0);
  }, 90_000);

  it('follows a policy change while running: re-registers the guard and applies new actions', async () => {
    writeManagedPolicy('upload-guard-test', {
      ...policy,
      services: [{ id: 'partner-upload-2', name: 'Partner 2', category: 'custom', hosts: ['*.files.partner2.example'] }],
      actions: { custom: { marked: 'block' } },
    });
    await until(async () => {
      const s = await registeredScripts(b.sw);
      return s.length === 2 && s.every((x) => x.matches?.includes('*://*.files.partner2.example/*') && !x.matches.includes('*://upload.partner.example/*'));
    }, 're-registration after the policy file changed', 45_000, 500);
    const r = await decide(finding('https://eu.files.partner2.example/'));
    expect(r).toMatchObject({ action: 'block', service: { id: 'partner-upload-2' } });
    const old = await sendMessage<ServiceResponse>(page, { type: 'service', url: 'https://upload.partner.example/' });
    expect(old.service).toBeNull();
  }, 60_000);
});
