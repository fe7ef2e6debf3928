/**
 * A local HTTPS + HTTP server that answers for any hostname (the browser reaches it through
 * --host-resolver-rules) and records what arrives at its upload endpoints, so a test can check what
 * would have left the machine: file names, sizes and SHA-256 of every file part, and any text.
 *
 * Endpoints (any host):
 *   GET  /            the lab page (pages/lab.html): upload widgets the way the real services build them
 *   GET  /bench       the benchmark page (pages/bench.html)
 *   POST /upload?ch=… multipart (files + fields) or a raw body; recorded
 *   POST /backend-api/conversation   ChatGPT-style JSON prompt; recorded as text
 *   WS   /ws          WebSocket; every frame recorded
 *   ANY  /log/…       recorded as text: the decoded path and query (what a URL carries)
 *   GET  /t/NAME      a page or worker script from pages/ (technique pages)
 * With `h2`, the HTTPS port speaks HTTP/2 too (HTTP/1.1 still allowed): Chromium streams a request body
 * (`fetch` with a ReadableStream body, `duplex: 'half'`) only over HTTP/2.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { selfSignedCert } from './cert.js';

export interface Arrival {
  host: string;
  path: string;
  /** The `ch` query parameter the lab page puts on each upload (which widget sent it). */
  channel: string | null;
  kind: 'file' | 'text';
  /** File name of a multipart file part, or the `name` query parameter of a raw upload. */
  name: string | null;
  size: number;
  sha256: string;
  /** Text fields, JSON and text bodies (decoded as UTF-8). */
  text: string | null;
}

export interface SiteServer {
  httpsPort: number;
  httpPort: number;
  /** `https://HOST:PORT/path` */
  url(host: string, path?: string): string;
  received: Arrival[];
  /** Arrivals since the last clear(). */
  clear(): void;
  close(): Promise<void>;
}

const PAGES = new URL('./pages/', import.meta.url);

/**
 * Extra endpoints a suite serves beside the lab's (upload libraries' servers, technique pages): called
 * first with the request unread; returns true when it answered.
 */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse, received: Arrival[]) => boolean;

/** `pages`: extra GET paths a test serves (path → HTML, or a function of the requesting host). */
export async function startSiteServer(
  opts: { hosts?: string[]; route?: Route; pages?: Record<string, string | ((host: string) => string)>; h2?: boolean } = {},
): Promise<SiteServer> {
  const received: Arrival[] = [];
  const hosts = opts.hosts ?? ['localhost'];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (opts.route?.(req, res, received)) return;
    const host = ((req.headers.host ?? req.headers[':authority'] ?? '') as string).replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', 'https://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (url.pathname.startsWith('/log/')) return logUrl(received, host, url, res);
      if (req.method === 'GET' && url.pathname.startsWith('/t/')) return servePage(url.pathname.slice(3), res);
      if (req.method === 'GET') {
        const extra = opts.pages?.[url.pathname];
        if (extra !== undefined) {
          const type = url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html';
          res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
          return void res.end(typeof extra === 'function' ? extra(host) : extra);
        }
        const page = url.pathname === '/' ? 'lab.html' : url.pathname === '/bench' ? 'bench.html' : null;
        if (!page) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return void res.end(readFileSync(new URL(page, PAGES)));
      }
      if (req.method === 'POST') {
        record(received, host, url, req.headers['content-type'] ?? '', body);
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        return void res.end(JSON.stringify({ ok: true, bytes: body.length }));
      }
      res.writeHead(405).end();
    });
  };
  const { key, cert } = selfSignedCert(hosts);
  const tls = opts.h2
    ? (http2.createSecureServer({ key, cert, allowHTTP1: true }, handler as never) as unknown as https.Server)
    : https.createServer({ key, cert }, handler);
  const plain = http.createServer(handler);
  for (const s of [tls, plain]) s.on('upgrade', (req, socket) => webSocket(req, socket as Socket, received));
  await Promise.all([tls, plain].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const httpsPort = (tls.address() as AddressInfo).port;
  const httpPort = (plain.address() as AddressInfo).port;
  return {
    httpsPort,
    httpPort,
    url: (host, path = '/') => `https://${host}:${httpsPort}${path}`,
    received,
    clear: () => void received.splice(0),
    close: () =>
      Promise.all(
        [tls, plain].map((s) => new Promise<void>((r) => (s.closeAllConnections?.(), s.close(() => r())))),
      ).then(() => undefined),
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** /log/… (GET, or a beacon's POST): text carried by a URL (suggest requests, pixels, event streams), recorded decoded. */
function logUrl(out: Arrival[], host: string, url: URL, res: http.ServerResponse): void {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  const text = `${decode(url.pathname)}\n${decode(url.search.slice(1))}`;
  out.push({ host, path: url.pathname, channel: url.searchParams.get('ch'), kind: 'text', name: null, size: text.length, sha256: sha(Buffer.from(text)), text });
  const stream = url.pathname.startsWith('/log/events');
  res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'text/plain', 'cache-control': 'no-store' });
  res.end(stream ? 'data: ok\n\n' : 'ok');
}

/** GET /t/NAME: a technique page or its worker script from pages/ (names are plain: no folders). */
function servePage(name: string, res: http.ServerResponse): void {
  if (!/^[\w.-]+\.(html|js)$/.test(name)) return void res.writeHead(404).end();
  let body: Buffer;
  try {
    body = readFileSync(new URL(name, PAGES));
  } catch {
    return void res.writeHead(404).end();
  }
  const type = name.endsWith('.js') ? 'text/javascript' : 'text/html';
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}

/** Records one request body: each multipart part, or the whole body. */
export function record(out: Arrival[], host: string, url: URL, type: string, body: Buffer): void {
  const base = { host, path: url.pathname, channel: url.searchParams.get('ch') };
  const boundary = /multipart\/form-data;.*boundary=("?)([^";]+)\1/i.exec(type)?.[2];
  if (boundary) {
    for (const part of multipart(body, boundary)) {
      const file = /filename="([^"]*)"/i.exec(part.headers)?.[1];
      out.push({
        ...base,
        kind: file !== undefined ? 'file' : 'text',
        name: file !== undefined ? decodeURIComponent(escape(file)) : null,
        size: part.body.length,
        sha256: sha(part.body),
        text: file === undefined ? part.body.toString('utf8') : null,
      });
    }
    return;
  }
  const textual = /^(text\/|application\/(json|x-www-form-urlencoded))/i.test(type);
  const name = url.searchParams.get('name');
  out.push({
    ...base,
    kind: name !== null || !textual ? 'file' : 'text',
    name,
    size: body.length,
    sha256: sha(body),
    text: textual ? body.toString('utf8') : null,
  });
}

function multipart(body: Buffer, boundary: string): { headers: string; body: Buffer }[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: { headers: string; body: Buffer }[] = [];
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.slice(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    const chunk = body.slice(start + 2, next - 2); // drop CRLF after the delimiter and before the next
    const split = chunk.indexOf('\r\n\r\n');
    parts.push({ headers: chunk.slice(0, split).toString('latin1'), body: chunk.slice(split + 4) });
    at = next;
  }
  return parts;
}

/** Just enough of RFC 6455 to record frames (unfragmented, masked client frames). */
function webSocket(req: http.IncomingMessage, socket: Socket, out: Arrival[]): void {
  const key = req.headers['sec-websocket-key'];
  if (!key) return void socket.destroy();
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  let buf = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (buf[1] & 0x80) !== 0;
      const total = off + (masked ? 4 : 0) + len;
      if (buf.length < total) return;
      const mask = masked ? buf.slice(off, off + 4) : null;
      const payload = Buffer.from(buf.slice(off + (masked ? 4 : 0), total));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      buf = buf.slice(total);
      if (op === 8) return void socket.end();
      if (op === 1 || op === 2) {
        out.push({
          host,
          path: '/ws',
          channel: 'websocket',
          kind: op === 1 ? 'text' : 'file',
          name: null,
          size: payload.length,
          sha256: sha(payload),
          text: op === 1 ? payload.toString('utf8') : null,
        });
      }
    }
  });
  socket.on('error', () => undefined);
}
