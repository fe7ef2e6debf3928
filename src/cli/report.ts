/**
 * `upload-guard report [--from 2026-11-01 --to 2026-12-01] [--format pdf|html|csv] [--tz Asia/Tokyo]
 *   [--lang ja|en] [--out FILE] [--url http://127.0.0.1:8787] [--token T]`
 *
 * Downloads the periodic report (guideline 5-1) from a collector (GET /v1/admin/report). Plain dates are
 * local dates in --tz (default: this machine's zone); without --from/--to, the last calendar month.
 * Writes to --out, or to stdout (not a PDF to a terminal). Exit codes: 0 done, 2 usage or HTTP error.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { REPORT_LANGS } from '../collector/report/i18n.js';
import { localTimeZone, validTimeZone } from '../collector/report/range.js';

const FORMATS = ['pdf', 'html', 'csv'];

const USAGE = `usage: upload-guard report [--from 2026-11-01 --to 2026-12-01] [--format pdf|html|csv]
       [--tz Asia/Tokyo] [--lang ja|en] [--out FILE]
       [--url http://127.0.0.1:8787] [--token ADMIN-TOKEN | env UPLOAD_GUARD_ADMIN_TOKEN]
Dates are local dates in --tz (default: this machine's time zone, ${localTimeZone()}); --to is exclusive.
Without --from and --to: the last calendar month. Default format pdf, language ja.`;

export async function run(argv: string[], out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'pdf' },
        tz: { type: 'string' },
        lang: { type: 'string', default: 'ja' },
        out: { type: 'string', short: 'o' },
        url: { type: 'string', default: 'http://127.0.0.1:8787' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`upload-guard report: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const fail = (msg: string) => {
    console.error(`upload-guard report: ${msg}`);
    return 2;
  };
  const tz = v.tz ?? localTimeZone();
  if (!FORMATS.includes(v.format!)) return fail(`--format must be one of ${FORMATS.join(', ')}, got ${v.format}`);
  if (!REPORT_LANGS.includes(v.lang as 'ja')) return fail(`--lang must be ja or en, got ${v.lang}`);
  if (!validTimeZone(tz)) return fail(`--tz: unknown time zone: ${tz}`);
  if ((v.from === undefined) !== (v.to === undefined)) return fail('give both --from and --to, or neither for last month');
  const token = v.token || process.env.UPLOAD_GUARD_ADMIN_TOKEN;
  if (!token) return fail('no admin token: pass --token or set UPLOAD_GUARD_ADMIN_TOKEN');
  if (!v.out && v.format === 'pdf' && out.isTTY) return fail('a PDF is not for the terminal: pass --out report.pdf or redirect stdout');
  let url: URL;
  try {
    url = new URL('/v1/admin/report', v.url);
  } catch {
    return fail(`--url is not a URL: ${v.url}`);
  }
  for (const [k, val] of Object.entries({ from: v.from, to: v.to, tz, format: v.format, lang: v.lang })) if (val !== undefined) url.searchParams.set(k, val);
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    return fail(`cannot reach the collector at ${url.origin}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string; errors?: string[] };
    const hint = res.status === 401 || res.status === 403 ? ' (is this the ADMIN token?)' : '';
    return fail(`collector answered HTTP ${res.status}: ${body.errors?.join('; ') ?? body.error ?? res.statusText}${hint}`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (v.out) await writeFile(v.out, bytes);
  else await new Promise<void>((resolve, reject) => out.write(bytes, (err) => (err ? reject(err) : resolve())));
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  console.error(`upload-guard report: ${v.format} ${bytes.length} bytes${v.out ? ` written to ${v.out}` : ''}${name ? ` (${name})` : ''}`);
  return 0;
}
