/**
 * The admin web page's assets. The page is written in TSX (src/collector/admin/) and bundled with
 * esbuild in memory when the collector starts, so `npm start` and `upload-guard collector` need no
 * separate build step. The HTML shell loads one script and one stylesheet from 'self', so the CSP can
 * forbid every inline script and style.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface AdminAssets {
  html: string;
  js: string;
  css: string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

let cached: Promise<AdminAssets> | null = null;

export function loadAdminAssets(): Promise<AdminAssets> {
  cached ??= build().catch((err) => {
    cached = null; // let a later request retry after the error has been reported
    throw err;
  });
  return cached;
}

async function build(): Promise<AdminAssets> {
  // esbuild is a dependency (tsx, which runs the collector from source, uses it too); imported lazily
  // so the API starts without waiting for the bundle.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [here('./admin/main.tsx')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]!.text;
  const [html, css] = await Promise.all([readFile(here('./admin/index.html'), 'utf8'), readFile(here('./admin/style.css'), 'utf8')]);
  return { html, js, css };
}

/** The admin page's CSP: nothing inline, nothing from elsewhere; it talks only to this collector. */
export const ADMIN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** For API responses: nothing may run or load. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
