/**
 * `upload-guard policy`: what the extension will run with.
 *   policy                  the shipped defaults (services, actions, limits) as JSON
 *   policy check FILE       validate a policy file; exit 0 when every value is valid, 2 otherwise
 *   policy effective FILE   the effective policy: FILE merged over the defaults
 *   policy chromium FILE    the file wrapped for /etc/chromium/policies/managed (and Chrome's equivalent)
 */
import { EXTENSION_ID, defaultPolicy } from '../policy/index.js';
import { loadPolicyFile } from './policy-file.js';

const USAGE = `Usage: upload-guard policy [check|effective|chromium FILE]`;

const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

export async function run(argv: string[]): Promise<number> {
  const [verb, file, ...rest] = argv;
  if (!verb) {
    print(defaultPolicy());
    return 0;
  }
  if (verb === '-h' || verb === '--help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!['check', 'effective', 'chromium'].includes(verb) || !file || rest.length) {
    process.stderr.write(`upload-guard policy: ${USAGE}\n`);
    return 2;
  }
  let loaded;
  try {
    loaded = await loadPolicyFile(file);
  } catch (err) {
    process.stderr.write(`upload-guard policy: ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  for (const p of loaded.problems) process.stderr.write(`${file}: ${p}\n`);
  if (verb === 'check') {
    if (!loaded.problems.length) process.stdout.write(`${file}: valid\n`);
    return loaded.problems.length ? 2 : 0;
  }
  if (verb === 'effective') print(loaded.effective);
  else print({ '3rdparty': { extensions: { [EXTENSION_ID]: loaded.managed } } });
  return loaded.problems.length ? 2 : 0;
}
