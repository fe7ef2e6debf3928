/**
 * fetch: hold the request until the guard answers; a refusal looks like a network failure (TypeError).
 * The body judged is the one sent: `init` is replaced by an object that inherits every other member
 * from the page's `init` but carries the snapshot body as its own.
 */
import { replaceMethod } from './accessors.js';
import { checkBody } from './body.js';
import { fromBlobUrl } from './blob-url.js';
import { guardMethod, unguarded } from './bridge-client.js';
import { NO, pending, settle, whenDecided, type Decision } from './decision.js';
import { afterGate, combine, follow, gateBlob, gateLineage, gateText, later, READY, waitFor, type Gate } from './gates.js';
import { gateHeaderText, headerTexts } from './headers.js';
import { initOf, withOwn } from './init-body.js';
import { lineageOf } from './lineage.js';
import { gateUrl } from './url.js';
import { TEXT_CAP } from './text.js';
import {
  apply,
  blobSize,
  blobText,
  blobType,
  headersGet,
  isRequest,
  promiseThen,
  regExpExec,
  requestBlob,
  requestBody,
  requestClone,
  requestFormData,
  requestHeaders,
  requestUrl,
  SafeHeaders,
  toStr,
  isFn,
  isArray,
  append,
  protoOf,
} from './safe-self.js';

const TEXTUAL = /^(text\/|application\/(json|x-www-form-urlencoded))/;
const MULTIPART = /^multipart\/form-data\s*;/i;
/** What a refused fetch rejects with (a TypeError): what a network failure gives. */
const FAILED = 'Failed to fetch';

export function hookFetch(w: Window & typeof globalThis): void {
  guardMethod(w, 'fetch', function (this: unknown, original, args) {
    return afterGate(judged(args), () => fromBlobUrl(args[0], apply(original, this, args) as Promise<Response>), FAILED);
  });
}

/**
 * `fetchLater(input, init)` (a request the browser sends later, at the latest when the page goes) takes
 * the same arguments and answers at once. One that must wait for a scan is registered only once it
 * passed (a page gone by then does not send it); one refused is never registered.
 */
export function hookFetchLater(w: Window & typeof globalThis): void {
  replaceMethod(w, 'fetchLater', (original) => function fetchLater(this: unknown, ...args: unknown[]) {
    const gate = unguarded() ? READY : judged(args);
    if (gate.ready) return apply(original, this, args);
    whenDecided(gate.decision, (ok) => ok && apply(original, this, args));
    return { activated: false };
  });
}

/**
 * Background Fetch (`registration.backgroundFetch.fetch(id, requests)`): the browser sends the requests
 * itself, from no page (the network layer sees no tab), and goes on after the page is gone. Each request
 * is judged as fetch(request) is, and the registration waits for all of them; refused, it rejects as a
 * fetch does. What is sent is the list judged (the page's array copied once).
 */
export function hookBackgroundFetch(w: Window & typeof globalThis): void {
  replaceMethod(protoOf('BackgroundFetchManager', w), 'fetch', (original) => function fetch(this: unknown, ...a: unknown[]) {
    const given = isArray(a[1]) ? a[1] : [a[1]];
    const list: unknown[] = (a[1] = []);
    const gates: Gate[] = [];
    for (let i = 0; i < given.length; i++) {
      const args = [given[i]];
      append(gates, judged(args));
      append(list, args[0]);
    }
    return afterGate(combine(gates), () => apply(original, this, a), FAILED);
  });
}

function judged(args: unknown[]): Gate {
  try {
    return gateArgs(args);
  } catch {
    return waitFor(NO, true); // cannot tell what it sends: it does not go
  }
}

/** Judges what `fetch(input, init)` would send: its URL, its headers and its body. */
function gateArgs(args: unknown[]): Gate {
  const input = args[0];
  // The URL judged is the one fetched: a URL-like object is turned into its string once.
  const url = isRequest(input) ? requestUrl(input) : (args[0] = toStr(input));
  const init = initOf(args[1]);
  return combine([gateUrl('fetch', url as string), gateHeaders(args, init?.headers), gateBody(args, init?.body)]);
}

/** Rewrites `args[1]` to carry the judged headers (the init's, snapshotted; else the Request's). */
function gateHeaders(args: unknown[], given: HeadersInit | undefined): Gate {
  let h: Headers | null = null;
  if (given != null) args[1] = withOwn(args[1] as object, 'headers', (h = new SafeHeaders(given)));
  else if (isRequest(args[0])) h = requestHeaders(args[0]);
  return gateHeaderText('fetch', h ? headerTexts(h) : []);
}

/** Rewrites `args[1]` to carry the judged body. */
function gateBody(args: unknown[], body: unknown): Gate {
  if (body != null) {
    const checked = checkBody('fetch', body);
    args[1] = withOwn(args[1] as object, 'body', checked.sent, isFn(checked.sent));
    return checked.gate;
  }
  if (isRequest(args[0]) && requestBody(args[0]) !== null) return gateRequest(args[0]);
  return READY;
}

/** A Request carrying its own body: judge a copy (the page's Request stays unread). */
function gateRequest(req: Request): Gate {
  // Made with a File (or what was read from one) as its body: judged by that File (derived.ts).
  const l = lineageOf(req);
  if (l) return gateLineage('fetch', l);
  const decision: Decision = pending();
  const fail = () => settle(decision, false);
  // A multipart body (the FormData it was made with) is judged part by part, as fetch(url, { body })
  // judges a FormData: each file by its name and its content. One that does not parse is refused.
  const type = headersGet(requestHeaders(req), 'content-type');
  if (type && regExpExec(MULTIPART, type)) {
    promiseThen(requestFormData(requestClone(req)), (fd) => follow(decision, checkBody('fetch', fd).gate), fail);
    return later(decision);
  }
  promiseThen(
    requestBlob(requestClone(req)),
    (b) => {
      if (blobSize(b) === 0) return settle(decision, true);
      if (!regExpExec(TEXTUAL, blobType(b)) || blobSize(b) > TEXT_CAP) return follow(decision, gateBlob('fetch', b));
      promiseThen(blobText(b), (t) => follow(decision, gateText('fetch', t)), fail);
    },
    fail,
  );
  return later(decision);
}
