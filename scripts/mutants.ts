/**
 * A red-team tool, not a test: damaged copies of marked files, and those the engine calls clean.
 *
 *   find test/fixtures -name '*.docx' | node bin/run-ts.js scripts/mutants.ts [--per 10] [--seed 1] [--out DIR]
 *
 * For each file on standard input that scans `marked`, `--per` copies are made, each with one kind of
 * damage a disk, a transfer or a mail gateway does: a bit flipped, eight bytes inverted, 512 bytes zeroed,
 * or the file cut short. A copy that scans `clean` is written to DIR (default ./mutants) and listed with
 * its damage. Each needs a look with the format's own reader: the damage may have hit the stamp itself
 * (a flipped byte of 秘 is no stamp), or the engine read past damage it should have said it could not
 * read (unscannable). Copies that throw or take over 5 s are listed too. Deterministic for a seed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { scanBlob } from '../src/detect/index.js';

const { values } = parseArgs({ options: { per: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' }, out: { type: 'string', default: 'mutants' } } });
const per = Number(values.per);
let seed = Number(values.seed);
/** A linear congruential generator: the same damage for the same seed. */
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const at = (n: number) => Math.floor(random() * n);

type Damage = (b: Buffer) => { bytes: Buffer; what: string };
const DAMAGE: Damage[] = [
  (b) => {
    const i = at(b.length);
    b[i] ^= 1 << at(8);
    return { bytes: b, what: `bit flipped at ${i}` };
  },
  (b) => {
    for (let k = 0; k < 8; k++) b[at(b.length)] ^= 0xff;
    return { bytes: b, what: 'eight bytes inverted' };
  },
  (b) => {
    const i = at(b.length);
    b.fill(0, i, Math.min(b.length, i + 512));
    return { bytes: b, what: `512 bytes zeroed at ${i}` };
  },
  (b) => {
    const i = Math.floor(b.length * (0.3 + 0.69 * random()));
    return { bytes: b.subarray(0, i), what: `cut at ${i} of ${b.length}` };
  },
];

mkdirSync(values.out, { recursive: true });
const counts: Record<string, number> = {};
for (const path of readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const whole = readFileSync(path);
  const name = basename(path);
  if ((await scanBlob(new Blob([whole]), name)).verdict !== 'marked') continue;
  for (let k = 0; k < per; k++) {
    const { bytes, what } = DAMAGE[k % DAMAGE.length](Buffer.from(whole));
    const started = performance.now();
    let verdict: string;
    try {
      verdict = (await scanBlob(new Blob([new Uint8Array(bytes)]), name)).verdict;
    } catch (err) {
      verdict = `threw (${String(err).slice(0, 80)})`;
    }
    const ms = performance.now() - started;
    counts[verdict] = (counts[verdict] ?? 0) + 1;
    if (verdict === 'marked' || (verdict === 'unscannable' && ms <= 5000)) continue;
    const file = join(values.out, `${k}-${name}`);
    writeFileSync(file, bytes);
    console.log(`${verdict}\t${ms.toFixed(0)} ms\t${what}\t${file}`);
  }
}
console.error(JSON.stringify(counts));
