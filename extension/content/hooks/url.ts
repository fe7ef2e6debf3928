/**
 * Text leaving in a URL (suggest requests, tracking pixels, GETs, navigations): the path and query,
 * decoded (src/guard/url-text.ts), judged like a text body. Most URLs cannot hold the stamp (no
 * non-ASCII character, no escaped non-ASCII byte): those are passed after one regex test, unless the
 * company designated keywords or patterns, which may be plain ASCII.
 */
import { hidesStamp, MAY_HOLD_STAMP, urlText, type Builtins } from '../../../src/guard/url-text.js';
import type { Channel } from '../../shared/messages.js';
import { ask, config, unguarded } from './bridge-client.js';
import { combine, gateText, later, READY, type Gate } from './gates.js';
import { intact } from './intact.js';
import { designatedText } from './quick.js';
import { atob, regExpExec, stringIncludes, stringReplace, stringSlice } from './safe-self.js';
import { typingGate } from './typing.js';

const CAPTURED: Builtins = { exec: regExpExec, slice: stringSlice, replace: stringReplace, atob };

export function gateUrl(ch: Channel, url: string): Gate {
  if (unguarded()) return READY;
  const typing = typingGate();
  if (!typing.ready && stringIncludes(url, '?')) return combine([textGate(ch, url), typing]);
  return textGate(ch, url);
}

function textGate(ch: Channel, url: string): Gate {
  if (!designatedText(config.designated) && regExpExec(MAY_HOLD_STAMP, url) === null && !hidesStamp(url, CAPTURED)) return READY;
  // The decoding is ordinary code: trusted here only while the realm is; otherwise the guard decodes.
  if (!intact()) return later(ask(ch, [{ kind: 'url', url }]));
  const text = urlText(url);
  return text === '' ? READY : gateText(ch, text);
}
