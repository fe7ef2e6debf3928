/**
 * `upload-guard collector account|token …` against a real SQLite file, then the collector on that file:
 * the account signs in with the password given on stdin, the CLI's token works and is revoked by name.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { AccountStore } from '../../src/collector/accounts/store.js';
import { createCollector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'ug-acct-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'パスワードは長めに 2026';

const cli = (args: string[], input = '') => spawnSync(process.execPath, ['bin/upload-guard.js', 'collector', ...args, '--data', dir], { input, encoding: 'utf8', timeout: 60_000 });

it('adds accounts and tokens from the command line, password from stdin, every change audited', async () => {
  const add = cli(['account', 'add', '--role', 'investigator', 'sato'], `${PASSWORD}\n`);
  expect(add.status, add.stderr).toBe(0);
  expect(add.stdout).toContain('created sato (investigator)');
  expect(cli(['account', 'add', '--role', 'investigator', 'weak'], 'short\n').status).toBe(2);
  expect(cli(['account', 'add', '--role', 'root', 'x'], `${PASSWORD}\n`).status).toBe(2);
  const tok = cli(['token', 'add', '--role', 'viewer', 'dashboard']);
  expect(tok.status, tok.stderr).toBe(0);
  const token = tok.stdout.trim();
  expect(token).toMatch(/^ugt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  expect(tok.stderr).toMatch(/dashboard \(viewer, id [0-9a-f]{12}, expires \d{4}-\d{2}-\d{2}T/);
  expect(cli(['token', 'list']).stdout).toMatch(/\tdashboard\tviewer\tactive\texpires \d{4}-/);
  // A lifetime of its own, or none (0); a bad one is refused.
  expect(cli(['token', 'add', '--role', 'viewer', '--expires-days', '0', 'wallboard']).stderr).toMatch(/never expires/);
  expect(cli(['token', 'add', '--role', 'viewer', '--expires-days', 'soon', 'other']).status).not.toBe(0);
  expect(cli(['token', 'list']).stdout).toMatch(/\twallboard\tviewer\tactive\tnever expires\t/);

  const storage = new SqliteStorage({ path: join(dir, 'events.db') });
  const c = await createCollector({ storage, ingestTokens: ['ingest-token-for-acct-cli-tests-01'], adminTokens: ['admin-token-for-acct-cli-tests-0123'] });
  try {
    const login = await c.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { name: 'sato', password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    expect(login.json()).toMatchObject({ name: 'sato', role: 'investigator' });
    const viaToken = () => c.app.inject({ url: '/v1/admin/summary', headers: { authorization: `Bearer ${token}` } });
    expect((await viaToken()).statusCode).toBe(200);
    expect(cli(['token', 'revoke', 'dashboard']).status).toBe(0);
    expect((await viaToken()).statusCode).toBe(401);
    const audit = await c.app.inject({ url: '/v1/admin/audit?format=json', headers: { authorization: 'Bearer admin-token-for-acct-cli-tests-0123' } });
    const actions = (audit.json().entries as { actor: string; action: string }[]).map((e) => `${e.actor.replace(/^cli:.*/, 'cli')} ${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['cli account.create', 'cli token.create', 'cli token.revoke', 'sato signin.success']));
    expect(audit.body).not.toContain(PASSWORD);
  } finally {
    await c.close();
    await storage.close();
  }
});

it('lists an account whose name came from a provider claim without letting its escape sequences reach the terminal', async () => {
  const storage = new SqliteStorage({ path: join(dir, 'events.db') });
  // A row of a release before subject14, named by an e-mail claim the user wrote: ESC, an OSC-8 link, BEL, U+202E.
  const hostile = '\u001b[2J\u001b]8;;https://evil.example\u0007x@example.co.jp\u202e';
  try {
    await AccountStore.of(storage).putAccount({ name: hostile, role: 'viewer', passwordHash: null, source: 'oidc', createdMs: Date.now(), createdBy: 'identity provider' });
  } finally {
    await storage.close();
  }
  const list = cli(['account', 'list']);
  expect(list.status, list.stderr).toBe(0);
  expect(list.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  expect(list.stdout).toContain('[U+001B][2J[U+001B]]8;;https://evil.example[U+0007]x@example.co.jp[U+202E]');
});
