/**
 * `upload-guard` command dispatch. Each command lives in its own module, loaded on demand so
 * `scan` starts without loading the collector's database drivers.
 */
const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  scan: () => import('./scan.js'),
  collector: () => import('./collector.js'),
  pull: () => import('./pull.js'),
  report: () => import('./report.js'),
  policy: () => import('./policy.js'),
};

const USAGE = `Usage: upload-guard <command> [options]

Commands:
  scan PATH…           decide whether files are marked confidential (exit 0 clean, 1 marked, 2 unscannable)
  collector            run the event collector (HTTP; SQLite by default, PostgreSQL with DATABASE_URL)
  pull --since 7d      download violation logs from a collector (csv, ndjson, json, ocsf)
  report               download the periodic report from a collector (pdf, html, csv; last month by default)
  policy               print the default policy, check a policy file (JSON or YAML), or generate
                       deployment files for Chrome/Edge/Firefox on Linux, Windows and macOS (policy files)

Run 'upload-guard <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? process.stdout : process.stderr).write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`upload-guard: unknown command '${command}'\n\n${USAGE}\n`);
    return 2;
  }
  return (await load()).run(rest);
}
