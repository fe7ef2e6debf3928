#!/usr/bin/env node
// Every bare import resolves to a package this repository declares, not to one that happens to be
// installed because something else depends on it. Code that runs from source in production (src/,
// bin/: the collector and the command line run through tsx) must use `dependencies`; build tooling,
// the extension (bundled at build time), tests and benchmarks may also use `devDependencies`.
// Type-only imports may name any declared package. Part of `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
const declared = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);
const builtins = new Set(builtinModules);

const DIRS = ['src', 'bin', 'extension', 'scripts', 'test', 'bench'];
const ROOT_FILES = ['vite.config.ts', 'vitest.config.ts', 'eslint.config.js'];
const RUNTIME_DIRS = ['src/', 'bin/'];
const SKIP_DIRS = new Set(['node_modules', 'fixtures']);
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
// `import x from 'm'`, `export … from 'm'`, `import 'm'`, `import('m')`, `/// <reference types="m" />`.
const IMPORT = /(?:\b(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bimport\s*\(\s*)['"]([^'"]+)['"]|\/\/\/\s*<reference\s+types="([^"]+)"/g;

function* files(dir) {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* files(path);
    } else if (SOURCE.test(e.name)) yield path;
  }
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; relative, builtin and query imports → null. */
function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? null : name;
}

const problems = [];
for (const file of [...DIRS.flatMap((d) => [...files(d)]), ...ROOT_FILES]) {
  // Comments out (they may quote imports), `///` directives kept.
  const text = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/(?!\/).*$/gm, '');
  const atRuntime = RUNTIME_DIRS.some((d) => file.startsWith(d));
  for (const m of text.matchAll(IMPORT)) {
    const typeOnly = Boolean(m[2]) || Boolean(m[4]);
    const name = packageOf(m[3] ?? m[4]);
    if (!name) continue;
    // @types/x serves `x`; a type-only import is satisfied by either.
    const ok = typeOnly ? declared.has(name) || declared.has(`@types/${name.replace(/^@/, '').replace('/', '__')}`) : atRuntime ? runtime.has(name) : declared.has(name);
    if (!ok) problems.push(`${relative(root, join(root, file))}: imports '${name}', which package.json does not declare${atRuntime && declared.has(name) ? ' in dependencies (this code runs from source in production)' : ''}`);
  }
}
for (const p of problems) console.error(p);
if (problems.length) process.exit(1);
console.log('check-deps: every bare import is declared in package.json');
