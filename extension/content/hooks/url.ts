/**
 * Text leaving in a URL (suggest requests, tracking pixels, GETs, navigations): the path and query,
 * decoded (src/guard/url-text.ts), judged like a text body. Most URLs cannot hold the stamp (no 秘/㊙,
 * no escape of a non-ASCII byte or character, no base64 spelling 秘/㊙'s bytes): those are passed after
 * two regex tests, unless the company designated keywords or patterns, which may be plain ASCII. A URL
 * whose base64 may hide the stamp (rare: 秘/㊙ must be in its bytes) is decoded by the guard, which keeps
 * base64 and UTF-8 decoding out of this bundle.
 */
import { MAY_HOLD_STAMP_TEXT } from '../../../src/guard/text-prefilter.js';
import { BASE64_STAMP, urlTextInPage } from '../../../src/guard/url-text.js';
import type { Channel } from '../../shared/messages.js';
import { ask, config, unguarded } from './bridge-client.js';
import { combine, gateText, later, READY, type Gate } from './gates.js';
import { intact } from './intact.js';
import { designatedText } from './quick.js';
import { regExpExec, stringIncludes } from './safe-self.js';
import { cookiesGate } from './pending-cookies.js';
import { typingGate } from './typing.js';

export function gateUrl(ch: Channel, url: string): Gate {
  if (unguarded()) return READY;
  // Every request carries the page's cookies; one with a query may carry what a field holds.
  return combine([textGate(ch, url), cookiesGate(), stringIncludes(url, '?') ? typingGate() : READY]);
}

function textGate(ch: Channel, url: string): Gate {
  const base64 = regExpExec(BASE64_STAMP, url) !== null;
  if (!base64 && regExpExec(MAY_HOLD_STAMP_TEXT, url) === null && !designatedText(config.designated)) return READY;
  // The decoding is ordinary code: trusted here only while the realm is; otherwise the guard decodes.
  if (base64 || !intact()) return later(ask(ch, [{ kind: 'url', url }]));
  const text = urlTextInPage(url);
  return text === '' ? READY : gateText(ch, text);
}
