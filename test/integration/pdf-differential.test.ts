/**
 * Differential test of our PDF reading against pdf.js (Mozilla's reader, a dev dependency): over every
 * PDF fixture, the developers' corpus and deterministic mutants of each (bytes overwritten, files cut
 * short), whenever the text pdf.js reads (every page's text layer and the document information
 * dictionary) contains the 「秘 Confidential」 stamp, our scan must not say `clean`. It should say
 * `marked`; `unscannable` (we refused a damaged part pdf.js recovered from, e.g. a broken ToUnicode map
 * where pdf.js falls back to the embedded font's own cmap) is fail-closed, so it is listed and counted,
 * not failed. The opposite case, we say `marked` where pdf.js finds no stamp, is not a failure either
 * (we also read what pdf.js gives up on) and is only counted. Files with a user password are skipped by
 * both (pdf.js: PasswordException).
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { CORPUS_DIR } from '../support/corpus.js';
import { prng } from '../support/zip-build.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/pdf');
// Japanese text in CID fonts with predefined CMaps (UniJIS-UCS2-H…) maps to Unicode only through these.
const CMAPS = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'cmaps/');
// Mutants per file: 1–16 bytes overwritten, and cut short. UPLOAD_GUARD_PDF_MUTANTS=N runs N of each
// (with other seeds) for a longer search than CI's.
const EXTRA = Number(process.env.UPLOAD_GUARD_PDF_MUTANTS) || 0;
const FLIPS = EXTRA || 4;
const CUTS = EXTRA || 3;
const SEED = EXTRA ? 7000 : 1000;

/** pdf.js's text: every page's text items, then the information dictionary's strings; null when it cannot open the file. */
async function pdfjsText(data: Uint8Array): Promise<string | null> {
  const task = getDocument({ data: data.slice(), password: '', verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, cMapUrl: CMAPS, cMapPacked: true });
  try {
    const doc = await task.promise;
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) {
      try {
        const content = await (await doc.getPage(i)).getTextContent();
        for (const item of content.items) if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
        text += '\n';
      } catch {
        // a damaged page: pdf.js reads the others
      }
    }
    const { info } = await doc.getMetadata().catch(() => ({ info: {} }));
    for (const v of Object.values((info ?? {}) as Record<string, unknown>)) {
      if (typeof v === 'string') text += `\n${v}`;
      else if (v && typeof v === 'object') for (const c of Object.values(v)) if (typeof c === 'string') text += `\n${c}`;
    }
    return text;
  } catch {
    return null;
  } finally {
    await task.destroy();
  }
}

function mutants(data: Uint8Array, seed: number): { label: string; bytes: Uint8Array }[] {
  const r = prng(seed);
  const out: { label: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < FLIPS; i++) {
    const m = data.slice();
    const n = 1 + Math.floor(r() * 16);
    const at: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = Math.floor(r() * m.length);
      m[p] = Math.floor(r() * 256);
      at.push(p);
    }
    out.push({ label: `bytes ${at.join(',')} overwritten`, bytes: m });
  }
  for (let i = 0; i < CUTS; i++) {
    const len = Math.floor(data.length * (0.3 + 0.7 * r()));
    out.push({ label: `cut to ${len} bytes`, bytes: data.subarray(0, len) });
  }
  return out;
}

async function sources(): Promise<{ name: string; path: string }[]> {
  const list = async (dir: string) => (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort().map((f) => ({ name: f, path: join(dir, f) }));
  // The corpus lives outside the repository (../shared/corpus); without it the fixtures still run.
  return [...(await list(FIXTURES)), ...(existsSync(CORPUS_DIR) ? await list(CORPUS_DIR) : [])];
}

/**
 * Traps whose true text is given as /ActualText over stand-in glyphs (LibreOffice without a Japanese
 * font: test/fixtures/pdf/README.md). pdf.js's text layer ignores ActualText and reads the glyphs, which
 * decode to 秘秘秘 Confidential; poppler's pdftotext and PDF readers' search read 秘書室 Confidential, as we
 * do (test/unit/pdf.test.ts). Here pdf.js's stamp is not the truth.
 */
const PDFJS_READS_STAND_INS = new Set(['no-cjk-font-trap.pdf']);

describe('PDF: our scan against pdf.js', () => {
  it('never says clean where pdf.js reads the stamp, in every fixture and its mutants', { timeout: 600_000 }, async () => {
    const files = await sources();
    let cases = 0;
    let pdfjsOpened = 0;
    let pdfjsStamped = 0;
    let pdfjsStampedMutants = 0;
    let onlyOurs = 0;
    const missed: string[] = [];
    const refused: string[] = [];
    for (const [i, f] of files.entries()) {
      const data = new Uint8Array(await readFile(f.path));
      for (const v of [{ label: 'as is', bytes: data }, ...mutants(data, SEED + i)]) {
        cases++;
        const theirs = await pdfjsText(v.bytes);
        // A neutral name: only the content decides (rule 2 is not what this compares).
        const ours = await scanBlob(new Blob([v.bytes as Uint8Array<ArrayBuffer>]), 'document.pdf', { limits: { timeBudgetMs: 60_000 } });
        if (theirs !== null) pdfjsOpened++;
        const stamped = theirs !== null && findStamp(theirs) !== null;
        if (stamped) {
          pdfjsStamped++;
          if (v.label !== 'as is') pdfjsStampedMutants++;
          const line = `${f.name} (${v.label}): pdf.js reads the stamp, we say ${ours.verdict}${'detail' in ours ? ` (${ours.detail})` : ''}`;
          if (ours.verdict === 'clean' && !PDFJS_READS_STAND_INS.has(f.name)) missed.push(line);
          else if (ours.verdict === 'unscannable') refused.push(line);
        } else if (ours.verdict === 'marked') onlyOurs++;
      }
    }
    console.log(
      `pdf differential: ${files.length} files, ${cases} cases; pdf.js opened ${pdfjsOpened} and read the stamp in ${pdfjsStamped}; ` +
        `(${pdfjsStamped - pdfjsStampedMutants} originals, ${pdfjsStampedMutants} mutants); we said clean in ${missed.length}, unscannable in ${refused.length}; we alone said marked in ${onlyOurs}`,
      ...refused.map((r) => `\n  unscannable: ${r}`),
    );
    expect(missed).toEqual([]);
    // The comparison means something only if pdf.js did read stamps, in originals and in mutants (a
    // quarter of the files each at least: many fixtures are traps, twins or damaged on purpose).
    expect(pdfjsStamped - pdfjsStampedMutants).toBeGreaterThan(files.length / 4);
    expect(pdfjsStampedMutants).toBeGreaterThan(files.length / 4);
  });

  it('a damaged ToUnicode map is unscannable, never clean', async () => {
    // Found by this comparison: a mutant with a few bytes of the font's ToUnicode stream overwritten left
    // our text as raw glyph codes and the page read `clean`, where pdf.js (falling back to the embedded
    // font's own cmap) read the stamp.
    const data = new Uint8Array(await readFile(join(FIXTURES, 'multipage-p2.pdf')));
    const text = new TextDecoder('latin1').decode(data);
    const ref = /\/ToUnicode (\d+) 0 R/.exec(text);
    expect(ref).not.toBeNull();
    const obj = text.indexOf(`\n${ref![1]} 0 obj`);
    const start = text.indexOf('stream\n', obj) + 'stream\n'.length;
    const damaged = data.slice();
    damaged.fill(0, start + 40, start + 60);
    expect((await scanBlob(new Blob([data]), 'document.pdf')).verdict).toBe('marked');
    const ours = await scanBlob(new Blob([damaged]), 'document.pdf');
    expect(ours.verdict).toBe('unscannable');
  });

  it('a PDF whose header is damaged is still read as a PDF', async () => {
    // Found by this comparison: with its first byte overwritten, header-stamp.pdf was taken for an
    // unknown binary and read `clean`, where pdf.js reads the stamp.
    const damaged = new Uint8Array(await readFile(join(FIXTURES, 'header-stamp.pdf')));
    damaged[0] = 0x41; // "APDF-1.6"
    expect(findStamp((await pdfjsText(damaged)) ?? '')).not.toBeNull();
    expect(await scanBlob(new Blob([damaged]), 'document.pdf')).toMatchObject({ verdict: 'marked', format: 'pdf' });
  });
});
