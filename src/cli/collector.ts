/**
 * `upload-guard collector [--port N] [--data DIR] [--host H] [--retention-days N] [--webhook URL]
 *   [--syslog udp://host:port|tcp://host:port] [--metrics-public] [--rate-limit N] [--trust-proxy]
 *   [--trusted-proxies LIST] [--stale-after-minutes N] [--packages DIR] [--public-url URL]`
 *
 * Tokens: UPLOAD_GUARD_INGEST_TOKEN / UPLOAD_GUARD_ADMIN_TOKEN, else DATA/tokens.json (mode 0600),
 * generated and printed on first start. Storage: DATABASE_URL=postgres://… selects PostgreSQL,
 * otherwise SQLite at DATA/events.db.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAdminAssets } from '../collector/admin-assets.js';
import { oidcFromEnv } from '../collector/accounts/oidc.js';
import { MIN_TOKEN_LENGTH, tokenId } from '../collector/auth.js';
import { PACKAGE_KINDS, PackageError, PackageStore, fileOf, normalizePublicUrl } from '../collector/packages.js';
import { HecSender, SIEM_FORMATS, type HecOptions, type SiemFormat } from '../collector/alerts/hec.js';
import { createCollector } from '../collector/server.js';
import { openStorage } from '../collector/storage/index.js';

const USAGE = `usage: upload-guard collector [--port 8787] [--host 127.0.0.1] [--data ./data] [--retention-days 365]
       [--webhook URL] [--syslog udp://host:514|tcp://host:514] [--rate-limit 50] [--metrics-public]
       [--trust-proxy | --trusted-proxies 10.0.0.5,10.1.0.0/16] [--stale-after-minutes N]
       [--packages DIR] [--public-url https://host]
       [--splunk-hec https://splunk:8088] [--splunk-hec-channel GUID] [--splunk-hec-index NAME]
       [--siem-format upload-guard|ocsf]
       --trust-proxy: believe X-Forwarded-For/-Proto from a proxy on this machine (loopback) only;
       --trusted-proxies: from exactly these addresses/CIDRs (a proxy on another machine). Never a whole
       LAN: a PC that reaches the collector directly would choose the address in the audit log
       --rate-limit 0 turns the per-device limit off; UPLOAD_GUARD_LOG=1 logs every request
       (errors and warnings are always logged, as JSON lines on stdout)
env:   UPLOAD_GUARD_INGEST_TOKEN, UPLOAD_GUARD_ADMIN_TOKEN, UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES, DATABASE_URL=postgres://…,
       UPLOAD_GUARD_WEBHOOK, UPLOAD_GUARD_SYSLOG, UPLOAD_GUARD_PG_SCHEMA,
       UPLOAD_GUARD_PACKAGES_DIR, UPLOAD_GUARD_PUBLIC_URL,
       UPLOAD_GUARD_SPLUNK_HEC, UPLOAD_GUARD_SPLUNK_HEC_TOKEN (the HEC token: only from the environment),
       UPLOAD_GUARD_SPLUNK_HEC_CHANNEL,
       UPLOAD_GUARD_OIDC_ISSUER, …_CLIENT_ID, …_CLIENT_SECRET, …_REDIRECT_URI, …_ROLE_CLAIM, …_ROLES (docs/admin-accounts.md)
       upload-guard collector account|token …: accounts and API tokens (--help there)`;

export interface Tokens {
  ingest: string;
  admin: string;
}

/**
 * A token variable may list several tokens (spaces or commas between them) for a rotation: the first is
 * the current one, the others stay accepted until they are removed.
 */
export function splitTokens(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * Environment first, then DATA/tokens.json; generates and saves what is missing. `tokens` are the current
 * ones; `accepted` every token the collector takes (current first).
 */
export function loadTokens(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { tokens: Tokens; accepted: Record<keyof Tokens, string[]>; generated: (keyof Tokens)[] } {
  const file = join(dataDir, 'tokens.json');
  const saved = readSavedTokens(file);
  const generated: (keyof Tokens)[] = [];
  const make = (k: keyof Tokens) => {
    generated.push(k);
    return `ug${k[0]}_${randomBytes(24).toString('base64url')}`;
  };
  const fromEnv = { ingest: splitTokens(env.UPLOAD_GUARD_INGEST_TOKEN), admin: splitTokens(env.UPLOAD_GUARD_ADMIN_TOKEN) };
  const tokens: Tokens = {
    ingest: fromEnv.ingest[0] || saved.ingest || make('ingest'),
    admin: fromEnv.admin[0] || saved.admin || make('admin'),
  };
  const accepted = {
    ingest: fromEnv.ingest.length ? fromEnv.ingest : [tokens.ingest],
    admin: fromEnv.admin.length ? fromEnv.admin : [tokens.admin],
  };
  if (generated.length) {
    writeFileSync(file, JSON.stringify({ ...saved, ...Object.fromEntries(generated.map((k) => [k, tokens[k]])) }, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600); // writeFileSync's mode applies only when it creates the file
  }
  return { tokens, accepted, generated };
}

/** DATA/tokens.json, checked: a malformed file is a one-line error naming it, never a stack trace. */
function readSavedTokens(file: string): Partial<Tokens> {
  if (!existsSync(file)) return {};
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StartupError(`${file} is not valid JSON (${(err as Error).message}): fix it, or delete it to generate new tokens`);
  }
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) throw new StartupError(`${file} must be a JSON object {"ingest": "…", "admin": "…"}`);
  for (const k of ['ingest', 'admin'] as const) {
    const v = (saved as Record<string, unknown>)[k];
    if (v !== undefined && typeof v !== 'string') throw new StartupError(`${file}: "${k}" must be a string`);
  }
  return saved as Partial<Tokens>;
}

/** A problem the operator must fix before the collector can start: printed as one line, exit 1. */
export class StartupError extends Error {}

/** The data directory: created 0700, or checked writable (with the reason in one line when it is not). */
function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new StartupError(`cannot use the data directory ${dir}: ${e.code === 'EACCES' ? 'permission denied' : e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'not a directory' : e.message}`);
  }
  // Events and tokens live here: only the collector's user may read them, even in a directory that existed.
  try {
    chmodSync(dir, 0o700);
  } catch {
    /* not ours to change (e.g. a mounted volume): the files themselves are 0600 */
  }
}

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got ${v}`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  // `collector account …` and `collector token …`: accounts and API tokens (src/cli/accounts.ts).
  if (argv[0] === 'account' || argv[0] === 'token') return (await import('./accounts.js')).run(argv);
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string', default: './data' },
        'retention-days': { type: 'string', default: '365' },
        webhook: { type: 'string' },
        syslog: { type: 'string' },
        'rate-limit': { type: 'string' },
        'metrics-public': { type: 'boolean', default: false },
        'trust-proxy': { type: 'boolean', default: false },
        'trusted-proxies': { type: 'string' },
        'stale-after-minutes': { type: 'string' },
        packages: { type: 'string' },
        'public-url': { type: 'string' },
        'splunk-hec': { type: 'string' },
        'splunk-hec-channel': { type: 'string' },
        'splunk-hec-index': { type: 'string' },
        'siem-format': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`upload-guard collector: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let port: number, retentionDays: number, rate: number, staleAfterMinutes: number | undefined;
  const packagesDir = args.packages ?? (process.env.UPLOAD_GUARD_PACKAGES_DIR || undefined);
  const publicUrl = args['public-url'] ?? (process.env.UPLOAD_GUARD_PUBLIC_URL || undefined);
  try {
    port = positiveInt('port', args.port, 8787);
    retentionDays = positiveInt('retention-days', args['retention-days'], 365);
    rate = positiveInt('rate-limit', args['rate-limit'], 50);
    if (port > 65535) throw new Error(`--port: out of range: ${port}`);
    if (args['stale-after-minutes'] !== undefined) {
      staleAfterMinutes = positiveInt('stale-after-minutes', args['stale-after-minutes'], 0);
      if (staleAfterMinutes < 1) throw new Error('--stale-after-minutes: expected at least 1');
    }
    if (publicUrl) {
      try {
        normalizePublicUrl(publicUrl);
      } catch (err) {
        throw new Error(`--public-url (or UPLOAD_GUARD_PUBLIC_URL): ${(err as Error).message.replace(/^publicUrl: /, '')}`, { cause: err });
      }
    }
    if (packagesDir && !existsSync(packagesDir)) throw new Error(`--packages (or UPLOAD_GUARD_PACKAGES_DIR): no such directory: ${packagesDir}`);
  } catch (err) {
    console.error(`upload-guard collector: ${(err as Error).message}`);
    return 2;
  }
  let hec: HecOptions | undefined;
  try {
    hec = splunkHecOptions(args, process.env);
  } catch (err) {
    console.error(`upload-guard collector: ${(err as Error).message}`);
    return 2;
  }
  let oidc;
  try {
    oidc = oidcFromEnv(process.env, publicUrl);
  } catch (err) {
    console.error(`upload-guard collector: OpenID Connect: ${(err as Error).message}`);
    return 2;
  }
  const dataDir = resolve(args.data!);
  let loaded: ReturnType<typeof loadTokens>;
  try {
    prepareDataDir(dataDir);
    loaded = loadTokens(dataDir);
    for (const [kind, list] of Object.entries(loaded.accepted)) {
      if (list.some((t) => t.length < MIN_TOKEN_LENGTH || new Set(t).size < 8)) {
        throw new StartupError(`${kind} tokens must be at least ${MIN_TOKEN_LENGTH} characters with at least 8 different ones (use: openssl rand -base64 32)`);
      }
    }
    if (loaded.accepted.ingest.some((t) => loaded.accepted.admin.includes(t))) throw new StartupError('the ingest and admin tokens must differ');
  } catch (err) {
    console.error(`upload-guard collector: ${err instanceof StartupError ? err.message : `cannot read or write ${join(dataDir, 'tokens.json')}: ${(err as Error).message}`}`);
    return 1;
  }
  const { tokens, accepted, generated } = loaded;
  // The admin token's end, when one is set (none by default: the break-glass way in keeps working).
  const adminExpires = process.env.UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES?.trim();
  const adminTokenExpiresMs = adminExpires ? Date.parse(adminExpires) : undefined;
  if (adminExpires && !(/^\d{4}-\d{2}-\d{2}/.test(adminExpires) && Number.isFinite(adminTokenExpiresMs))) {
    console.error(`upload-guard collector: UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES must be an ISO 8601 date or time (e.g. 2027-03-31T23:59:59+09:00), not ${JSON.stringify(adminExpires)}`);
    return 1;
  }

  const databaseUrl = process.env.DATABASE_URL;
  let storage;
  try {
    storage = await openStorage({ databaseUrl, dataDir, pgSchema: process.env.UPLOAD_GUARD_PG_SCHEMA });
  } catch (err) {
    console.error(`upload-guard collector: cannot open the database: ${(err as Error).message}`);
    return 1;
  }
  // Bundle the admin page now so a broken build shows at start, not on an admin's first visit.
  await loadAdminAssets().catch((err) => console.error(`upload-guard collector: admin page unavailable: ${(err as Error).message}`));

  let collector;
  try {
    collector = await createCollector({
      storage,
      ingestTokens: accepted.ingest,
      adminTokens: accepted.admin,
      adminTokenExpiresMs,
      retentionDays,
      alerts: { webhookUrl: args.webhook ?? process.env.UPLOAD_GUARD_WEBHOOK, syslogUrl: args.syslog ?? process.env.UPLOAD_GUARD_SYSLOG, hec },
      ingestRateLimit: { perSecond: rate, burst: rate * 2 }, // 0: no limit
      metricsPublic: args['metrics-public'],
      trustProxy: args['trusted-proxies'] ? args['trusted-proxies'].split(',').map((s) => s.trim()).filter(Boolean) : args['trust-proxy'],
      logger: process.env.UPLOAD_GUARD_LOG === '1' ? 'info' : 'warn',
      staleAfterMinutes,
      // A saturated event loop, or a request that waited too long for the CPU, sheds ingest with 503 (see admission.ts).
      admission: { maxBusy: 0.95, maxWaitMs: 500 },
      packagesDir: packagesDir ? resolve(packagesDir) : undefined,
      publicUrl,
      // Entries owed to the audit log while the database is down survive a crash here (audit-spool.ts).
      accounts: { oidc, auditSpool: join(dataDir, 'audit-spool.jsonl') },
    });
  } catch (err) {
    console.error(`upload-guard collector: cannot start: ${(err as Error).message}`);
    await storage.close().catch(() => {});
    return 1;
  }
  let url: string;
  try {
    url = await collector.listen(port, args.host);
  } catch (err) {
    console.error(`upload-guard collector: cannot listen on ${args.host}:${port}: ${(err as Error).message}`);
    await storage.close();
    return 1;
  }

  // Listening from here on, so a stop asked for while the banner is still being written (a service
  // manager's SIGTERM right after start) closes the database cleanly instead of killing the process.
  const exited = new Promise<number>((resolveExit) => {
    const stop = async (signal: string) => {
      console.log(`upload-guard collector: ${signal}, shutting down`);
      await collector.close().catch(() => {});
      await storage.close().catch(() => {});
      resolveExit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
  const where = storage.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : join(dataDir, 'events.db');
  console.log(`Upload Guard collector listening on ${url}`);
  console.log(`  storage:    ${storage.kind}: ${where}`);
  console.log(`  retention:  ${retentionDays > 0 ? `${retentionDays} days` : 'forever'}`);
  for (const notice of storage.notices ?? []) console.error(`upload-guard collector: warning: ${notice}`);
  console.log(`  admin page: ${url}/admin/${oidc ? ` (sign-in with ${oidc.issuer})` : ''}`);
  console.log(`  ingest:     POST ${url}/v1/events`);
  console.log(`  admin token: ${adminTokenExpiresMs === undefined ? 'never expires (set UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES to give it an end)' : `expires ${new Date(adminTokenExpiresMs).toISOString()}`}`);
  if (hec) console.log(`  splunk hec: ${new HecSender(hec).eventUrl.origin} (${hec.format}${hec.channel ? ', indexer acknowledgement' : ''})`);
  // Fingerprints, never tokens: what the admin page shows per device while a rotation is under way.
  if (accepted.ingest.length > 1) {
    console.log(`  ingest tokens: ${accepted.ingest.map((t, i) => `${tokenId(t)}${i === 0 ? ' (current)' : ' (still accepted)'}`).join(', ')}`);
  }
  if (packagesDir) console.log(`  packages:   ${await describePackages(resolve(packagesDir), publicUrl ? normalizePublicUrl(publicUrl) : url)}`);
  // Print tokens only when newly generated (they are in tokens.json afterwards); an env token is the
  // operator's own and is never echoed.
  if (generated.length) {
    console.log(`  tokens generated and saved to ${join(dataDir, 'tokens.json')} (mode 0600):`);
    if (generated.includes('ingest')) console.log(`    ingest token (put in the extension policy): ${tokens.ingest}`);
    if (generated.includes('admin')) console.log(`    admin token (admin page, upload-guard pull): ${tokens.admin}`);
  }

  return exited;
}

/**
 * The Splunk HEC output from --splunk-hec (or UPLOAD_GUARD_SPLUNK_HEC) and the token from
 * UPLOAD_GUARD_SPLUNK_HEC_TOKEN: never an argument, which any user of the machine can read in `ps`.
 */
export function splunkHecOptions(args: Record<string, unknown>, env: NodeJS.ProcessEnv): HecOptions | undefined {
  const url = (args['splunk-hec'] as string | undefined) ?? (env.UPLOAD_GUARD_SPLUNK_HEC || undefined);
  const format = ((args['siem-format'] as string | undefined) ?? 'upload-guard') as SiemFormat;
  if (!SIEM_FORMATS.includes(format)) throw new Error(`--siem-format must be one of ${SIEM_FORMATS.join(', ')}, got ${format}`);
  if (!url) {
    if (args['siem-format'] || args['splunk-hec-channel'] || args['splunk-hec-index']) throw new Error('--siem-format, --splunk-hec-channel and --splunk-hec-index need --splunk-hec');
    return undefined;
  }
  const token = env.UPLOAD_GUARD_SPLUNK_HEC_TOKEN;
  if (!token) throw new Error('--splunk-hec needs the HEC token in UPLOAD_GUARD_SPLUNK_HEC_TOKEN');
  if (/[\s\u0000-\u001f]/.test(token)) throw new Error('UPLOAD_GUARD_SPLUNK_HEC_TOKEN must not contain spaces or control characters');
  const channel = (args['splunk-hec-channel'] as string | undefined) ?? (env.UPLOAD_GUARD_SPLUNK_HEC_CHANNEL || undefined);
  if (channel !== undefined && !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(channel)) {
    throw new Error(`--splunk-hec-channel must be a GUID (uuidgen makes one), got ${channel}`);
  }
  const index = args['splunk-hec-index'] as string | undefined;
  if (index !== undefined && !/^[a-z0-9_][a-z0-9_-]*$/.test(index)) throw new Error(`--splunk-hec-index: not a Splunk index name: ${index}`);
  const opts: HecOptions = { url, token, channel, format, index };
  new HecSender(opts); // a malformed URL fails at start, not at the first event
  return opts;
}

/** One line for the start-up banner: what the packages directory holds, or why nothing is served. */
async function describePackages(dir: string, base: string): Promise<string> {
  const store = new PackageStore(dir);
  try {
    const r = await store.release();
    const files = PACKAGE_KINDS.filter((k) => fileOf(r, k));
    return `${r.name} ${r.version} (${files.join(', ') || 'no files'}) from ${dir}; update URLs ${base}/extension/updates.xml?token=<ingest token>, ${base}/extension/updates.json?token=<ingest token>`;
  } catch (err) {
    return `${dir}: ${err instanceof PackageError ? err.message : (err as Error).message} (served as soon as it is there)`;
  }
}
