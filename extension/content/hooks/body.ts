/**
 * What a request body carries, and the copy of it that is sent.
 *
 * The hooks judge a body and send exactly what they judged: a FormData, URLSearchParams or byte view
 * the page still holds could be changed while the guard scans, and an object the browser would turn
 * into text (anything with a toString) could answer differently the second time. So the body sent is
 * a snapshot taken here, which the page cannot reach. Kinds are told by brand checks (a page can make
 * `instanceof` lie, and a FormData from another frame is not an `instanceof` this one's).
 */
import type { Channel } from '../../shared/messages.js';
import { combine, gateBlob, gateLineage, gateText, later, READY, type Gate } from './gates.js';
import { lineageOf, link } from './lineage.js';
import { ask, unguarded } from './bridge-client.js';
import { typingGate } from './typing.js';
import { bufferStream } from './streams.js';
import {
  append,
  arrayJoin,
  blobSize,
  fileName,
  formDataAppend,
  formDataForEach,
  isArrayBuffer,
  isBlob,
  isDocument,
  isFormData,
  isParams,
  isReadableStream,
  isView,
  markupOf,
  paramsToString,
  SafeBlob,
  SafeFormData,
  SafeURLSearchParams,
  sequence,
  toStr,
} from './safe-self.js';

export interface Checked {
  gate: Gate;
  /** What to hand the original API: the body as judged (for fetch, a function: what it returns, once judged). */
  sent: unknown;
}

export function checkBody(ch: Channel, body: unknown): Checked {
  if (unguarded() || body == null) return { gate: READY, sent: body };
  const checked = checkContent(ch, body);
  // A field holding marked text holds back whatever the page sends meanwhile (typing.ts).
  const typing = typingGate();
  return typing.ready ? checked : { gate: combine([checked.gate, typing]), sent: checked.sent };
}

/** `text` judged, `sent` (the text itself unless said) handed on. */
const asText = (ch: Channel, text: string, sent: unknown = text): Checked => ({ gate: gateText(ch, text), sent });

function checkContent(ch: Channel, body: unknown): Checked {
  if (typeof body === 'string') return asText(ch, body);
  if (isBlob(body)) return { gate: gateBlob(ch, body), sent: body }; // immutable
  if (isFormData(body)) return checkFormData(ch, body);
  if (isParams(body)) {
    // Judged as the form body it is sent as: textsOf (text.ts) reads its values decoded.
    const text = paramsToString(body);
    return asText(ch, text, new SafeURLSearchParams(text));
  }
  if (isArrayBuffer(body) || isView(body)) {
    // Bytes the page read from somewhere: stopped only when the engine finds a marking in them.
    const copy = new SafeBlob(sequence([body as BlobPart]));
    if (blobSize(copy) === 0) return { gate: READY, sent: copy };
    // Bytes read out of a File (arrayBuffer(), its stream, a blob: URL…) are that File, name included (lineage.ts).
    const l = lineageOf(body);
    if (l) {
      link(copy, l);
      return { gate: gateLineage(ch, l), sent: copy };
    }
    return { gate: later(ask(ch, [{ kind: 'bytes', blob: copy }])), sent: copy };
  }
  // A stream (fetch with duplex: 'half') is judged by where its bytes come from, when known (a File's stream);
  // else read whole first, and its Blob sent (streams.ts). Other channels send a stream as its string.
  if (ch === 'fetch' && isReadableStream(body)) {
    const l = lineageOf(body);
    return l ? { gate: gateLineage(ch, l), sent: body } : bufferStream(ch, body);
  }
  // XMLHttpRequest sends a Document as its markup: judged as that text. While a verdict is awaited, the
  // text judged is what goes (the page could change the document meanwhile).
  if (isDocument(body)) {
    const text = markupOf(body);
    const gate = gateText(ch, text);
    return { gate, sent: gate.ready ? body : text };
  }
  // Anything else is sent as its string: take that string once, judge it, send it.
  return asText(ch, toStr(body));
}

function checkFormData(ch: Channel, fd: FormData): Checked {
  const copy = new SafeFormData();
  const gates: Gate[] = [];
  const texts: string[] = [];
  // Field names and file names are text that leaves too (what the network layer reads them as: request.ts).
  formDataForEach(fd, (v, k) => {
    formDataAppend(copy, k, v); // the captured original: no second decision
    append(texts, k);
    if (typeof v === 'string') append(texts, v);
    else if (blobSize(v) || fileName(v)) {
      // not an empty file input's nothing
      append(gates, gateBlob(ch, v));
      append(texts, fileName(v));
    }
  });
  if (texts.length) append(gates, gateText(ch, arrayJoin(texts, '\n')));
  return { gate: combine(gates), sent: copy };
}
