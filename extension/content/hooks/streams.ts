/**
 * A fetch body stream of no known origin (built by hand, `TextEncoderStream`, `new Blob(…).stream()`,
 * `new Response(…).body`): its bytes are read here first, up to STREAM_CAP, into one Blob, which is
 * judged as page-made bytes (stopped on a marking found in it) and is what fetch sends: exactly the bytes
 * judged (a chunk the page changes after handing it over is sent as it was read). The body is handed to
 * fetch as a getter on the hooks' own init (fetch.ts), read only once the verdict let the request go. A
 * stream that goes on past the cap cannot be judged whole, and one that errors cannot be judged at all:
 * refused (fail closed).
 */
import type { Channel } from '../../shared/messages.js';
import type { Checked } from './body.js';
import { pending, settle } from './decision.js';
import { follow, gateBlob, later } from './gates.js';
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
          if (r.done) return follow(d, gateBlob(ch, all));
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
  return { gate: later(d), body: () => all };
}
