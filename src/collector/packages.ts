/**
 * The collector serves the extension packages itself, so a small company needs no other web server:
 *
 *   GET /extension/updates.xml   Chrome/Edge update manifest (gupdate) pointing at the CRX
 *   GET /extension/updates.json  Firefox update manifest pointing at the XPI
 *   GET /extension/<file>        a file named in release.json, or the stable aliases
 *                                upload-guard.crx, upload-guard.xpi, upload-guard-webstore.zip
 *
 * The packages directory is written by `npm run package`; its release.json names the files and their
 * SHA-256. It is read per request (cached by mtime), so a fresh package is served without a restart.
 * A file is served only when it is named in release.json: the request never supplies a path. Every
 * route needs an ingest token, as `Authorization: Bearer` or `?token=` (updaters cannot send headers).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { describeIssues } from '../events/schema.js';
import { RELEASE_FILE, ReleaseSchema, type Release } from '../package/release.js';
import { chromeUpdateXml, firefoxUpdateJson, normalizePublicUrl } from '../package/update-manifest.js';

export { normalizePublicUrl };
import type { Metrics } from './metrics.js';

/** release.json as `npm run package` writes it; the schema is shared with the packager (src/package/release.ts). */
export { ReleaseSchema, type Release };

/** Every file release.json names must have its SHA-256 there too (ETag, Firefox update_hash, the check below). */
function missingHashes(r: Release): string[] {
  return [r.chrome.crx, r.chrome.zip, r.firefox.xpi].filter((n): n is string => !!n && !r.sha256[n]).map((n) => `sha256: no entry for ${n}`);
}

export type PackageKind = 'crx' | 'xpi' | 'zip';
export const PACKAGE_KINDS: readonly PackageKind[] = ['crx', 'xpi', 'zip'];

const CONTENT_TYPES: Record<PackageKind, string> = {
  crx: 'application/x-chrome-extension',
  xpi: 'application/x-xpinstall',
  zip: 'application/zip',
};

/** Stable names that always mean the current release's file. */
export const ALIASES: Record<string, PackageKind> = {
  'upload-guard.crx': 'crx',
  'upload-guard.xpi': 'xpi',
  'upload-guard-webstore.zip': 'zip',
};

export function fileOf(r: Release, kind: PackageKind): string | null {
  return kind === 'xpi' ? r.firefox.xpi : kind === 'crx' ? r.chrome.crx : r.chrome.zip;
}

export class PackageError extends Error {
  constructor(
    readonly status: 404 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface PackageFile {
  kind: PackageKind;
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** The packages directory: release.json (cached by mtime and size) and the files it names. */
export class PackageStore {
  readonly dir: string;
  private cached: { key: string; release: Release } | null = null;
  /** Verified SHA-256 per (file, size, mtime): each file is hashed once per version of it. */
  private readonly hashes = new Map<string, Promise<string>>();

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The current release; throws PackageError (404 when absent, 500 when invalid). */
  async release(): Promise<Release> {
    const file = join(this.dir, RELEASE_FILE);
    let st;
    try {
      st = await stat(file);
    } catch {
      throw new PackageError(404, 'no extension release in the packages directory (release.json is missing): run npm run package');
    }
    const key = `${st.size}|${st.mtimeMs}`;
    if (this.cached?.key === key) return this.cached.release;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new PackageError(500, `release.json is not valid JSON: ${(err as Error).message}`);
    }
    const r = ReleaseSchema.safeParse(raw);
    const problems = r.success ? missingHashes(r.data) : describeIssues(r.error);
    if (!r.success || problems.length) throw new PackageError(500, `release.json is invalid: ${problems.join('; ')}`);
    this.cached = { key, release: r.data };
    return r.data;
  }

  /**
   * The file of `kind` in the current release, or null when the release has none or it is not on disk.
   * Its content is checked against release.json's SHA-256 (503 while a new package is half written).
   */
  async file(kind: PackageKind, release?: Release): Promise<PackageFile | null> {
    const r = release ?? (await this.release());
    const name = fileOf(r, kind);
    if (!name) return null;
    // `name` passed the release schema (no separators, not . or ..), so it stays inside the directory.
    const path = join(this.dir, name);
    let st;
    try {
      st = await stat(path);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const expected = r.sha256[name]!;
    const key = `${name}|${st.size}|${st.mtimeMs}`;
    let hash = this.hashes.get(key);
    if (!hash) {
      hash = hashFile(path);
      this.hashes.set(key, hash);
      hash.catch(() => this.hashes.delete(key));
      if (this.hashes.size > 32) this.hashes.delete(this.hashes.keys().next().value!);
    }
    if ((await hash) !== expected) {
      throw new PackageError(503, `${name} does not match its sha256 in release.json (a new package being written?)`);
    }
    return { kind, name, path, size: st.size, sha256: expected };
  }

  /** Which kind a requested name means: an alias, or a file name listed in the release. Else null. */
  lookup(r: Release, requested: string): PackageKind | null {
    if (Object.hasOwn(ALIASES, requested)) return ALIASES[requested]!;
    for (const kind of PACKAGE_KINDS) if (fileOf(r, kind) === requested) return kind;
    return null;
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', rej)
      .on('end', () => res(h.digest('hex')));
  });
}

export interface PackageRouteOptions {
  store: PackageStore | null;
  /**
   * Base URL of the links (the configured publicUrl, else the address the collector listens on). Never
   * taken from the request: a Host header chosen by a client must not end up in another client's links.
   */
  baseUrl: () => string;
  /** Checks the ingest token (header or ?token=). */
  guard: onRequestHookHandler;
  /** The token the request authenticated with (header or query). */
  tokenOf: (req: FastifyRequest) => string;
  metrics: Metrics;
}

export function registerPackageRoutes(app: FastifyInstance, o: PackageRouteOptions): void {
  const fail = (reply: FastifyReply, err: unknown) => {
    if (err instanceof PackageError) {
      if (err.status !== 404) reply.log.error({ err: err.message }, 'extension packages');
      if (err.status === 503) reply.header('retry-after', '60');
      return reply.code(err.status).send({ error: err.message });
    }
    throw err;
  };

  function storeOrFail(reply: FastifyReply): PackageStore | null {
    if (!o.store) {
      void reply.code(404).send({ error: 'extension packages are not served here: the collector has no packages directory (--packages DIR)' });
      return null;
    }
    return o.store;
  }

  function link(req: FastifyRequest, baseUrl: string, name: string): string {
    return `${baseUrl}/extension/${encodeURIComponent(name)}?token=${encodeURIComponent(o.tokenOf(req))}`;
  }

  /**
   * An update manifest route: the current release and its file of `kind`, with links under the base
   * URL carrying the request's token. With no such file (no signing key given to the packager, or the
   * file is missing) the manifest announces nothing rather than point the browser at a broken link.
   */
  function manifestRoute(path: string, kind: 'crx' | 'xpi', contentType: string, render: (r: Release, link: string | null, f: PackageFile | null) => string) {
    app.get(path, { onRequest: o.guard }, async (req, reply) => {
      const store = storeOrFail(reply);
      if (!store) return reply;
      try {
        const r = await store.release();
        const baseUrl = o.baseUrl();
        const f = await store.file(kind, r);
        o.metrics.updateChecks[kind === 'crx' ? 'chrome' : 'firefox']++;
        reply.type(contentType);
        return render(r, f ? link(req, baseUrl, f.name) : null, f);
      } catch (err) {
        return fail(reply, err);
      }
    });
  }

  // Both renderers escape for their format (XML attributes, JSON strings).
  manifestRoute('/extension/updates.xml', 'crx', 'application/xml; charset=utf-8', (r, codebase) =>
    chromeUpdateXml({ appId: r.chrome.id, version: r.version, codebase }),
  );
  manifestRoute('/extension/updates.json', 'xpi', 'application/json; charset=utf-8', (r, link, f) =>
    firefoxUpdateJson({ addonId: r.firefox.id, version: r.version, link, sha256: f?.sha256 ?? null }),
  );

  app.get<{ Params: { file: string } }>('/extension/:file', { onRequest: o.guard }, async (req, reply) => {
    const store = storeOrFail(reply);
    if (!store) return reply;
    try {
      const r = await store.release();
      // The name is looked up among the release's files, never used as a path.
      const kind = store.lookup(r, req.params.file);
      if (!kind) return reply.code(404).send({ error: 'no such package: see /extension/updates.xml or updates.json' });
      const f = await store.file(kind, r);
      if (!f) return reply.code(404).send({ error: `this release has no ${kind.toUpperCase()} file (or it is missing from the packages directory)` });
      const etag = `"${f.sha256}"`;
      reply.header('etag', etag);
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      reply.type(CONTENT_TYPES[f.kind]);
      reply.header('content-disposition', `attachment; filename="${f.name}"`);
      reply.header('content-length', String(f.size));
      if (req.method === 'GET') o.metrics.packageDownloads[f.kind]++;
      return reply.send(createReadStream(f.path));
    } catch (err) {
      return fail(reply, err);
    }
  });
}
