/**
 * `upload-guard scan` as a child process: exit codes, NDJSON, folder recursion, --policy,
 * usage errors, hostile file names.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { strToU8, zipSync } from 'fflate';

const ROOT = resolve(__dirname, '../..');
const OFFICE = join(ROOT, 'test/fixtures/office');

const cli = (...args: string[]) => runCli('scan', ...args);
const ndjson = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let dir: string;
const p = (...xs: string[]) => join(dir, ...xs);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ug-cli-'));
  mkdirSync(p('clean'));
  writeFileSync(p('clean', 'a.txt'), '社外秘ではない普通のメモ\n');
  copyFileSync(join(OFFICE, 'writer-traps.docx'), p('clean', 'traps.docx'));
  mkdirSync(p('mixed', 'sub', 'deeper'), { recursive: true });
  writeFileSync(p('mixed', 'a.txt'), 'hello\n');
  copyFileSync(join(OFFICE, 'calc-sheet2.xlsx'), p('mixed', 'sub', 'book.xlsx'));
  writeFileSync(p('mixed', 'sub', 'deeper', '秘—name.txt'), 'no stamp\n');
  copyFileSync(join(OFFICE, 'archives/enc-plain.zip'), p('enc.zip'));
  writeFileSync(p('project.txt'), 'Project Falcon: 来期の計画\n');
  writeFileSync(p('policy.json'), JSON.stringify({ designated: { keywords: ['falcon'] } }));
  writeFileSync(p('policy-wrapped.json'), JSON.stringify({ '3rdparty': { extensions: { abcdefghijklmnopabcdefghijklmnop: { designated: { keywords: ['falcon'] } } } } }));
  writeFileSync(p('bad-policy.json'), '{ "designated": { "keywords": [ "x" ] ');
  writeFileSync(p('array-policy.json'), '[]');
  mkdirSync(p('hostile'));
  writeFileSync(p('hostile', '<img src=x onerror=alert(1)>.txt'), '秘 Confidential\n');
  writeFileSync(p('hostile', '=HYPERLINK("x").csv'), 'a,b\n1,2\n');
  writeFileSync(p('hostile', 'line\nbreak "quote" \\ back.txt'), 'x\n');
  // Names that would drive a terminal: an OSC 8 hyperlink, BEL, a C1 CSI, CR/LF, a right-to-left override.
  mkdirSync(p('terminal'));
  writeFileSync(p('terminal', `${TERMINAL_NAME}.txt`), '秘 Confidential\n');
  writeFileSync(p('terminal', 'fake\r\nclean       line.txt'), 'x\n');
  writeFileSync(p('terminal', 'member.zip'), zipSync({ [`${TERMINAL_NAME}.txt`]: strToU8('秘 Confidential\n') }));
});
const TERMINAL_NAME = '\x1b]8;;http:evil\x07click\x1b]8;;\x07\x9b31m\u202eexe';
/** What a terminal would obey: C0 and C1 controls (tab aside), bidi overrides and isolates, line separators. */
const OBEYED = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exit status', () => {
  it('0 when every file is clean (a folder, recursively)', async () => {
    const r = await cli(p('clean'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^clean\s/);
  });
  it('1 when some file is marked; the line names rule, reason and where', async () => {
    const r = await cli(p('clean', 'a.txt'), join(OFFICE, 'calc-sheet2.xlsx'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^marked\s+\S*calc-sheet2\.xlsx\s+rule 1, stamp 「秘 Confidential」 in cell C3 of sheet “明細”/m);
  });
  it('2 when some file is unscannable, even if another is marked', async () => {
    const r = await cli(p('enc.zip'));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^unscannable .*enc\.zip\s+\(encrypted:/m);
    expect((await cli(p('enc.zip'), join(OFFICE, 'calc-sheet2.xlsx'))).code).toBe(2);
  });
  it.each([
    [[], /no PATH given/],
    [['--bogus', 'x'], /unknown option --bogus/],
    [['--policy'], /--policy needs a file/],
  ])('usage error %j → 2 with a message and the usage', async (args, msg) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toContain('Usage: upload-guard scan');
    expect(r.stdout).toBe('');
  });
  it('a missing file → 2 with "no such file or folder"; the other paths are still scanned', async () => {
    const r = await cli(p('does-not-exist.txt'), p('clean', 'a.txt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does-not-exist.txt: no such file or folder');
    expect(r.stdout).toMatch(/^clean\s+.*a\.txt$/m);
  });
  it('--help → 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit status: 0 all clean, 1 some file marked, 2 some file unscannable');
  });
});

describe('--json', () => {
  it('NDJSON, one object per file, depth-first in name order, with the documented fields', async () => {
    const r = await cli('--json', p('mixed'));
    expect(r.code).toBe(1);
    const rows = ndjson(r.stdout);
    expect(rows.map((x) => x.file)).toEqual([p('mixed', 'a.txt'), p('mixed', 'sub', 'book.xlsx'), p('mixed', 'sub', 'deeper', '秘—name.txt')]);
    for (const x of rows) for (const k of ['file', 'verdict', 'rule', 'reason', 'location', 'format', 'size', 'sha256']) expect(x).toHaveProperty(k);
    expect(rows[0]).toMatchObject({ verdict: 'clean', rule: null, reason: null, location: null, format: expect.stringMatching(/^text/) });
    expect(rows[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[1]).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', location: 'cell C3 of sheet “明細”', format: 'xlsx' });
    expect(rows[1].where).toMatchObject({ path: [], sheet: '明細', cell: 'C3' });
    expect(rows[2]).toMatchObject({ verdict: 'marked', rule: 2, reason: 'name', excerpt: '秘—name.txt' });
  });
  it('unscannable rows carry reason and detail', async () => {
    const [row] = ndjson((await cli('--json', p('enc.zip'))).stdout);
    expect(row).toMatchObject({ verdict: 'unscannable', rule: null, reason: 'encrypted', detail: expect.stringContaining('plain.txt') });
  });
  it('hostile file names are printed as they are, in valid JSON', async () => {
    const r = await cli('--json', p('hostile'));
    const rows = ndjson(r.stdout);
    const files = rows.map((x) => x.file);
    expect(files).toContain(p('hostile', '<img src=x onerror=alert(1)>.txt'));
    expect(files).toContain(p('hostile', '=HYPERLINK("x").csv'));
    expect(files).toContain(p('hostile', 'line\nbreak "quote" \\ back.txt'));
    expect(rows.find((x) => String(x.file).includes('<img'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.code).toBe(1);
  });
});

describe('names that would drive a terminal', () => {
  it('are shown as [U+XXXX] on the lines for people: one line per file, nothing obeyed, member names too', async () => {
    const r = await cli(p('terminal'));
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).not.toMatch(OBEYED);
    expect(r.stdout).toContain('[U+001B]]8;;http:evil[U+0007]click');
    expect(r.stdout).toContain('[U+009B]31m[U+202E]exe');
    expect(r.stdout).toContain('fake[U+000D][U+000A]clean');
    expect(lines.filter((l) => l.startsWith('marked'))).toHaveLength(2);
  });
  it('keep their exact value in --json, with nothing a terminal obeys written raw', async () => {
    const r = await cli('--json', p('terminal'));
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).not.toMatch(OBEYED);
    const files = lines.map((l) => (JSON.parse(l) as { file: string }).file);
    expect(files).toContain(p('terminal', `${TERMINAL_NAME}.txt`));
    expect(files).toContain(p('terminal', 'fake\r\nclean       line.txt'));
  });
});

describe('--policy', () => {
  it('designated keywords make an otherwise clean file marked (rule 3)', async () => {
    expect((await cli(p('project.txt'))).code).toBe(0);
    for (const pol of ['policy.json', 'policy-wrapped.json']) {
      const r = await cli('--json', '--policy', p(pol), p('project.txt'));
      expect(r.code, pol).toBe(1);
      expect(ndjson(r.stdout)[0]).toMatchObject({ verdict: 'marked', rule: 3, reason: 'keyword' });
    }
    expect((await cli(`--policy=${p('policy.json')}`, p('project.txt'))).code).toBe(1);
  });
  it('a bad policy file → 2 with a clear message, nothing scanned', async () => {
    for (const [f, msg] of [
      ['bad-policy.json', /cannot use policy .*bad-policy\.json: .*JSON/i],
      ['array-policy.json', /cannot use policy .*array-policy\.json: the policy must be a JSON object/],
      ['no-such-policy.json', /cannot use policy .*no-such-policy\.json: .*ENOENT/],
    ] as const) {
      const r = await cli('--policy', p(f), p('project.txt'));
      expect(r.code, f).toBe(2);
      expect(r.stderr, f).toMatch(msg);
      expect(r.stdout, f).toBe('');
    }
  });
});
