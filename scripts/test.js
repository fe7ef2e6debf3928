#!/usr/bin/env node
// `npm test`: every test. Installs and starts what the tests need from the OS when running as
// root (Chromium, PostgreSQL: scripts/ci-system.sh), type-checks every project (`tsc -b`) and lints
// (`npm run lint`), builds the extension (Chromium and Firefox), runs the unit, integration and
// real-browser suites, and ends with one plain line "N passed, N failed".
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env };

if (!env.UPLOAD_GUARD_TEST_PG && process.getuid?.() === 0) {
  env.UPLOAD_GUARD_TEST_PG = execFileSync(join(root, 'scripts/ci-system.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop();
}
if (!env.UPLOAD_GUARD_TEST_PG) console.warn('npm test: UPLOAD_GUARD_TEST_PG is not set; the PostgreSQL storage suite will be skipped.');

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' }).status ?? 1;

// A type or lint error fails the run before any test: the compiler is what keeps the core free of Node
// and browser APIs.
for (const [cmd, args] of [['npx', ['tsc', '-b']], ['npm', ['run', '--silent', 'lint']]]) {
  if (run(cmd, args) !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

// Both builds before any test: suites read dist/ and dist-firefox/ in parallel and must never see a half-written one.
for (const browser of ['chrome', 'firefox']) {
  if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, env: { ...env, BROWSER: browser }, stdio: 'inherit' }).status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
const report = join(mkdtempSync(join(tmpdir(), 'ug-test-')), 'vitest.json');
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
let passed = 0;
let failed = status === 0 ? 0 : 1;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (status !== 0 && r.numFailedTests === 0 ? 1 : 0);
  printFailures(r);
} catch {
  /* vitest crashed before writing its report: the exit status says enough */
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status);

/**
 * Every failure again, in run order, one line each, right before the totals: a CI log is often read
 * from its tail, and the first failure (the one that may have caused the others) must be in it.
 */
function printFailures(r) {
  const lines = [];
  const rel = (f) => f.replace(`${root}/`, '');
  const first = (m) => String(m ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? '';
  for (const file of [...r.testResults].sort((a, b) => a.startTime - b.startTime)) {
    if (file.status === 'failed' && file.message) lines.push(`${rel(file.name)}: ${first(file.message)}`);
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'failed') lines.push(`${rel(file.name)} > ${t.fullName}: ${first(t.failureMessages?.[0])}`);
    }
  }
  if (lines.length) console.log(`\nFailed, in the order the files ran:\n${lines.map((l) => `  ${l.slice(0, 300)}`).join('\n')}`);
}
