/**
 * A fetch body stream of no known origin (built by hand, `TextEncoderStream`, `new Blob(…).stream()`,
 * `new Response(…).body`): its bytes are read here first, up to STREAM_CAP, into one Blob, which is
 * judged as page-made bytes (stopped on a marking found in it; a chunk of a File's bytes, such as a
 * FileReader's result, also carries that File's decision, name included) and is what fetch sends: exactly the bytes
 * judged (a chunk the page changes after handing it over is sent as it was read). The body is handed to
 * fetch as a getter on the hooks' own init (fetch.ts), read only once the verdict let the request go. A
 * stream that goes on past the cap cannot be judged whole, and one that errors cannot be judged at all:
 * refused (fail closed).
 */
import type { Channel } from '../../shared/messages.js';
import type { Checked } from './body.js';
import { pending, settle } from './decision.js';
import { combine, follow, gateBlob, gateLineage, later, READY } from './gates.js';
import { lineageOf, link } from './lineage.js';
import { blobSize, getReader, promiseThen, readerRead, SafeBlob, sequence } from './safe-self.js';

export const STREAM_CAP = 64 * 1024 * 1024;

export function bufferStream(ch: Channel, s: ReadableStream): Checked {
  const d = pending();
  const no = () => settle(d, false);
  const reader = getReader(s);
  let all = new SafeBlob();
  const next = (): unknown =>
    promiseThen(
      readerRead(reader),
      (r) => {
        try {
          if (r.done) {
            const l = lineageOf(reader);
            return follow(d, combine([gateBlob(ch, all), l ? gateLineage(ch, l) : READY]));
          }
          // A chunk read out of a File (a FileReader's result, a view of it) carries that File's decision.
          link(reader, lineageOf(r.value));
          all = new SafeBlob(sequence([all, r.value as BlobPart]));
          if (blobSize(all) > STREAM_CAP) no();
          else next();
        } catch {
          no();
        }
      },
      no,
    );
  next();
  return { gate: later(d), sent: () => all };
}
