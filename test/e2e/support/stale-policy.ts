/**
 * Runs before every e2e test file (vitest `setupFiles`). Every Chromium on the machine reads
 * /etc/chromium/policies/managed, and the suites write their policy there as `upload-guard-*.json`.
 * A file that dies before its cleanup (a hook timeout, a killed worker) would leave its policy behind
 * and turn every later file red for a reason that has nothing to do with them. Files run one at a time
 * (`fileParallelism: false`), so whatever is left at the start of a file is stale: it is removed, and
 * named, so the file that left it can be found in the log. The deployed `upload-guard.json` is never
 * touched (no dash after the name).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const POLICY_DIR = '/etc/chromium/policies/managed';

let names: string[] = [];
try {
  names = readdirSync(POLICY_DIR);
} catch {
  /* no policy folder: nothing was left */
}
for (const name of names.filter((n) => /^upload-guard-.+\.json$/.test(n))) {
  console.warn(`e2e setup: removing a policy file left by an earlier test file: ${join(POLICY_DIR, name)}`);
  rmSync(join(POLICY_DIR, name), { force: true });
}
