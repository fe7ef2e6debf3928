/**
 * Text a page puts where no body or URL is: request headers it sets (`fetch` and `Request` `headers`,
 * `setRequestHeader`) and cookies it writes (`document.cookie`, sent with its later requests). A header
 * value is bytes, so text there is escaped (percent, `\u`, base64): values are judged decoded as a URL's
 * query (url.ts) and as a text body (gates.ts); cookies as a URL's query only (see hookCookies).
 */
import type { Channel } from '../../shared/messages.js';
import { config } from './bridge-client.js';
import { cannotBeMarked } from './quick.js';
import { afterGate, combine, gateText, READY, type Gate } from './gates.js';
import { append, apply, arrayJoin, headersForEach, regExpExec, toStr, protoOf } from './safe-self.js';
import { whenAllowed } from './sources.js';
import { gateUrl } from './url.js';
import { replaceMethod, wrapSetter } from './accessors.js';
import { holdRequestsFor } from './pending-cookies.js';
import { ENCODED } from './text.js';

/**
 * Header values, each judged as a text on its own (a JSON value is read as JSON), and all
 * together as a URL's query (percent- and plus-decoded). Most headers (a content type, a short token)
 * can hold nothing: one test of them all passes those.
 */
export function gateHeaderText(ch: Channel, texts: string[]): Gate {
  const all = arrayJoin(texts, '\n');
  // No unguarded() test here: fetch and XHR pass unguarded pages by before judging anything.
  if (cannotBeMarked(all, config.policyDesignated) && !regExpExec(ENCODED, all)) return READY;
  const gates = [gateUrl(ch, `?${all}`)];
  for (let i = 0; i < texts.length; i++) append(gates, gateText(ch, texts[i]));
  return combine(gates);
}

/** The values of a Headers object (the page's own are copied into one first); a name is a token and carries no text. */
export function headerTexts(h: Headers): string[] {
  const texts: string[] = [];
  headersForEach(h, (v: string) => append(texts, v));
  return texts;
}

/**
 * A cookie refused is never written. Through `document.cookie`, one waiting for the guard is written
 * once allowed, and the page's requests wait for it meanwhile (pending-cookies.ts); `cookieStore.set`
 * waits for the answer and, refused, rejects as a failed write does.
 * Judged as a URL's query (percent-escapes, the way cookies carry text, and what `escape()`, `\u` and
 * base64 of UTF-8 text hide: url-text.ts), not as a text body: a setter cannot wait, and the body's check
 * would hold back every long token (a consent string, a JWT) written before the policy is known, which
 * the page reads back at once. Such a token decodes to no 秘, so it is written at once.
 */
export function hookCookies(w: Window & typeof globalThis): void {
  wrapSetter(protoOf('Document', w), 'cookie', (self, set, v) => {
    const s = toStr(v);
    const gate = cookieGate(s);
    whenAllowed(gate, () => set(self, s));
    if (!gate.ready && !gate.refusedNow) holdRequestsFor(gate.decision); // after whenAllowed: written before the requests go
  });
  replaceMethod(protoOf('CookieStore', w), 'set', (set) => function (this: unknown, ...a: unknown[]) {
    // set(name, value) or set({ name, value, … }): the strings judged are the ones written.
    const o = a[0];
    const one = o !== null && typeof o === 'object' ? (a[0] = { ...o, name: toStr((o as Cookie).name), value: toStr((o as Cookie).value) }) : null;
    const gate = cookieGate(one ? `${one.name}=${one.value}` : `${(a[0] = toStr(o))}=${(a[1] = toStr(a[1]))}`);
    return afterGate(gate, () => apply(set, this, a));
  });
}

type Cookie = { name?: unknown; value?: unknown };
const cookieGate = (s: string) => gateUrl('storage', `?${s}`);
