/**
 * The site server of the compatibility and technique suites: the lab server (test/e2e/support) plus
 * what real upload libraries talk to and what technique pages need.
 *
 *   GET  /compat/NAME             a page built from pages/NAME.ts (bundled with esbuild from the npm packages)
 *   GET  /compat/NAME.js|.css     its bundle
 *   *    /tus/…                   a real tus 1.0 server (@tus/server + @tus/file-store); a finished upload is recorded
 *   PUT  /s3/BUCKET/KEY?X-Amz-…   an S3-style presigned PUT; recorded with the key as name
 *   PUT  /upload?ch=…             a raw PUT; recorded like a POST
 *   GET  /sink?ch=…&q=…           a GET that carries data (suggest, beacon image): the query is recorded as text
 *                                 (with `&referer`, also the Referer the request carries: what the page's own URL holds)
 *   GET  /asset/NAME              a static asset a technique page needs (a Service Worker script, a frame)
 *   OPTIONS *                     CORS preflight (presigned PUTs go to another host)
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { record, startSiteServer, type Arrival, type SiteServer } from '../support/index.js';

const PAGES = new URL('./pages/', import.meta.url).pathname;

/** A response body served as is. */
export interface Asset {
  type: string;
  body: string | Buffer;
}

/**
 * Each pages/NAME.ts (or only those named) as /compat/NAME (HTML shell), /compat/NAME.js and
 * /compat/NAME.css (when it imports CSS).
 */
export async function bundlePages(only?: string[]): Promise<Map<string, Asset>> {
  const entries = readdirSync(PAGES).filter((f) => f.endsWith('.ts') && (!only || only.includes(f.slice(0, -3))));
  const out = await build({
    entryPoints: entries.map((f) => join(PAGES, f)),
    bundle: true,
    write: false,
    outdir: '/compat',
    format: 'iife',
    target: 'chrome120',
    minify: true,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = new Map<string, Asset>();
  for (const f of out.outputFiles) {
    const type = f.path.endsWith('.css') ? 'text/css' : 'text/javascript';
    assets.set(f.path, { type: `${type}; charset=utf-8`, body: Buffer.from(f.contents) });
  }
  for (const e of entries) {
    const name = e.replace(/\.ts$/, '');
    const css = assets.has(`/compat/${name}.css`) ? `<link rel="stylesheet" href="/compat/${name}.css">` : '';
    assets.set(`/compat/${name}`, {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${name}</title>${css}</head>` +
        `<body><div id="app"></div><script src="/compat/${name}.js"></script></body></html>`,
    });
  }
  return assets;
}

export interface CompatServer extends SiteServer {
  /** Static responses by path (pages, bundles, technique assets); add more at any time. */
  assets: Map<string, Asset>;
}

export async function startCompatServer(hosts: string[], assets = new Map<string, Asset>()): Promise<CompatServer> {
  const tusDir = mkdtempSync(join(tmpdir(), 'ug-tus-'));
  let sink: Arrival[] = [];
  const tus = new TusServer({
    path: '/tus',
    relativeLocation: true,
    datastore: new FileStore({ directory: tusDir }),
    async onUploadFinish(req, upload) {
      const bytes = readFileSync(join(tusDir, upload.id));
      const host = (req.headers.get('host') ?? '').replace(/:\d+$/, '');
      const name = upload.metadata?.filename ?? upload.metadata?.name ?? null;
      sink.push({ host, path: '/tus', channel: 'tus', kind: 'file', name, size: bytes.length, sha256: sha(bytes), text: null });
      return {};
    },
  });
  const route = (req: http.IncomingMessage, res: http.ServerResponse, received: Arrival[]): boolean => {
    sink = received;
    const url = new URL(req.url ?? '/', 'https://x');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const carried = headerText(req, url);
    if (carried) received.push({ host, path: url.pathname, channel: url.searchParams.get('ch'), kind: 'text', name: null, size: carried.length, sha256: sha(Buffer.from(carried)), text: carried });
    if (url.pathname === '/tus' || url.pathname.startsWith('/tus/')) return void tus.handle(req, res), true;
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors(req)).end(), true;
    const asset = req.method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset) return void res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' }).end(asset.body), true;
    if (req.method === 'GET' && url.pathname === '/sink') {
      const text = url.search.slice(1);
      received.push({ host, path: url.pathname, channel: url.searchParams.get('ch'), kind: 'text', name: null, size: text.length, sha256: sha(Buffer.from(text)), text: decodeQuery(text) });
      return void res.writeHead(204, cors(req)).end(), true;
    }
    if (req.method === 'PUT') return readBody(req, (body) => {
      const s3 = /^\/s3\/[^/]+\/(.+)$/.exec(url.pathname);
      if (s3) url.searchParams.set('name', basename(decodeURIComponent(s3[1])));
      record(received, host, url, req.headers['content-type'] ?? '', body);
      res.writeHead(200, { ...cors(req), etag: `"${sha(body).slice(0, 32)}"` }).end();
    });
    return false;
  };
  const server = await startSiteServer({ hosts, route });
  return {
    ...server,
    assets,
    close: async () => {
      await server.close();
      rmSync(tusDir, { recursive: true, force: true });
    },
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Text a page put in request headers (`x-note…`) or cookies (`ugnote…`), as the server reads it: raw,
 * percent-decoded, and `x-note-b64` base64-decoded as UTF-8. '' when the request carries none.
 */
function headerText(req: http.IncomingMessage, url: URL): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(req.headers)) {
    const asked = k === 'referer' && url.searchParams.has('referer');
    const values = (Array.isArray(v) ? v : [v ?? '']).filter((x) => asked || k.startsWith('x-note') || (k === 'cookie' && x.includes('ugnote')));
    for (const x of values) out.push(x, decodeQuery(x), k === 'x-note-b64' ? Buffer.from(x, 'base64').toString('utf8') : '');
  }
  return out.filter((x) => x).join('\n');
}

/** `a=1&q=%E7%A7%98+x` → `a=1&q=秘 x` (what a GET carries, as the server would read it). */
function decodeQuery(q: string): string {
  try {
    return decodeURIComponent(q.replace(/\+/g, ' '));
  } catch {
    return q;
  }
}

function cors(req: http.IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, HEAD, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    'access-control-expose-headers': 'ETag, Location',
  };
}

function readBody(req: http.IncomingMessage, done: (body: Buffer) => void): true {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
  return true;
}

/** A unique marker for a payload, so an arrival can be traced to it whatever else arrives. */
export const nonce = () => randomUUID().slice(0, 8);
