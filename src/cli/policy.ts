/**
 * `upload-guard policy`: what the extension will run with, and the files that deploy it.
 *   policy                  the shipped defaults (services, actions, limits) as JSON
 *   policy check FILE       validate a policy file; exit 0 when every value is valid, 2 otherwise
 *   policy effective FILE   the effective policy: FILE merged over the defaults
 *   policy chromium FILE    the file wrapped for /etc/chromium/policies/managed (and Chrome's equivalent)
 *   policy files FILE --out DIR [options]
 *                           deployment files for every platform (see USAGE)
 * FILE is JSON or YAML.
 */
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DeployError, HARDENING, TARGETS, hardeningLines, policyFiles, resolveOptions, type DeployRequest, type Target } from '../deploy/index.js';
import { EXTENSION_ID, defaultPolicy } from '../policy/index.js';
import { loadPolicyFile } from './policy-file.js';

const USAGE = `Usage: upload-guard policy [check|effective|chromium FILE]
       upload-guard policy files FILE --out DIR [options]

  policy                  print the shipped defaults as JSON
  policy check FILE       validate a policy file (JSON or YAML); exit 0 when valid, 2 otherwise
  policy effective FILE   print FILE merged over the defaults
  policy chromium FILE    print FILE wrapped for /etc/chromium/policies/managed
  policy files FILE --out DIR
                          write deployment files: Chrome/Chromium/Edge on Linux (JSON), Windows (.reg),
                          macOS (.mobileconfig), Firefox (policies.json), and README.txt (ja/en).
                          Any problem in FILE is fatal (exit 2): nothing is generated that a browser
                          would drop without a word.

Options of 'files':
  --out DIR                  where to write (created if missing)
  --targets LIST             some of ${TARGETS.join(',')} (default: all)
  --update-url URL           Chrome/Edge update manifest
                             (default: <collectorUrl>/extension/updates.xml?token=<ingestToken>)
  --webstore                 install from the Chrome Web Store and Edge Add-ons instead
  --firefox-install-url URL  the signed .xpi
                             (default: <collectorUrl>/extension/upload-guard.xpi?token=<ingestToken>)
  --extension-id ID          the Chrome/Edge extension ID of a CRX signed with your own key, or the ID the
                             Chrome Web Store assigned (required with --webstore; 32 letters a-p)
  --edge-extension-id ID     with --webstore: the ID Edge Add-ons assigned (else Edge installs from the
                             Chrome Web Store)
  --gecko-id ID              the Firefox add-on id of your own signed build
  --harden NAME              turn a hardening setting on (repeatable, or NAME,NAME)
  --no-harden NAME           turn a hardening setting off (repeatable)
  --allow-extension ID       keep another extension (Chrome/Edge ID or Firefox id) allowed when
                             other-extensions blocks the rest (repeatable)

Hardening settings: ${HARDENING.map((h) => `${h.name} (${h.default ? 'on' : 'off'})`).join(', ')}.`;

/**
 * A collector reached over plain HTTP beyond this machine: the ingest token and every event would cross
 * the network readable by anyone on the path. Allowed (a lab, a first trial), but said out loud.
 */
export function cleartextCollector(url: string | undefined): string | null {
  if (!url) return null;
  const u = new URL(url);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  return u.protocol === 'http:' && !local
    ? `collectorUrl ${u.origin} is plain HTTP: the ingest token and events travel unencrypted. Put the collector behind a TLS proxy and use https://.`
    : null;
}

const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

/** One line, whatever a hostile policy value put into a message. */
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

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
  if (verb === 'files') return files(argv.slice(1));
  if (!['check', 'effective', 'chromium'].includes(verb) || !file || rest.length) {
    process.stderr.write(`upload-guard policy: ${USAGE}\n`);
    return 2;
  }
  let loaded;
  try {
    loaded = await loadPolicyFile(file);
  } catch (err) {
    process.stderr.write(`upload-guard policy: ${file}: ${oneLine((err as Error).message)}\n`);
    return 2;
  }
  for (const p of loaded.problems) process.stderr.write(`${file}: ${oneLine(p)}\n`);
  if (verb === 'check') {
    if (!loaded.problems.length) process.stdout.write(`${file}: valid\n`);
    return loaded.problems.length ? 2 : 0;
  }
  if (verb === 'effective') print(loaded.effective);
  else print({ '3rdparty': { extensions: { [EXTENSION_ID]: loaded.managed } } });
  return loaded.problems.length ? 2 : 0;
}

interface FilesArgs {
  file: string;
  out: string;
  targets: Target[];
  request: DeployRequest;
}

const VALUE_OPTIONS = ['--out', '--targets', '--update-url', '--firefox-install-url', '--extension-id', '--edge-extension-id', '--gecko-id', '--harden', '--no-harden', '--allow-extension'];

/** The arguments of `policy files`, or the one-line problems with them. */
export function parseFilesArgs(argv: string[]): FilesArgs | string[] {
  const problems: string[] = [];
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  let webstore = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--webstore') {
      webstore = true;
      continue;
    }
    if (!a.startsWith('--') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!VALUE_OPTIONS.includes(name)) {
      problems.push(`unknown option ${name}`);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = a.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    if (value === undefined || value === '') {
      problems.push(`${name} needs a value`);
      continue;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const single = (name: string): string | undefined => {
    const v = values.get(name);
    if (v && v.length > 1) problems.push(`${name} given more than once`);
    return v?.[0];
  };
  if (positional.length !== 1) problems.push(positional.length ? `one policy FILE expected, got ${positional.length}` : 'no policy FILE given');
  const out = single('--out');
  if (!out) problems.push('--out DIR is required');
  let targets: Target[] = [...TARGETS];
  const t = values.get('--targets');
  if (t) {
    const names = t.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
    const all = names.includes('all');
    for (const n of names) if (n !== 'all' && !(TARGETS as readonly string[]).includes(n)) problems.push(`--targets: unknown target ${JSON.stringify(n)} (expected ${TARGETS.join(', ')})`);
    targets = all ? [...TARGETS] : TARGETS.filter((x) => names.includes(x));
    if (!targets.length && !problems.length) problems.push('--targets: no target given');
  }
  const request: DeployRequest = {
    updateUrl: single('--update-url'),
    webstore,
    firefoxInstallUrl: single('--firefox-install-url'),
    extensionId: single('--extension-id'),
    edgeExtensionId: single('--edge-extension-id'),
    geckoId: single('--gecko-id'),
    harden: values.get('--harden'),
    noHarden: values.get('--no-harden'),
    allowExtensions: values.get('--allow-extension'),
  };
  if (problems.length) return problems;
  return { file: positional[0], out: out!, targets, request };
}

/** Hides the ingest token in URLs shown on the terminal. */
const masked = (url: string): string => url.replace(/([?&]token=)[^&#]*/g, '$1…');

/** The real path of `path`, or of its nearest ancestor that exists. */
async function realAncestor(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return await realpath(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw err;
    }
  }
}

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Writes `content` at `rel` under `root` (a real path), refusing anything that would land outside it,
 * also through a symbolic link already in the folder (checked before any folder is created).
 */
async function writeInside(root: string, rel: string, content: string | Uint8Array): Promise<void> {
  const target = resolve(root, rel);
  const r = relative(root, target);
  if (!r || r === '..' || r.startsWith('..' + sep) || isAbsolute(r)) throw new Error(`refusing to write ${rel}: outside the output folder`);
  const refuse = () => new Error(`refusing to write ${rel}: ${dirname(target)} leads outside the output folder`);
  if (!inside(root, await realAncestor(dirname(target)))) throw refuse();
  await mkdir(dirname(target), { recursive: true });
  if (!inside(root, await realpath(dirname(target)))) throw refuse();
  await writeFile(target, content);
}

async function files(argv: string[]): Promise<number> {
  const err = (line: string) => process.stderr.write(`upload-guard policy files: ${oneLine(line)}\n`);
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const args = parseFilesArgs(argv);
  if (Array.isArray(args)) {
    for (const p of args) err(p);
    process.stderr.write(`Run 'upload-guard policy --help' for the options.\n`);
    return 2;
  }
  let loaded;
  try {
    loaded = await loadPolicyFile(args.file);
  } catch (e) {
    err(`${args.file}: ${(e as Error).message}`);
    return 2;
  }
  if (loaded.problems.length) {
    for (const p of loaded.problems) process.stderr.write(`${args.file}: ${oneLine(p)}\n`);
    err(`${args.file}: ${loaded.problems.length} problem(s); nothing written`);
    return 2;
  }
  let generated;
  let options;
  try {
    options = resolveOptions(loaded.managed, args.request, args.targets);
    generated = policyFiles(loaded.managed, options, args.targets);
  } catch (e) {
    if (!(e instanceof DeployError)) throw e;
    for (const p of e.problems) err(p);
    err('nothing written');
    return 2;
  }
  let root: string;
  try {
    await mkdir(args.out, { recursive: true });
    root = await realpath(args.out);
    for (const f of generated) await writeInside(root, f.path, f.content);
  } catch (e) {
    err(`${args.out}: ${(e as Error).message}`);
    return 1;
  }
  const width = Math.max(...generated.map((f) => f.path.length));
  const lines = [`Wrote ${generated.length} files to ${root}:`, ''];
  for (const f of generated) lines.push(`  ${f.path.padEnd(width)}  → ${f.installTo}`);
  lines.push('');
  if (options.updateUrl && args.targets.some((t) => t !== 'firefox')) {
    lines.push(`Chrome/Chromium installs from: ${masked(options.updateUrl.chrome)}`);
    lines.push(`Edge installs from:            ${masked(options.updateUrl.edge)}`);
  }
  if (options.firefoxInstallUrl && args.targets.includes('firefox')) lines.push(`Firefox installs from:         ${masked(options.firefoxInstallUrl)}`);
  const cleartext = cleartextCollector(loaded.managed.collectorUrl);
  if (cleartext) lines.push('', `Warning: ${cleartext}`);
  lines.push('', 'Hardening (--harden NAME / --no-harden NAME; README.txt has this in Japanese too):');
  lines.push(...hardeningLines(options, args.targets, 'en'));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
