/**
 * `npm run bench`: every benchmark of the product in one run, each side by side with its
 * baseline measured in the same run. Figures, not pass/fail tests: a missed target is printed, not thrown.
 */
import { printTable, type Row } from './table.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

const suites: [string, () => Promise<Row[]>][] = [
  ['engine', async () => (await import('./engine.js')).runEngineBench()],
  ['mail', async () => (await import('./engine-mail.js')).runMailBench()],
  ['engine-archives', async () => (await import('./engine-archives.js')).runArchiveBench()],
  ['limits', async () => (await import('./engine-limits.js')).runLimitsBench()],
  ['collector', async () => (await import('./collector.js')).runCollectorBench()],
  ['report', async () => (await import('./report.js')).runReportBench()],
  ['page-text', async () => (await import('./page-text.js')).runPageTextBench()],
  ['browser', async () => (await import('./upload-latency.js')).runUploadLatencyBench()],
  ['pages', async () => (await import('./pages.js')).runPagesBench()],
  ['typing', async () => (await import('./typing.js')).runTypingBench()],
  ['encoded', async () => (await import('./encoded.js')).runEncodedBench()],
  ['webrequest', async () => (await import('./webrequest-cost.js')).runWebRequestBench()],
];

const rows: Row[] = [];
for (const [name, run] of suites) {
  if (!wanted(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  try {
    rows.push(...(await run()));
  } catch (err) {
    rows.push({ area: name, case: 'FAILED', ours: String((err as Error).message ?? err).slice(0, 120) });
  }
}
printTable(rows);
