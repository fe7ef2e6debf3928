/**
 * JSON request bodies, read as the text their sender sent and nothing else.
 *
 * - In the charset the Content-Type names (UTF-8 when it names none), every byte checked: a body in
 *   UTF-16 or Latin-1 had been read as UTF-8, so 「café.pdf」 sent as ISO-8859-1 was stored as 「caf\uFFFD.pdf」
 *   and acknowledged. A charset the collector cannot read is refused (415), bytes that are not text in
 *   the declared one are refused (400): never stored with replacement characters.
 * - A byte order mark says the encoding whatever the label (as WHATWG's decode does); a UTF-16 body
 *   without one is told apart by where its first ASCII character's zero byte falls (RFC 4627 §3).
 * - A lone UTF-16 surrogate (JSON "\ud800") is not text in any encoding: PostgreSQL stored one as U+FFFD
 *   and SQLite as three, so an incident's assignee or notes read back differently on the two back ends.
 *   Outside ingest (an admin's own typing, which they can correct) such a body is refused with the
 *   field named. Ingest keeps the event (a refused event is discarded by the extension, and a hostile
 *   page's file name would then erase the record of its upload): plugins/ingest.ts replaces the
 *   surrogate with U+FFFD and says so in its answer.
 */
import { TextDecoder } from 'node:util';
import type { FastifyRequest } from 'fastify';
import { formatPath } from '../../events/schema.js';
import { appWide, type CollectorPlugin } from '../context.js';

const INGEST_ROUTES = new Set(['/v1/events', '/v1/heartbeat']);
/** Any surrogate (a quick test), and one that is not half of a pair: not text in any encoding (ingest.ts replaces it). */
export const SURROGATE = /[\uD800-\uDFFF]/;
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const jsonBody: CollectorPlugin = appWide(async (app) => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const text = decodeBody(req, body as Buffer);
    if (text instanceof Error) return done(text, undefined);
    parseJson(req, text, (err, value) => {
      if (err) return done(err, undefined);
      const at = INGEST_ROUTES.has(req.routeOptions.url ?? '') ? null : loneSurrogateAt(value);
      if (at !== null) return done(statusError(400, `${formatPath(at)}: holds a lone UTF-16 surrogate, which is not text in any encoding; send the text in UTF-8`), undefined);
      done(null, value);
    });
  });
});

/** The body as text in its declared charset, or the error to answer with. */
export function decodeBody(req: Pick<FastifyRequest, 'headers'>, body: Uint8Array): string | Error {
  const declared = charsetOf(req.headers['content-type']);
  if (declared instanceof Error) return declared;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared ?? 'utf-8', { fatal: true });
  } catch {
    return statusError(415, `charset "${declared}" is not one the collector can read: send the body in UTF-8`);
  }
  const encoding = byOrderMark(body) ?? (decoder.encoding.startsWith('utf-16') ? utf16Order(body) : decoder.encoding);
  if (encoding !== decoder.encoding) decoder = new TextDecoder(encoding, { fatal: true });
  try {
    return decoder.decode(body);
  } catch {
    return statusError(400, `the body is not valid ${encoding} text (as its Content-Type says or its byte order mark shows): nothing was stored`);
  }
}

/** The charset parameter of a Content-Type (unquoted, as RFC 9110 allows), null when it has none. */
function charsetOf(contentType: string | undefined): string | null | Error {
  const found = [...(contentType ?? '').matchAll(/;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/gi)].map((m) => (m[1] ?? m[2] ?? '').trim());
  // Two charsets that disagree: which one the sender meant cannot be known.
  if (new Set(found.map((c) => c.toLowerCase())).size > 1) return statusError(415, `Content-Type names more than one charset (${found.join(', ')}): send one, UTF-8`);
  return found[0] ?? null;
}

function byOrderMark(b: Uint8Array): string | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  return null;
}

/** JSON begins with an ASCII character, so a UTF-16 body's first two bytes say its byte order. */
const utf16Order = (b: Uint8Array) => (b.length >= 2 && b[0] === 0 && b[1] !== 0 ? 'utf-16be' : 'utf-16le');

/**
 * Where in a parsed body a string (or a key) holds a lone surrogate, or null. Walked without recursion,
 * each step linked to its parent (a path copied at every level is quadratic in the depth): a deeply
 * nested body can neither exhaust the stack nor take long.
 */
function loneSurrogateAt(body: unknown): PropertyKey[] | null {
  type Step = { key: PropertyKey; up: Step | null } | null;
  const lone = (s: string) => SURROGATE.test(s) && LONE_SURROGATE.test(s);
  const pathOf = (step: Step): PropertyKey[] => {
    const out: PropertyKey[] = [];
    for (let s = step; s; s = s.up) out.unshift(s.key);
    return out;
  };
  const todo: [unknown, Step][] = [[body, null]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [v, at] = next;
    if (typeof v === 'string') {
      if (lone(v)) return pathOf(at);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => todo.push([x, { key: i, up: at }]));
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (lone(k)) return pathOf({ key: k, up: at });
        todo.push([x, { key: k, up: at }]);
      }
    }
  }
  return null;
}

function statusError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}
