/**
 * A site with a strict Content-Security-Policy, the kind a careful webmail sends:
 * `default-src 'self'; script-src 'self'; worker-src 'none'; frame-src 'none'; object-src 'none'`
 * (no inline script, no blob: or any worker, no WebAssembly, no frames). Its one page posts every
 * file picked in `#f` with fetch + FormData to /upload, like an attachment widget, and records what
 * arrives. `/?hostile=1` also removes every element the page did not create as soon as it appears
 * (what a page can do to the guard's hidden scan frame).
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './cert.js';

export const STRICT_CSP = "default-src 'self'; script-src 'self'; worker-src 'none'; frame-src 'none'; object-src 'none'";

const PAGE = `<!doctype html><meta charset="utf-8"><title>strict CSP</title>
<input id="f" type="file" multiple><script src="/app.js"></script>`;

const APP = `
window.__log = [];
if (location.search.includes('hostile')) {
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.localName !== 'upload-guard-warning') { n.remove(); window.__log.push('removed ' + n.localName); }
  }).observe(document.documentElement, { childList: true });
}
document.getElementById('f').addEventListener('change', (e) => {
  const fd = new FormData();
  for (const f of e.target.files) fd.append('file', f);
  window.__log.push('change ' + e.target.files.length);
  fetch('/upload', { method: 'POST', body: fd });
});`;

export interface Received {
  name: string;
  sha256: string;
}

export interface CspSite {
  url(host: string, path?: string): string;
  received: Received[];
  close(): Promise<void>;
}

export async function startCspSite(hosts: string[]): Promise<CspSite> {
  const received: Received[] = [];
  const { key, cert } = selfSignedCert(hosts);
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      if (req.method === 'POST' && path === '/upload') {
        received.push(...fileParts(Buffer.concat(chunks), String(req.headers['content-type'])));
        return void res.writeHead(200).end('ok');
      }
      const body = path === '/' ? PAGE : path === '/app.js' ? APP : null;
      if (body === null) return void res.writeHead(404).end();
      const type = path === '/' ? 'text/html; charset=utf-8' : 'text/javascript';
      res.writeHead(200, { 'content-type': type, 'content-security-policy': STRICT_CSP, 'cache-control': 'no-store' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (host, path = '/') => `https://${host}:${port}${path}`,
    received,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function fileParts(body: Buffer, type: string): Received[] {
  const boundary = /boundary=([^;]+)/.exec(type)?.[1];
  if (!boundary) return [];
  const out: Received[] = [];
  const sep = Buffer.from(`--${boundary}`);
  let at = body.indexOf(sep);
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const part = body.subarray(at + sep.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const name = /filename="([^"]*)"/.exec(part.subarray(0, split).toString('utf8'))?.[1];
    if (name !== undefined) out.push({ name, sha256: createHash('sha256').update(part.subarray(split + 4)).digest('hex') });
    at = next;
  }
  return out;
}
