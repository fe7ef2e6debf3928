/**
 * The admin page in real Chromium: sign in, see events and charts, hostile names stay inert text; the
 * Devices view highlights devices whose heartbeat stopped and shows warnings as translated labels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { locationText } from '../../src/events/location.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { signInWithToken, startAdminLab, watchedPage, type AdminLab } from './support/admin-lab.js';

const ADMIN = 'e2e-admin-token-0123456789';
const HOSTILE = '<img src=x onerror=alert(1)>.docx';
const FORMULA = '=HYPERLINK("http://evil/","x")';
// A right-to-left override would make "秘—a<RLO>xcod.exe" read as "秘—aexe.docx": shown as [U+202E] instead.
const SCRIPT = '<script>alert("x")</script>秘—a\u202excod.exe';
const SCRIPT_SHOWN = '<script>alert("x")</script>秘—a[U+202E]xcod.exe';
const HOSTILE_DEVICE = '<img src=x onerror=alert(2)>';
const HOSTILE_USER = '<b>mallory</b>';
// Members whose names hold the location's separator, markup and a bidi override: one member each, inert.
const HOSTILE_WHERE = { path: ['<img src=x onerror=alert(5)> › 秘.zip', 'a\u202etxt.exe'], part: 'word/header1.xml', area: 'header' };
const HOSTILE_WHERE_SHOWN = '<img src=x onerror=alert(5)> › 秘.zip の中の a[U+202E]txt.exe のヘッダー';
// An audit entry the database refuses (a DBA's trigger), with a reason that quotes markup and a bidi override.
const REFUSED_ACTOR = 'token:<img src=x onerror=alert(3)>';
const DBA_REASON = '<img src=x onerror=alert(4)> refused by a rule of the DBA \u202egpj.exe';

/**
 * The range-user's events of November 2026 (1st to 30th inclusive, every action) as read in time zone
 * `tz`: the zone is chosen first, since it reloads the view and so resets its filters.
 */
async function showNovember(page: Page, tz: string): Promise<void> {
  await page.selectOption('select[name=tz]', tz);
  await page.selectOption('select[name=range]', 'custom');
  await page.fill('input[name=fromDate]', '2026-11-01');
  await page.fill('input[name=toDate]', '2026-11-30');
  await page.fill('input[name=userPrefix]', 'range-');
  await page.selectOption('select[name=action]', '');
  await page.click('.filters button[type=submit]');
}

describe('admin page', () => {
  let c: Collector;
  let url: string;
  let browser: Browser;
  let lab: AdminLab;
  const spoolDir = mkdtempSync(join(tmpdir(), 'ug-admin-spool-'));
  beforeAll(async () => {
    lab = await startAdminLab({ ingestTokens: ['e2e-ingest-token-0123456789'], adminTokens: [ADMIN], accounts: { auditSpool: join(spoolDir, 'audit-spool.jsonl') } });
    ({ collector: c, url, browser } = lab);
    // One audit entry the database refuses while it takes the others (audit-spool.ts): set aside, retried.
    (c.storage as SqliteStorage).db.exec(`CREATE TRIGGER refuse_marked BEFORE INSERT ON audit_log WHEN NEW.details LIKE '%cannot-store-me%' BEGIN SELECT RAISE(ABORT, '${DBA_REASON}'); END`);
    await c.app.auditLater(REFUSED_ACTOR, 'export.cut', { reason: 'cannot-store-me' });
    await c.app.auditLater('token:after', 'export.cut', { reason: 'access withdrawn' });
    const now = Date.now();
    await c.storage.insertEvents(
      [
        sampleEvent({ time: new Date(now - 60_000).toISOString(), fileName: HOSTILE, service: 'gmail', serviceName: 'Gmail' }),
        sampleEvent({ time: new Date(now - 120_000).toISOString(), fileName: FORMULA, service: 'gigafile', serviceName: 'GigaFile便', category: 'sharing' }),
        sampleEvent({ time: new Date(now - 86_400_000).toISOString(), fileName: SCRIPT, action: 'warn', outcome: 'pending', user: '<b>bold</b>', location: locationText(HOSTILE_WHERE) }),
        sampleEvent({ time: new Date(now - 180_000).toISOString(), verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed', fileName: 'plain.txt' }),
      ],
      now,
    );
    // Devices: one fresh, two silent for 2 hours (stale at 3 × 15 + 5 = 50 minutes), one of them hostile.
    await c.storage.upsertHeartbeat(sampleHeartbeat({ deviceId: 'pc-fresh', deviceName: 'PC-ALICE-0001', user: 'alice', extensionVersion: '0.2.0', heartbeatMinutes: 15, installType: 'admin', managed: true, incognitoAllowed: false }), now - 60_000);
    await c.storage.upsertHeartbeat(sampleHeartbeat({ deviceId: 'pc-silent', deviceName: 'PC-BOB-0002', user: 'bob', extensionVersion: '0.1.0', heartbeatMinutes: 15, installType: 'admin', managed: true }), now - 7_200_000);
    await c.storage.upsertHeartbeat(
      sampleHeartbeat({ deviceId: HOSTILE_DEVICE, user: HOSTILE_USER, extensionVersion: '0.1.0', installType: 'normal', managed: false, dropped: 2 }),
      now - 7_200_000,
    );
  });
  afterAll(async () => {
    await lab?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('signs in, shows violations and charts, renders hostile names as text, fires no dialog', async () => {
    // The deliberate wrong-token sign-in logs a 401; anything else (a CSP violation, say) is a failure.
    const { page, dialogs, problems } = await watchedPage(browser, { expected: /status of 401/ });
    await page.goto(url + '/admin/');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upload Guard 管理');

    // A wrong token is refused with a message.
    await page.fill('input[name=token]', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('トークンが正しくありません');

    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=events] tbody tr');
    // Default view: violations (block, warn) of the last 30 days: the clean upload is not listed.
    const names = await page.locator('td.file').allTextContents();
    expect(names).toEqual([HOSTILE, FORMULA, SCRIPT_SHOWN]);
    expect(names.join('')).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(await page.textContent('[data-testid=total]')).toBe('3');
    expect(await page.locator('[data-testid=chart-service] rect').count()).toBe(2);
    expect(await page.locator('[data-testid=chart-day] rect').count()).toBeGreaterThanOrEqual(1);
    // Nothing from the data became markup.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('table script, table b').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('upload-guard-admin-token'))).toBe(ADMIN);

    // Event detail.
    await page.locator('tr', { hasText: SCRIPT_SHOWN }).click();
    const detail = page.locator('[data-testid=detail]');
    await detail.waitFor();
    expect(await detail.textContent()).toContain(SCRIPT_SHOWN);
    expect(await detail.textContent()).toContain('<b>bold</b>');
    expect(await detail.locator('[data-field=location] dd').textContent()).toBe(HOSTILE_WHERE_SHOWN);
    expect(await detail.locator('b, script, img').count()).toBe(0);
    await detail.locator('button', { hasText: '閉じる' }).click();

    // Filters: the service picker lists services by display name.
    await page.selectOption('select[name=service]', { label: 'ギガファイル便' });
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.locator('td.file').allTextContents()).toEqual([FORMULA]);
    expect(await page.locator('td.service').allTextContents()).toEqual(['ギガファイル便']);

    // Sorting by file name (on the server: the request says so) and CSV export.
    await page.selectOption('select[name=service]', '');
    await page.selectOption('select[name=action]', '');
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.locator('td.file').count()).toBe(4);
    // The outcome column is words, never the raw value.
    expect(await page.locator('td.outcome').allTextContents()).toEqual(expect.arrayContaining(['回答待ち', '送信を阻止', '送信済み']));
    expect((await page.locator('td.outcome, td.verdict, td.action').allTextContents()).join(' ')).not.toMatch(/pending|blocked|allowed|marked|block\b/);
    const [sorted] = await Promise.all([page.waitForRequest((r) => r.url().includes('/v1/admin/events') && r.url().includes('sort=fileName')), page.locator('th', { hasText: 'ファイル名' }).click()]);
    expect(sorted.url()).toContain('sort=fileName');
    await expect.poll(() => page.locator('td.file').first().textContent()).toBe(HOSTILE);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=CSV出力')]);
    const csvPath = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(csvPath!, 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil/"",""x"")"`);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(5);

    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('Devices view: counts, versions, stale devices highlighted, warnings translated, hostile ids inert', async () => {
    const { page, dialogs, problems } = await watchedPage(browser);
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await signInWithToken(page, url, ADMIN);
    await page.waitForSelector('[data-testid=events] tbody tr');
    await page.click('[data-view=devices]');
    await page.waitForSelector('[data-testid=devices] tbody tr');

    expect(await page.textContent('[data-testid=count-total]')).toBe('3');
    expect(await page.textContent('[data-testid=count-active]')).toBe('1');
    expect(await page.textContent('[data-testid=count-stale]')).toBe('2');
    const versions = await page.locator('[data-testid=versions] tbody tr').evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(versions).toEqual([
      ['0.2.0', '1', '0'],
      ['0.1.0', '2', '2'],
    ]);

    // Stale devices first (what to act on), then the rest, most recently seen first; ties by device id.
    const rows = page.locator('[data-testid=devices] tbody tr');
    expect(await rows.locator('td.device-id').allTextContents()).toEqual([HOSTILE_DEVICE, 'pc-silent', 'pc-fresh']);
    // The PC name from policy identifies the device.
    expect(await rows.locator('td.device-name').allTextContents()).toEqual(['—', 'PC-BOB-0002', 'PC-ALICE-0001']);
    const fresh = rows.filter({ hasText: 'pc-fresh' });
    const silent = rows.filter({ hasText: 'pc-silent' });
    const hostile = rows.filter({ has: page.locator('td.device-id', { hasText: HOSTILE_DEVICE }) });
    expect(await fresh.getAttribute('class')).not.toContain('stale');
    expect(await silent.getAttribute('class')).toContain('stale');
    expect(await hostile.getAttribute('class')).toContain('stale');
    const bg = (l: typeof fresh) => l.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(await bg(silent)).not.toBe(await bg(fresh));
    expect(await silent.locator('td.status').textContent()).toBe('応答なし');
    expect(await fresh.locator('td.status').textContent()).toBe('稼働中');
    expect(await silent.locator('[data-testid=silent]').textContent()).toBe('2時間前');

    // Warnings are translated labels, keyed by their code.
    expect(await fresh.locator('.warning').count()).toBe(0);
    expect(await silent.locator('.warning').allTextContents()).toEqual(['ハートビート途絶']);
    expect(await hostile.locator('.warning').allTextContents()).toEqual(['ハートビート途絶', '強制インストールではない', '管理ポリシーなし', 'イベント欠落']);
    expect(await hostile.locator('.warning').evaluateAll((ws) => ws.map((w) => w.getAttribute('data-warning')))).toEqual([
      'stale',
      'not-force-installed',
      'no-managed-policy',
      'queue-dropping',
    ]);

    // The hostile id and user are text, not markup.
    expect(await hostile.locator('td.device-id').textContent()).toBe(HOSTILE_DEVICE);
    expect(await hostile.locator('td.user').textContent()).toBe(HOSTILE_USER);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[data-testid=devices] b').count()).toBe(0);

    // Stale only.
    await page.check('input[name=staleOnly]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('[data-testid=devices] tbody tr.stale').count()).toBe(2);
    expect(await page.textContent('[data-testid=count-total]')).toBe('3'); // counts stay fleet-wide
    await page.uncheck('input[name=staleOnly]');
    await expect.poll(() => rows.count()).toBe(3);

    // Filter by version, then CSV of what is shown.
    await page.selectOption('select[name=version]', '0.2.0');
    await expect.poll(() => rows.locator('td.device-id').allTextContents()).toEqual(['pc-fresh']);
    await page.selectOption('select[name=version]', '');
    await expect.poll(() => rows.count()).toBe(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=devices-view] >> text=CSV出力')]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(1 + 3);
    expect(csv).toContain(HOSTILE_DEVICE);

    // Back to events: the events view is intact.
    await page.click('[data-view=events]');
    await page.waitForSelector('[data-testid=events] tbody tr');

    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('custom dates in the chosen time zone: 11/1 00:30 JST is November; times, detail and CSV in that zone', async () => {
    const early = sampleEvent({ time: '2026-10-31T15:30:00.000Z', fileName: '十一月の最初.docx', user: 'range-user', action: 'warn', outcome: 'pending' });
    const late = sampleEvent({ time: '2026-11-30T16:00:00.000Z', fileName: '十二月の最初.docx', user: 'range-user' });
    await c.storage.insertEvents([early, late], Date.now());
    const { page, dialogs, problems } = await watchedPage(browser);
    await signInWithToken(page, url, ADMIN);
    await page.waitForSelector('[data-testid=events] tbody tr');
    await showNovember(page, 'Asia/Tokyo');
    await expect.poll(() => page.locator('td.file').allTextContents(), { timeout: 10_000 }).toEqual(['十一月の最初.docx']);
    expect(await page.locator('td.time').first().textContent()).toMatch(/2026\/11\/01 0:30:00/);
    await page.locator('tr', { hasText: '十一月の最初.docx' }).click();
    const detail = page.locator('[data-testid=detail]');
    expect(await detail.locator('[data-field=time] dd').textContent()).toBe('2026-11-01T00:30:00+09:00');
    expect(await detail.locator('[data-field=outcome] dd').textContent()).toBe('回答待ち');
    expect(await detail.locator('[data-field=outcome] dt').textContent()).toBe('結果');
    await detail.locator('button', { hasText: '閉じる' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=CSV出力')]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^日時,ユーザー,PC名,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^2026-11-01T00:30:00\+09:00,range-user,/);
    expect(lines[1]).toContain('回答待ち');
    // The same dates in UTC hold the other event.
    await showNovember(page, 'UTC');
    await expect.poll(() => page.locator('td.file').allTextContents(), { timeout: 10_000 }).toEqual(['十二月の最初.docx']);
    await page.evaluate(() => localStorage.removeItem('upload-guard-admin-tz'));
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a warning answered twice: the answer that counts in its row, the other one beside it (red team G4), not a row of its own', async () => {
    const t = Date.now() - 30 * 60_000;
    const warning = sampleEvent({ time: new Date(t).toISOString(), action: 'warn', outcome: 'pending', fileName: '二度答えた.xlsx', user: 'answer-user' });
    const proceeded = sampleEvent({ time: new Date(t + 10_000).toISOString(), action: 'warn', outcome: 'proceeded', relatesTo: warning.id, justification: '自宅で作業するため', fileName: '二度答えた.xlsx', user: 'answer-user' });
    const cancelled = sampleEvent({ time: new Date(t + 6_000).toISOString(), action: 'warn', outcome: 'cancelled', relatesTo: warning.id, justification: '<i>消した</i>', fileName: '二度答えた.xlsx', user: 'answer-user' });
    await c.storage.insertEvents([warning, proceeded, cancelled], Date.now());
    const { page } = await watchedPage(browser);
    await signInWithToken(page, url, ADMIN);
    await page.waitForSelector('[data-testid=events] tbody tr');
    await page.fill('input[name=userPrefix]', 'answer-');
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.locator('td.file').allTextContents()).toEqual(['二度答えた.xlsx']);
    expect(await page.locator('td.outcome').allTextContents()).toEqual(['理由を記録して送信']);
    const other = page.locator('td.comment .other-answer');
    expect(await other.count()).toBe(1);
    expect(await other.textContent()).toMatch(/^別の回答: 送信を中止 .+ <i>消した<\/i>$/);
    expect(await page.locator('td.comment i').count()).toBe(0);
    await page.close();
  });

  it('incidents: time left, triage saved, hostile notes inert; the per-user view', async () => {
    const { page, dialogs, problems } = await watchedPage(browser);
    await signInWithToken(page, url, ADMIN);
    await page.waitForSelector('[data-testid=events] tbody tr');
    await page.click('[data-view=incidents]');
    const rows = page.locator('[data-testid=incidents] tbody tr');
    await rows.first().waitFor();
    // Blocks of the last minutes (HOSTILE and FORMULA: same user, file hash and day, so one incident):
    // the 24 hours are nearly all left.
    const hostileRow = rows.filter({ has: page.locator('td.time-left', { hasText: /^残り 23時間5\d分$/ }) }).first();
    const incidentId = await hostileRow.getAttribute('data-id');
    const open = await rows.count();
    // How many match is said under the list (before: never, and only the first 200 were shown).
    const count = page.locator('[data-testid=incidents-count] span');
    await expect.poll(() => count.textContent()).toBe(`1〜${open} 件目を表示（全 ${open} 件）`);
    expect(await hostileRow.locator('td.status').textContent()).toBe('未対応');
    await hostileRow.click();
    const panel = page.locator('[data-testid=incident-detail]');
    await panel.locator('select[name=status]').selectOption('investigating');
    await panel.locator('input[name=assignee]').fill('小林');
    await panel.locator('textarea[name=notes]').fill('<img src=x onerror=alert(3)>顧客へ連絡予定');
    await panel.locator('button[type=submit]').click();
    await panel.locator('[role=status]').waitFor();
    const row = rows.filter({ has: page.locator(`td:first-child`, { hasText: new RegExp(`^${incidentId}$`) }) });
    await expect.poll(() => row.locator('td.status').textContent()).toBe('調査中');
    expect(await row.locator('td').last().textContent()).toBe('小林');
    expect(await page.locator('img').count()).toBe(0);
    await panel.locator('[data-testid=mark-reported]').click();
    // Reported incidents leave the open list.
    await expect.poll(() => rows.count()).toBe(open - 1);
    if (open > 1) await expect.poll(() => count.textContent()).toBe(`1〜${open - 1} 件目を表示（全 ${open - 1} 件）`);
    expect(await page.locator(`[data-testid=incidents] tbody tr[data-id="${incidentId}"]`).count()).toBe(0);

    // Per-user view from an event's detail: history, incidents and disputes of that user.
    await page.click('[data-view=events]');
    await page.locator('tr', { hasText: FORMULA }).click();
    await page.locator('[data-testid=open-user]').click();
    const view = page.locator('[data-testid=user-view]');
    await view.waitFor();
    expect(await view.locator('h2').first().textContent()).toContain('taro.yamada@example.co.jp');
    await expect.poll(() => view.locator('[data-testid=incidents] tbody tr').count()).toBeGreaterThan(0);
    await expect.poll(() => view.locator('td.file').allTextContents()).toContain(FORMULA);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a collector that cannot be reached is an error with a retry, never "no events" or "Failed to fetch"', { timeout: 90_000 }, async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'ug-admin-down-'));
    const c2 = await createCollector({ storage: new SqliteStorage({ path: join(dir2, 'events.db') }), ingestTokens: ['e2e-ingest-token-0123456789'], adminTokens: [ADMIN] });
    const url2 = await c2.listen(0);
    const { page, dialogs } = await watchedPage(browser, { expected: /ERR_CONNECTION_REFUSED|Failed to load resource/ });
    try {
      await signInWithToken(page, url2, ADMIN);
      // An empty collector: the empty state, in words.
      await expect.poll(() => page.locator('p.empty').textContent()).toBe('該当するイベントはありません。');
      await c2.close();
      await c2.storage.close();
      await page.click('.filters button[type=submit]');
      // Refused at once, or (a connection left half open) given up after the page's 15 s request timeout.
      const error = page.locator('[data-testid=load-error]');
      await error.waitFor({ timeout: 25_000 });
      expect(await error.textContent()).toContain('コレクターに接続できません');
      expect(await page.locator('body').textContent()).not.toMatch(/Failed to fetch|該当するイベントはありません/);
      expect(await error.locator('button').textContent()).toBe('再読み込み');
      // The Devices view says the same.
      await page.click('[data-view=devices]');
      await expect.poll(() => page.locator('[data-testid=load-error]').textContent(), { timeout: 25_000 }).toContain('コレクターに接続できません');
      expect(await page.locator('body').textContent()).not.toMatch(/Failed to fetch|該当する端末はありません/);
      // And so do the admin's own views (audit log, accounts, API tokens): never "no entries".
      for (const view of ['audit', 'accounts', 'tokens']) {
        await page.click(`[data-view=${view}]`);
        await expect.poll(() => page.locator('[data-testid=load-error]').textContent(), { timeout: 25_000 }).toContain('コレクターに接続できません');
        expect(await page.locator('body').textContent()).not.toMatch(/Failed to fetch|該当する記録はありません|まだありません|発行済みの API トークンはありません/);
      }
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('speaks English to an English browser, and the page is served with a strict CSP', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const res = await page.goto(url + '/admin/');
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(res!.headers()['content-security-policy']).not.toContain('unsafe-inline');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upload Guard admin');
    // The refused audit entry, in English.
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.click('[data-view=audit]');
    const refused = page.locator('[data-testid=audit-refused]');
    await refused.waitFor();
    expect(await refused.locator('h3').textContent()).toBe('1 audit entry was refused by the database');
    expect(await refused.textContent()).toContain(`Export cut off (access withdrawn) (by ${REFUSED_ACTOR})`);
    await page.close();
  });

  it('audit entries the database refused are said above the audit log: count, oldest, reason, next try, inert', async () => {
    const { page, dialogs, problems } = await watchedPage(browser);
    await signInWithToken(page, url, ADMIN);
    const looks = (action: string) => ((c.storage as SqliteStorage).db.prepare('SELECT count(*) AS n FROM audit_log WHERE action = ?').get(action) as { n: number }).n;
    const before = looks('audit.view');
    await page.click('[data-view=audit]');
    const refused = page.locator('[data-testid=audit-refused]');
    await refused.waitFor();
    // One look, one entry: the refused entries come with the log (asked apart, each look was two `audit.view` entries).
    await expect.poll(() => page.locator('[data-testid=audit] tr').count()).toBeGreaterThan(1);
    expect([looks('audit.view') - before, looks('audit.refused.view')]).toEqual([1, 0]);
    expect(await refused.locator('h3').textContent()).toBe('データベースが受け付けなかった監査記録が 1 件あります');
    const text = await refused.textContent();
    expect(text).toContain(`エクスポート中断（権限の取り消し）（操作者 ${REFUSED_ACTOR}）`);
    expect(text).toContain(`理由: ${DBA_REASON.replace('\u202e', '[U+202E]')}`);
    expect(text).toMatch(/次の再試行: .+（これまで 1 回拒否）/);
    expect(text).not.toMatch(/[\u202a-\u202e]/);
    // The entry behind it is in the log; nothing from the entry became markup.
    await expect.poll(() => page.locator('[data-testid=audit] tr[data-action="export.cut"]').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
