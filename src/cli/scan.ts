/**
 * `upload-guard scan PATH…`: one line (or one NDJSON object) per file.
 * Exit 0 when every file is clean, 1 when any is marked, 2 when any is unscannable or on a
 * usage error (like grep, an incomplete answer outranks a finding).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileBlob } from './file-blob.js';
import { loadPolicyFile } from './policy-file.js';
import { describeLocation, scanBlob, type Designated, type Limits, type ScanResult } from '../detect/index.js';
import { whereWords } from '../detect/describe.js';
import { inertText } from '../events/inert.js';
import { safeJson } from '../events/encode.js';

const HELP = `Usage: upload-guard scan [--json] [--policy FILE] PATH…

Scans files and folders (recursively) and prints one verdict per file:
  marked       rule 1 (「秘 Confidential」 stamp), 2 (file name 「秘—…」/「C—…」) or 3 (designated by policy)
  clean        everything readable was read; nothing matched
  unscannable  encrypted, corrupt, too large, too deep, suspected archive bomb, or over the time budget

Options:
  --json         NDJSON: one object per file {file, verdict, rule, reason, location, …}
  --policy FILE  a policy JSON (as deployed to the extension): its "designated" rules and "limits" apply
  -h, --help     this help

Exit status: 0 all clean, 1 some file marked, 2 some file unscannable (or a usage error).`;

interface Args {
  json: boolean;
  policy?: string;
  paths: string[];
}

function parse(argv: string[]): Args | string {
  const args: Args = { json: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--policy') {
      if (!argv[i + 1]) return '--policy needs a file';
      args.policy = argv[++i];
    } else if (a.startsWith('--policy=')) args.policy = a.slice(9);
    else if (a === '--') {
      args.paths.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else args.paths.push(a);
  }
  return args.paths.length ? args : 'no PATH given';
}

export interface ScanPolicy {
  designated?: Partial<Designated>;
  limits?: Partial<Limits>;
}

async function loadPolicy(file: string): Promise<ScanPolicy> {
  const { effective, problems } = await loadPolicyFile(file);
  for (const p of problems) process.stderr.write(`upload-guard scan: ${inertText(file)}: ignored ${inertText(p)}\n`);
  return { designated: effective.designated, limits: effective.limits };
}

/** Files under `path`, depth-first in name order; symbolic links to folders are not followed. */
async function* walk(path: string): AsyncGenerator<string> {
  const s = await stat(path);
  if (!s.isDirectory()) {
    yield path;
    return;
  }
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const args = parse(argv);
  if (typeof args === 'string') {
    process.stderr.write(`upload-guard scan: ${inertText(args)}\n\n${HELP}\n`);
    return 2;
  }
  let policy: ScanPolicy = {};
  if (args.policy) {
    try {
      policy = await loadPolicy(args.policy);
    } catch (err) {
      process.stderr.write(`upload-guard scan: cannot use policy ${inertText(args.policy)}: ${inertText((err as Error).message)}\n`);
      return 2;
    }
  }
  const progress = await Progress.maybe(args.paths);
  let marked = false;
  let unscannable = false;
  for (const root of args.paths) {
    let files: AsyncGenerator<string>;
    try {
      await stat(root);
      files = walk(root);
    } catch {
      process.stderr.write(`upload-guard scan: ${inertText(root)}: no such file or folder\n`);
      unscannable = true;
      continue;
    }
    for await (const file of files) {
      progress?.tick(file);
      const result = await scanFile(file, policy);
      progress?.clear();
      marked ||= result.verdict === 'marked';
      unscannable ||= result.verdict === 'unscannable';
      process.stdout.write((args.json ? safeJson(toJson(file, result)) : toLine(file, result)) + '\n');
    }
  }
  progress?.done();
  return unscannable ? 2 : marked ? 1 : 0;
}

async function scanFile(file: string, policy: ScanPolicy): Promise<ScanResult> {
  try {
    const { blob, close } = await openFileBlob(file);
    try {
      return await scanBlob(blob, file, { ...policy, hash: true });
    } finally {
      await close();
    }
  } catch (err) {
    return { verdict: 'unscannable', reason: 'corrupt', detail: `cannot read: ${(err as Error).message}`, format: 'unknown', size: 0, ms: 0 };
  }
}

export function toJson(file: string, r: ScanResult) {
  return {
    file,
    verdict: r.verdict,
    rule: r.verdict === 'marked' ? r.rule : null,
    reason: r.verdict === 'clean' ? null : r.reason,
    location: r.verdict === 'clean' ? null : describeLocation(r.location, 'en') || null,
    where: r.verdict === 'clean' ? null : (r.location ?? null),
    excerpt: r.verdict === 'marked' ? r.excerpt : null,
    detail: r.verdict === 'unscannable' ? r.detail : null,
    format: r.format,
    size: r.size,
    sha256: r.sha256 ?? null,
    ms: r.ms,
  };
}

const REASON_WORDS: Record<string, string> = {
  stamp: 'stamp 「秘 Confidential」',
  name: 'file name',
  'name-pattern': 'designated name pattern',
  sha256: 'designated SHA-256',
  keyword: 'designated keyword',
  label: 'sensitivity label',
};

/**
 * A name on disk, a member's path and an excerpt are whatever the file's author wrote: escape sequences,
 * a CR/LF that starts a fake line, a right-to-left override. On the terminal they are shown, not obeyed.
 */
function toLine(file: string, r: ScanResult): string {
  const verdict = r.verdict.padEnd(11);
  const name = inertText(file);
  if (r.verdict === 'clean') return `${verdict} ${name}`;
  // Where, as the dialog says it ("in cell C3 of sheet “明細”", "on page 3"): describe.ts, the one home of those words.
  const where = inertText(whereWords(null, r.location, 'en').trim());
  if (r.verdict === 'unscannable') return `${verdict} ${name}  (${r.reason}: ${inertText(r.detail)}${where ? ` ${where}` : ''})`;
  const what = REASON_WORDS[r.reason] ?? r.reason;
  return `${verdict} ${name}  rule ${r.rule}, ${what}${where ? ` ${where}` : ''}: ${JSON.stringify(inertText(r.excerpt))}`;
}

/** A one-line progress bar on stderr, only for folders and only on a terminal. */
class Progress {
  private seen = 0;
  private constructor(private readonly total: number) {}

  static async maybe(paths: string[]): Promise<Progress | null> {
    if (!process.stderr.isTTY) return null;
    let folder = false;
    let total = 0;
    for (const p of paths) {
      try {
        folder ||= (await stat(p)).isDirectory();
        for await (const _ of walk(p)) total++;
      } catch {
        /* reported when scanned */
      }
    }
    return folder ? new Progress(total) : null;
  }

  tick(file: string): void {
    this.seen++;
    const width = 30;
    const filled = Math.round((this.seen / Math.max(this.total, 1)) * width);
    const shown = inertText(file);
    const name = shown.length > 40 ? '…' + shown.slice(-39) : shown;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.seen}/${this.total} ${name}\x1b[K`);
  }

  clear(): void {
    process.stderr.write('\r\x1b[K');
  }

  done(): void {
    this.clear();
  }
}
