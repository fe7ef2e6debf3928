/** One row of `npm run bench` output, shared by every benchmark so the report is one table. */
export interface Row {
  area: string;
  case: string;
  ours: string;
  baseline?: string;
  ratio?: number;
  target?: string;
  met?: boolean;
}

export function printTable(rows: Row[]): void {
  const cols: [keyof Row, string][] = [
    ['area', 'area'], ['case', 'case'], ['ours', 'ours'], ['baseline', 'baseline'], ['ratio', 'ratio'], ['target', 'target'], ['met', 'met'],
  ];
  const cell = (r: Row, k: keyof Row) => {
    const v = r[k];
    if (v === undefined) return '';
    if (k === 'ratio') return (v as number).toFixed(2);
    if (k === 'met') return v ? 'yes' : 'NO';
    return String(v);
  };
  const widths = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => cell(r, k).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ');
  console.log(line(cols.map(([, h]) => h)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map(([k]) => cell(r, k))));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
