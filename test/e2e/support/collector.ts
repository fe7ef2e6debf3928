/**
 * The real collector and the real `upload-guard pull`, as child processes, for end-to-end tests with
 * the real extension (test/e2e/events-collector.test.ts):
 *
 *   const c = await startCollector({ dataDir, port });   // node bin/upload-guard.js collector …
 *   await c.kill();                                      // SIGKILL: a crash, not a clean stop
 *   const again = await startCollector({ dataDir, port: c.port });
 *   const { stdout } = await pull(c, ['--since', '1h', '--format', 'ndjson']);
 *
 * Tokens are fixed and passed through the environment (UPLOAD_GUARD_INGEST_TOKEN / _ADMIN_TOKEN).
 * Also launchProfile(): Chromium with dist/ on a profile directory the caller keeps, so a test can
 * close the browser and open it again on the same profile (the extension's IndexedDB queue survives).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { DIST, chromiumArgs, waitForRegistration } from './browser.js';

export const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const CLI = join(ROOT, 'bin', 'upload-guard.js');

/** `node ARGV…` from the repository root; its stdout, or an error carrying all its output. */
function runOk(argv: string[], what: string): string {
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} → exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `npm run package -- ARGS` (the admin's packaging step, run directly). */
export const runPackage = (args: string[]): string =>
  runOk([join(ROOT, 'bin/run-ts.js'), join(ROOT, 'scripts/package.ts'), ...args], `npm run package -- ${args.join(' ')}`);

/** `upload-guard ARGS` (e.g. `policy files …`). */
export const runUploadGuard = (args: string[]): string => runOk([CLI, ...args], `upload-guard ${args.join(' ')}`);

export const INGEST_TOKEN = 'ugi_e2e-ingest-token-0123456789abcdef';
export const ADMIN_TOKEN = 'uga_e2e-admin-token-fedcba9876543210';

export interface RunningCollector {
  port: number;
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (clean shutdown) and wait for the exit. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startCollector(opts: { dataDir: string; port: number; args?: string[]; timeoutMs?: number }): Promise<RunningCollector> {
  const { dataDir, port } = opts;
  const child = spawn(process.execPath, [CLI, 'collector', '--port', String(port), '--data', dataDir, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: INGEST_TOKEN, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN_TOKEN, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`collector never became healthy on ${url}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { port, url, dataDir, child, output: () => out, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

/** Runs `node bin/upload-guard.js pull --url … --token ADMIN ARGS`; resolves with its output and exit code. */
export function pull(c: { url: string }, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [CLI, 'pull', '--url', c.url, '--token', ADMIN_TOKEN, ...args],
      { cwd: ROOT, env: { ...process.env, UPLOAD_GUARD_ADMIN_TOKEN: '' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface ProfileBrowser {
  context: BrowserContext;
  sw: Worker;
  extensionId: string;
  close(): Promise<void>;
}

/**
 * Chromium with the built extension on `profile` (kept by the caller), the given hostnames mapped to
 * 127.0.0.1 and certificate errors ignored (the site server's certificate is self-signed). The managed
 * policy must already be written. Waits until the guard is registered.
 */
export async function launchProfile(profile: string, hosts: string[]): Promise<ProfileBrowser> {
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error(`no build in ${DIST}: run npm run build`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    args: chromiumArgs({ hosts, ignoreCertificates: true }),
  });
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    await waitForRegistration(sw);
    return { context, sw, extensionId: new URL(sw.url()).host, close: () => context.close() };
  } catch (e) {
    await context.close();
    throw e;
  }
}
