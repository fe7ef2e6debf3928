/**
 * Text leaving in a URL (suggest requests, tracking pixels, GETs, navigations): the path and query,
 * decoded (src/guard/url-text.ts), judged like a text body. Most URLs cannot hold the stamp (no 秘/㊙,
 * no escape of a non-ASCII byte or character, no base64 spelling 秘/㊙'s bytes): those are passed after
 * two regex tests, unless the company designated keywords or patterns, which may be plain ASCII. A URL
 * whose base64 may hide the stamp (rare: 秘/㊙ must be in its bytes) is decoded by the guard, which also
 * reads the documents and other encodings in it; for a constructor (`now`: `new EventSource(url)`,
 * `new WebSocket(url)`), which cannot wait, it is decoded here (src/guard/url-text.ts, the guard's own
 * decoding) and its text judged by the same rule, while the realm is intact.
 */
import { MAY_HOLD_STAMP_TEXT } from '../../../src/guard/text-prefilter.js';
import { BASE64_STAMP, urlText } from '../../../src/guard/url-text.js';
import type { Channel } from '../../shared/messages.js';
import { ask, config, unguarded } from './bridge-client.js';
import { combine, gateText, later, READY, type Gate } from './gates.js';
import { intact } from './intact.js';
import { designatedText } from './quick.js';
import { regExpExec, stringIncludes } from './safe-self.js';
import { cookiesGate } from './pending-cookies.js';
import { typingGate } from './typing.js';

/** `now`: for a constructor, which cannot wait (decided here whenever the realm allows). */
export function gateUrl(ch: Channel, url: string, now?: boolean): Gate {
  if (unguarded()) return READY;
  // Every request carries the page's cookies; one with a query may carry what a field holds.
  return combine([textGate(ch, url, now), cookiesGate(), stringIncludes(url, '?') ? typingGate() : READY]);
}

function textGate(ch: Channel, url: string, now?: boolean): Gate {
  const base64 = !!regExpExec(BASE64_STAMP, url);
  if (!base64 && !regExpExec(MAY_HOLD_STAMP_TEXT, url) && !designatedText(config.policyDesignated)) return READY;
  // The decoding is ordinary code: trusted here only while the realm is; otherwise the guard decodes.
  if ((base64 && !now) || !intact()) return later(ask(ch, [{ kind: 'url', url, now }]));
  // Without BASE64_STAMP nothing is base64-decoded. A constructor's URL is judged as the text it
  // spells: documents encoded in it are not looked for.
  const text = urlText(url);
  return text === '' ? READY : gateText(ch, text, now);
}
