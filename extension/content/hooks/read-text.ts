/**
 * Text read out of a File (`readAsDataURL`, `readAsText`, `text()`, `btoa` of such text) is a string,
 * and a string carries no link to its File. A page that reads a marked File as a data: URL and sends
 * it in pieces (each request a stretch of base64, none of them a whole document), or sends the base64
 * of a File marked by its name alone, would have each body judged on its own bytes. So the hooks keep
 * the last few strings read out of Files, with the Files they came from (lineage.ts `link` hands them
 * here), and a text body holding a stretch of 16 or more base64 characters of one of them carries
 * those Files' decision (gates.ts `gateText`), whatever it holds besides. (16 characters are 96 bits of
 * a file's base64: not met by chance. A piece shorter than that, the tail of a chunked upload, is a
 * dozen bytes and passes.)
 */
import type { Lineage } from './lineage.js';
import { textsOf } from './text.js';
import { create, regExpExec, stringIncludes, stringSlice } from './safe-self.js';

/** How many strings are kept (a ring: a page reading file after file keeps the latest). */
const KEEP = 8;
/**
 * Stretches of base64 long enough not to occur by chance. The browser's base64 (data: URLs, `btoa`)
 * is the standard alphabet; a page that turned it URL-safe (`-_` for `+/`) still sends stretches of it
 * between those characters. Ids, UUIDs and words with `-` or `_` fall apart into short runs.
 */
const RUN = /[A-Za-z0-9+/]{16,}/g;
const DATA_URL = /^data:[^,]*,/;
/**
 * Runs looked up per body (each is one `includes` over the kept strings: about 1 ms per 8 million
 * characters), and the longest string kept (32 Mi characters: 24 MiB of a file's bytes, what the
 * guard decodes of a body's base64 at most; a larger read is not followed).
 */
const PROBES = 8;
const LONGEST = 1 << 25;

const ring: Record<number, [string, Lineage]> = create(null);
let count = 0;

/** `s` was read out of what `l` names: kept when that is a File and `s` is long enough to be found again. */
export function keepText(s: unknown, l: Lineage | undefined): void {
  if (!l || !l.files.length || typeof s !== 'string' || s.length < 16 || s.length > LONGEST) return;
  // A data: URL's header (`data:application/…;base64,`) is words any body may hold: its base64 only.
  const head = regExpExec(DATA_URL, s);
  const t = head ? stringSlice(s, head[0].length) : s;
  if (!keptAs(t)) ring[count++ % KEEP] = [t, l]; // a reader's result read again is kept once
}

/** The lineage of a kept string (`btoa` of a binary string read out of a File carries its File). */
export function keptAs(s: unknown): Lineage | undefined {
  for (let i = 0; i < KEEP && i < count; i++) if (ring[i][0] === s) return ring[i][1];
  return undefined;
}

/** The Files whose strings `text` (as sent, or decoded from JSON or a form) holds a stretch of. */
export function keptIn(text: string): Lineage | undefined {
  if (count === 0) return undefined;
  const texts = textsOf(text); // whole: a run cut at a cap could be the start another file shares
  let probes = 0;
  for (let t = 0; t < texts.length; t++) {
    RUN.lastIndex = 0;
    for (let m = regExpExec(RUN, texts[t]); m && probes++ < PROBES; m = regExpExec(RUN, texts[t])) {
      // The whole run, not its start: files of one format share their first bytes (every .docx its
      // ZIP header, a log its first lines), and another file's base64 must not pass for this one's.
      // The latest read first: a run two files share (their first line) is the one being sent, not
      // one refused minutes ago, whose question would be asked again (a technique run saw both asked).
      for (let i = count; i > 0 && i > count - KEEP; ) if (stringIncludes(ring[--i % KEEP][0], m[0])) return ring[i % KEEP][1];
    }
  }
  return undefined;
}
