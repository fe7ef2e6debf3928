/** `upload-guard collector` as a real process: generated tokens, tokens.json mode, SQLite file, shutdown. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { postEventsResending } from './collector-process.js';

const ROOT = join(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: '', UPLOAD_GUARD_ADMIN_TOKEN: '', DATABASE_URL: '', ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!/tokens generated|ingest: +POST/.test(out) || !/listening on (\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`collector did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100)); // let the token lines arrive
  const url = /listening on (\S+)/.exec(out)![1]!;
  const stop = async () => {
    child.kill('SIGTERM');
    return new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  };
  // Lines after the first ones (packages, tokens) may come later on a busy machine: wait for them, not a fixed time.
  const waitFor = async (line: RegExp) => {
    for (const end = Date.now() + 30_000; !line.test(out); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${line} in:\n${out}`);
    }
  };
  return { url, output: () => out, stop, waitFor };
}

/** One event, sent again after a 503 as the extension does (a collector just started on a busy machine sheds with 503). */
const postEvent = (url: string, token: string) => postEventsResending(url, [sampleEvent()], token);

describe('upload-guard collector (CLI)', () => {
  it('generates, saves (0600) and prints tokens when absent, stores in DATA/events.db, stops on SIGTERM', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ug-cli-'));
    dirs.push(data);
    const cli = await startCli(['--data', data]);
    const tokens = JSON.parse(readFileSync(join(data, 'tokens.json'), 'utf8')) as { ingest: string; admin: string };
    expect(statSync(join(data, 'tokens.json')).mode & 0o777).toBe(0o600);
    expect(cli.output()).toContain(tokens.ingest);
    expect(cli.output()).toContain(tokens.admin);
    expect(tokens.ingest).not.toBe(tokens.admin);
    const res = await postEvent(cli.url, tokens.ingest);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(statSync(join(data, 'events.db')).isFile()).toBe(true);
    expect(await cli.stop()).toBe(0);

    // Second start: the saved tokens are reused and not printed again.
    const again = await startCli(['--data', data]);
    expect(again.output()).not.toContain(tokens.admin);
    const list = await fetch(again.url + '/v1/admin/events', { headers: { authorization: `Bearer ${tokens.admin}` } });
    expect((await list.json()).events).toHaveLength(1);
    expect(await again.stop()).toBe(0);
  });

  it('a stop the moment it listens (a service manager stopping it during start-up) exits 0 and reports no failure', async () => {
    for (let i = 0; i < 3; i++) {
      const data = mkdtempSync(join(tmpdir(), 'ug-cli-'));
      dirs.push(data);
      const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', data], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
      let out = '';
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const onData = (d: Buffer) => {
        out += d;
        if (/listening on/.test(out) && child.exitCode === null && !child.killed) child.kill('SIGTERM');
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      expect(await exited, out).toBe(0);
      expect(out).toContain('SIGTERM, shutting down');
      // The device count started at start-up finds its database closed: no news, not a warning.
      expect(out).not.toMatch(/failed|error/i);
    }
  });

  it('serves packages from --packages / UPLOAD_GUARD_PACKAGES_DIR with links under --public-url', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ug-cli-'));
    const pkgs = mkdtempSync(join(tmpdir(), 'ug-cli-pkgs-'));
    dirs.push(data, pkgs);
    const crx = Buffer.from('Cr24 not really');
    writeFileSync(join(pkgs, 'upload-guard-0.1.0.crx'), crx);
    writeFileSync(
      join(pkgs, 'release.json'),
      JSON.stringify({
        name: 'upload-guard',
        version: '0.1.0',
        chrome: { id: 'kifiiikeeilkcdcehgbnoedbcgaoafec', crx: 'upload-guard-0.1.0.crx', zip: null },
        firefox: { id: 'upload-guard@upload-guard.example', xpi: null },
        sha256: { 'upload-guard-0.1.0.crx': createHash('sha256').update(crx).digest('hex') },
        builtAt: '2026-11-24T10:00:00.000Z',
      }),
    );
    const env = { UPLOAD_GUARD_INGEST_TOKEN: 'env-ingest-token-0123456789', UPLOAD_GUARD_ADMIN_TOKEN: 'env-admin-token-0123456789' };
    for (const [args, extraEnv] of [
      [['--packages', pkgs, '--public-url', 'https://ug.example.co.jp/'], {}],
      [[], { UPLOAD_GUARD_PACKAGES_DIR: pkgs, UPLOAD_GUARD_PUBLIC_URL: 'https://ug.example.co.jp' }],
    ] as const) {
      const cli = await startCli(['--data', data, ...args], { ...env, ...extraEnv });
      try {
        await cli.waitFor(/packages: +upload-guard 0\.1\.0 \(crx\)/);
        expect(cli.output()).not.toContain('env-ingest-token-0123456789');
        const xml = await (await fetch(`${cli.url}/extension/updates.xml?token=env-ingest-token-0123456789`)).text();
        expect(xml).toContain(`codebase='https://ug.example.co.jp/extension/upload-guard-0.1.0.crx?token=env-ingest-token-0123456789'`);
      } finally {
        expect(await cli.stop()).toBe(0);
      }
    }
  });

  it('refuses a missing --packages directory, a bad --public-url and a bad --stale-after-minutes', async () => {
    for (const args of [['--packages', '/nonexistent/ug-release'], ['--public-url', 'ftp://x'], ['--stale-after-minutes', '0']]) {
      const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', ...args], { cwd: ROOT });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code, args.join(' ')).toBe(2);
      expect(err).toContain(args[0]!.replace(/^--/, ''));
    }
  });

  it('takes tokens from the environment and never echoes them', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ug-cli-'));
    dirs.push(data);
    const cli = await startCli(['--data', data], { UPLOAD_GUARD_INGEST_TOKEN: 'env-ingest-token-0123456789', UPLOAD_GUARD_ADMIN_TOKEN: 'env-admin-token-0123456789' });
    expect(cli.output()).not.toContain('env-admin-token-0123456789');
    const res = await fetch(cli.url + '/v1/admin/devices', { headers: { authorization: 'Bearer env-admin-token-0123456789' } });
    expect(res.status).toBe(200);
    expect(await cli.stop()).toBe(0);
  });

  it('accepts several ingest tokens during a rotation (current first) and prints only their fingerprints', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ug-cli-'));
    dirs.push(data);
    const [next, old] = ['ingest-new-0123456789abcdef', 'ingest-old-0123456789abcdef'];
    const cli = await startCli(['--data', data], { UPLOAD_GUARD_INGEST_TOKEN: ` ${next}, ${old} `, UPLOAD_GUARD_ADMIN_TOKEN: 'env-admin-token-0123456789' });
    const fp = (t: string) => createHash('sha256').update(t).digest('hex').slice(0, 8);
    expect(cli.output()).toContain(`ingest tokens: ${fp(next)} (current), ${fp(old)} (still accepted)`);
    expect(cli.output()).not.toContain(next);
    expect(cli.output()).not.toContain(old);
    for (const token of [next, old]) expect((await postEvent(cli.url, token)).status).toBe(200);
    expect(await cli.stop()).toBe(0);
  });
});
