#!/usr/bin/env node
// `npm test`: every test. Installs and starts what the tests need from the OS when running as
// root (Chromium, PostgreSQL: scripts/ci-system.sh), type-checks every project (`tsc -b`) and lints
// (`npm run lint`), builds the extension (Chromium and Firefox), runs the unit, integration and
// real-browser suites, and ends with one plain line "N passed, N failed".
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
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

/**
 * The suites in three lanes run side by side: the unit project, and the real-browser files in two
 * halves of about ten minutes each (the technique suites; the rest). Each browser lane gets its own
 * Chromium policy folder (a private mount over /etc/chromium/policies), since every Chromium on the
 * machine reads that one folder and the suites write their managed policy there. Run one after the
 * other, the browser files alone took 24 of a 36-minute CI run.
 */
const BROWSER_FIRST = ['test/e2e/techniques/', 'test/e2e/hooks-techniques.test.ts'];
const LANES = [
  { name: 'unit', args: ['--project', 'unit'] },
  { name: 'e2e-1', args: ['--project', 'e2e', ...BROWSER_FIRST], policies: true },
  { name: 'e2e-2', args: ['--project', 'e2e', ...BROWSER_FIRST.map((f) => `--exclude=**/${f}${f.endsWith('/') ? '**' : ''}`)], policies: true },
];

/** In a new mount namespace (`unshare -m`): the folder given as $0 over the policy folder, then the command. */
const OWN_POLICIES = 'mount --bind "$0" /etc/chromium/policies && exec "$@"';

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
const tmp = mkdtempSync(join(tmpdir(), 'ug-test-'));
const lanes = isolatable() ? LANES : [{ name: '', args: [] }];
const results = await Promise.all(lanes.map((lane) => runLane(lane, lanes.length > 1)));
let passed = 0;
let failed = 0;
const files = [];
for (const { status, report } of results) {
  if (!report) {
    // vitest crashed before writing its report: the exit status says enough
    failed += 1;
    continue;
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests + (status !== 0 && report.numFailedTests === 0 ? 1 : 0);
  files.push(...report.testResults);
}
printFailures(files);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);

/**
 * Every failure again, in run order, one line each, right before the totals: a CI log is often read
 * from its tail, and the first failure (the one that may have caused the others) must be in it.
 */
function printFailures(testResults) {
  const lines = [];
  const rel = (f) => f.replace(`${root}/`, '');
  const first = (m) => String(m ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? '';
  for (const file of [...testResults].sort((a, b) => a.startTime - b.startTime)) {
    if (file.status === 'failed' && file.message) lines.push(`${rel(file.name)}: ${first(file.message)}`);
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'failed') lines.push(`${rel(file.name)} > ${t.fullName}: ${first(t.failureMessages?.[0])}`);
    }
  }
  if (lines.length) console.log(`\nFailed, in the order the files ran:\n${lines.map((l) => `  ${l.slice(0, 300)}`).join('\n')}`);
}

/**
 * Lanes need root (a mount namespace per browser lane) and a whole run: arguments given to `npm test`
 * (a file, a filter) run as one vitest, as before.
 */
function isolatable() {
  if (process.argv.length > 2 || process.getuid?.() !== 0) return false;
  try {
    mkdirSync('/etc/chromium/policies', { recursive: true });
    // The very command a lane runs, over the run's own folder: a container may allow one and not the other.
    return spawnSync('unshare', ['-m', 'sh', '-c', OWN_POLICIES, tmp, 'true']).status === 0;
  } catch {
    return false;
  }
}

/**
 * One vitest, its output line by line under the lane's name (lanes write at once), its JSON report
 * read back. A browser lane runs in its own mount namespace where /etc/chromium/policies is a fresh
 * folder of its own.
 */
async function runLane(lane, tagged) {
  const file = join(tmp, `vitest${lane.name ? `-${lane.name}` : ''}.json`);
  const vitest = ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`, ...lane.args, ...process.argv.slice(2)];
  let cmd = vitest;
  if (lane.policies) {
    const dir = join(tmp, `policies-${lane.name}`);
    mkdirSync(join(dir, 'managed'), { recursive: true });
    cmd = ['unshare', '-m', 'sh', '-c', OWN_POLICIES, dir, ...vitest];
  }
  const child = spawn(cmd[0], cmd.slice(1), { cwd: root, env, stdio: ['ignore', tagged ? 'pipe' : 'inherit', tagged ? 'pipe' : 'inherit'] });
  if (tagged) {
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      createInterface({ input: from }).on('line', (line) => to.write(`[${lane.name}] ${line}\n`));
    }
  }
  const status = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  let report = null;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* no report: counted as a failure by the caller */
  }
  return { status, report };
}
