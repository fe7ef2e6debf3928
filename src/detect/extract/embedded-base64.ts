/**
 * Files carried as base64 inside text: data: URLs in a saved web page or an SVG (SingleFile, an HTML
 * mail export, `<a download href="data:…">`), documents in JSON (HAR captures of an upload, API exports,
 * PHP's `\/`-escaped JSON), binary parts of XML (Word's flat XML, SOAP). Read as text, such a document is
 * only letters: a stamped .docx or PDF in it came back clean.
 *
 * Each data: URL and each run of 40 or more base64 characters (lines wrapped or not) is looked at by its first bytes only:
 * a run that begins a format the engine reads (a document, an archive, text…) is decoded whole and
 * scanned as a member; pictures, media and bytes of no known format (hashes, keys, tokens) are passed
 * over, as a picture on its own would be.
 */
import { blobOf } from '../bytes.js';
import { sniff, type Format } from '../sniff.js';
import { chunkText } from '../text-chunks.js';
import { decodeBase64 } from './rfc2047.js';
import { decodeText } from './text.js';
import type { ExtractContext, Extracted } from './types.js';

/**
 * A data: URL's base64 (any length), or 40+ characters of base64 anywhere (JSON may write `/` as `\/`),
 * then wrapped lines of them, then padding. 40 characters are 30 bytes: a stamped line fits in that.
 */
const RUN = /(?:data:[^,;"'\s]{0,100}(?:;[^,;"'\s]{0,100})*;base64,|(?=(?:[A-Za-z0-9+]|\\?\/){40}))((?:[A-Za-z0-9+]|\\?\/)+(?:[ \t]*\r?\n[ \t]*(?:[A-Za-z0-9+]|\\?\/){4,})*={0,2})/gi;

/** What is not scanned from a run's first bytes: nothing a reader would find text in, or nothing known. */
const PASSED: ReadonlySet<Format> = new Set<Format>(['binary', 'image', 'media', 'empty']);

/** Enough characters to decode the head a sniff looks at (sniff.ts reads 1 KiB; most signatures are in the first bytes). */
const HEAD_CHARS = 1368;

/** Cheap exit: text without a data: URL or a run of 40 base64 characters has nothing to find here. */
export const mayCarryBase64 = (text: string): boolean => /[A-Za-z0-9+/]{40}|;base64,/i.test(text);

export async function* embeddedFiles(text: string, ctx: ExtractContext): AsyncGenerator<Extracted> {
  if (!mayCarryBase64(text)) return;
  let n = 0;
  for (const m of text.matchAll(RUN)) {
    ctx.checkTime();
    const clean = (s: string) => s.replace(/[\\\s]/g, '');
    const run = m[1];
    const head = decodeBase64(clean(run.slice(0, HEAD_CHARS + 64)).slice(0, HEAD_CHARS)).bytes;
    const format = await sniff(blobOf(head), '');
    if (PASSED.has(format)) continue;
    const { bytes, bad } = decodeBase64(clean(run));
    // Plain text in base64 (a data:text URL, an encoded JSON record) is read in place: a log of thousands
    // of them is not thousands of files (each would count against limits.maxEntries).
    if (format === 'text' && !bad) {
      for (const text of chunkText(decodeText(bytes))) yield { kind: 'text', text, where: {} };
      continue;
    }
    const name = `embedded file ${++n}`;
    ctx.addEntry();
    if (bad) {
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${name}: its base64 does not decode`, where: { area: 'attachment' } };
      continue;
    }
    ctx.addExpanded(bytes.length);
    yield { kind: 'member', name, data: blobOf(bytes), where: { area: 'attachment' } };
  }
}
