/**
 * Real upload libraries, from their npm packages, in real Chromium with the built extension: clean
 * files with Japanese names arrive byte for byte (SHA-256 checked at the server), files marked by
 * content or by name never arrive and the employee is warned, and the widget keeps working after a
 * refusal. Runs on every guarded target of targets.ts (a listed service; with scope "everywhere", an
 * unlisted host too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WARNING_TAG, corpus, dismissWarning, dragFiles, launchWithExtension, readWarning, sample, type Arrival, type Launched, type Sample } from '../support/index.js';
import { bundlePages, startCompatServer, type CompatServer } from './server.js';
import { CONTROL_HOST, GUARDED, POLICY } from './targets.js';

const BUCKET_HOST = 'ug-test-bucket.s3.ap-northeast-1.amazonaws.com';

interface Library {
  page: string;
  /** Which arrivals this library's uploads are. */
  mine(a: Arrival): boolean;
  /** Hand files to the widget the way a person does. */
  add(page: Page, files: Sample[]): Promise<void>;
}

/** Click the widget's own "browse" control and answer the real file chooser. */
const choose = (selector: string) => async (page: Page, files: Sample[]) => {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click(selector)]);
  await chooser.setFiles(files.map((f) => f.path));
};
const drop = (selector: string) => (page: Page, files: Sample[]) => dragFiles(page, selector, files.map((f) => f.path));

const LIBRARIES: Record<string, Library> = {
  'Uppy Dashboard + tus (resumable, 64 KiB chunks)': { page: 'uppy-tus', mine: (a) => a.path === '/tus', add: choose('.uppy-Dashboard-browse') },
  'Uppy Dashboard + AWS S3 (presigned PUT)': { page: 'uppy-s3', mine: (a) => a.path.startsWith('/s3/'), add: choose('.uppy-Dashboard-browse') },
  'Dropzone (drop)': { page: 'dropzone', mine: (a) => a.channel === 'dropzone', add: drop('#zone') },
  // FilePond's own input, set directly: through the chooser its animation loop takes ~10 s here, guard or not.
  'FilePond (its file input)': {
    page: 'filepond',
    mine: (a) => a.channel === 'filepond' && a.kind === 'file',
    add: (page, files) => page.setInputFiles('.filepond--browser', files.map((f) => f.path)),
  },
  'react-dropzone (drop)': { page: 'react-dropzone', mine: (a) => a.channel === 'react-dropzone', add: drop('#zone') },
};

const csv = ['日付,ライン,測定値,判定', ...Array.from({ length: 9000 }, (_, i) => `2026-11-${String((i % 28) + 1).padStart(2, '0')},第${i % 7}ライン,${(i * 37) % 1000},合格`)].join('\n');
const CLEAN = [
  sample('議事録メモ.txt', Buffer.from('来週の定例は水曜 10 時から。資料は各自で準備。秘書室にも連絡済み。\n'.repeat(40))),
  sample('秘密保持契約書_雛形.docx', corpus('秘密保持契約書_雛形.docx')),
  sample('配置図.png', corpus('floor-plan.png')),
  sample('測定結果_2026年11月.csv', Buffer.from(csv)),
];
const MARKED = [
  sample('週次定例メモ.docx', corpus('weekly-sync-notes.docx')), // 秘 Confidential in the body
  sample('秘—見積書.txt', Buffer.from('見積金額は別紙のとおり。\n'.repeat(30))), // marked by name only
];

let server: CompatServer;
let browser: Launched;

beforeAll(async () => {
  process.env.LC_ALL = 'C.UTF-8';
  const hosts = [...GUARDED, CONTROL_HOST, BUCKET_HOST];
  server = await startCompatServer(hosts, await bundlePages());
  browser = await launchWithExtension({ policy: POLICY, hosts, lang: 'ja' });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Arrivals of this library, once `n` of them are in (or after the timeout). */
async function arrived(lib: Library, n: number, timeoutMs = 15_000): Promise<Arrival[]> {
  const until = Date.now() + timeoutMs;
  while (server.received.filter(lib.mine).length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return server.received.filter(lib.mine);
}

const leaked = (s: Sample) => server.received.filter((a) => a.sha256 === s.sha256 || a.name === s.name);
/** Every arrival of guarded pages, kept across clear() for the closing sweep. */
const guardedArrivals: Arrival[] = [];
const leakedOnGuarded = (s: Sample) => guardedArrivals.filter((a) => a.sha256 === s.sha256 || a.name === s.name);

describe.each(GUARDED)('on %s', (host) => {
  it.each(Object.entries(LIBRARIES))('%s', async (_title, lib) => {
    server.clear();
    const page = await browser.context.newPage();
    try {
      await page.goto(server.url(host, `/compat/${lib.page}`));
      for (const s of MARKED) {
        await lib.add(page, [s]);
        expect((await readWarning(page)).action, s.name).toBe('block');
        await dismissWarning(page);
      }
      // The widget still works after a refusal: every clean file arrives whole, under its own name.
      await lib.add(page, CLEAN);
      const got = await arrived(lib, CLEAN.length);
      const events = await page.evaluate(() => (window as unknown as { __events?: unknown[] }).__events ?? []);
      expect(got.map((a) => [a.name, a.sha256]).sort(), JSON.stringify(events)).toEqual(CLEAN.map((s) => [s.name, s.sha256]).sort());
      for (const s of MARKED) expect(leaked(s), s.name).toEqual([]);
    } finally {
      await page.waitForTimeout(300); // late arrivals still count
      guardedArrivals.push(...server.received);
      await page.close();
    }
  });
});

// The control proves each widget really uploads every one of these files when nothing guards the page,
// so "never arrived" above is the guard's doing. The widgets run at once, one tab each (each library's
// uploads are told apart by `mine`).
it(`control: ${CONTROL_HOST} (not guarded): every widget uploads every file, marked ones included`, async () => {
  server.clear();
  const all = [...CLEAN, ...MARKED];
  const want = all.map((s) => [s.name, s.sha256]).sort();
  const got: Record<string, unknown> = {};
  await Promise.all(
    Object.entries(LIBRARIES).map(async ([title, lib]) => {
      const page = await browser.context.newPage();
      try {
        await page.goto(server.url(CONTROL_HOST, `/compat/${lib.page}`));
        await lib.add(page, all);
        got[title] = { arrived: (await arrived(lib, all.length)).map((a) => [a.name, a.sha256]).sort(), warnings: await page.locator(WARNING_TAG).count() };
      } finally {
        await page.close();
      }
    }),
  );
  expect(got).toEqual(Object.fromEntries(Object.keys(LIBRARIES).map((title) => [title, { arrived: want, warnings: 0 }])));
});

it('no marked file reached the server from a guarded host anywhere in the suite', () => {
  for (const s of MARKED) expect(leakedOnGuarded(s), s.name).toEqual([]);
});
