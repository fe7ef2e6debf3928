/**
 * Page-side text checks (`npm run bench -- page-text`): what a guarded page pays per URL and per
 * keystroke, each beside the plain whole-text scan in the same run.
 *  - URLs: 20,000 ASCII asset URLs through the hooks' prefilter (one regex test) vs what the hooks
 *    would do for each without it: check the realm is intact, decode, scan. Target: ≥ 10× cheaper.
 *  - typing: 100 keystrokes at the end of a 112,000-character field that contains 秘 (so the stamp
 *    rule's quick exit does not apply): the stretch around the edit vs the whole text. Target: ≥ 3×.
 */
import { intact } from '../extension/content/hooks/intact.js';
import { scanText } from '../src/detect/index.js';
import { aroundEdit, BASE64_STAMP, MAY_HOLD_STAMP_TEXT, urlText } from '../src/guard/index.js';
import { median, type Row } from './table.js';

function timed(f: () => void, runs = 5): number {
  f(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

export async function runPageTextBench(): Promise<Row[]> {
  // Every fourth URL carries a token (a session id, a JWT-like value): base64 the prefilter must pass.
  const urls = Array.from({ length: 20_000 }, (_, i) =>
    i % 4 === 0 ? `https://api.example.com/v1/items/${i}?token=${Buffer.from(`user:${i}:${i * 7919}:session`).toString('base64url')}` : `https://cdn.example.com/img/${i}.png?v=${i}&w=48`,
  );
  // hooks/url.ts's test for each URL.
  const prefilter = timed(() => urls.forEach((u) => MAY_HOLD_STAMP_TEXT.test(u) || BASE64_STAMP.test(u)));
  const decoded = timed(() => urls.forEach((u) => intact() && scanText(urlText(u))));

  const doc = '秘書室からの連絡です。来週の定例は水曜 10 時から。\n'.repeat(4000);
  // What a field's value is on each keystroke: a fresh flat string.
  const values = Array.from({ length: 101 }, (_, i) => Buffer.from(doc + 'あ'.repeat(i)).toString());
  const whole = timed(() => values.slice(1).forEach((v) => scanText(v)));
  const around = timed(() => values.slice(1).forEach((v, i) => scanText(aroundEdit(values[i], v))));

  const row = (c: string, ours: number, base: number, target: number): Row => ({
    area: 'page-text',
    case: c,
    ours: `${ours.toFixed(1)} ms`,
    baseline: `${base.toFixed(1)} ms`,
    ratio: base / ours,
    target: `≥ ${target}× cheaper`,
    met: base / ours >= target,
  });
  return [
    row('20k ASCII URLs (5k with tokens): prefilter vs intact+decode+scan', prefilter, decoded, 10),
    row(`100 keystrokes, ${doc.length}-char field with 秘: around the edit vs whole text`, around, whole, 3),
  ];
}
