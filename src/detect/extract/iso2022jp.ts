/**
 * ISO-2022-JP decoded as mail readers decode it. The WHATWG decoder (TextDecoder) reports an error,
 * U+FFFD, for an escape sequence followed at once by another one (`ESC ( B ESC $ B`): a browser's
 * defence against a switch that shows nothing. Mail writes exactly that where two encoded words of one
 * subject are read as one text, a word ending with `ESC ( B` and the next starting with `ESC $ B` (Perl's
 * MIME-Header-ISO_2022_JP, PHP's mb_encode_mimeheader, Python's Header, mutt), and where texts encoded
 * piece by piece are joined. Python, iconv, nkf and mutt show no character there, so 「秘 Confidential」 with an
 * ideographic space, split between 秘 and the space, read 「秘\uFFFD\u3000Confidential」 and was not found.
 * The first of two escape sequences in a row switches to a mode left at once: it is dropped before decoding.
 */
import { concat } from '../bytes.js';

const ESC = 0x1b;

/** Length of the ISO-2022-JP escape sequence at `i` (ESC ( B, ESC ( J, ESC ( I, ESC $ @, ESC $ B), else 0. */
function escapeAt(b: Uint8Array, i: number): number {
  if (b[i] !== ESC || i + 2 >= b.length) return 0;
  const [x, y] = [b[i + 1], b[i + 2]];
  if (x === 0x28 && (y === 0x42 || y === 0x4a || y === 0x49)) return 3;
  if (x === 0x24 && (y === 0x40 || y === 0x42)) return 3;
  return 0;
}

/** The bytes without an escape sequence that another one follows at once. */
function withoutIdleEscapes(b: Uint8Array): Uint8Array {
  let out: Uint8Array | null = null;
  let n = 0;
  let from = 0;
  for (let i = b.indexOf(ESC); i >= 0; i = b.indexOf(ESC, i + 1)) {
    const len = escapeAt(b, i);
    // Only before a switch decoded here: before ISO-2022-JP-2's others (ESC $ ( D…), which the decoder reports and
    // then reads on in the current mode, the switch back to ASCII is what keeps their bytes from reading as kanji.
    if (!len || !escapeAt(b, i + len)) continue;
    out ??= new Uint8Array(b.length);
    out.set(b.subarray(from, i), n);
    n += i - from;
    from = i + len;
    i += len - 1;
  }
  if (!out) return b;
  out.set(b.subarray(from), n);
  return out.subarray(0, n + b.length - from);
}

/** A TextDecoder for ISO-2022-JP that reads two escape sequences in a row as mail readers do; streams like one. */
export class Iso2022JpDecoder {
  readonly encoding = 'iso-2022-jp';
  private readonly dec = new TextDecoder('iso-2022-jp');
  /** The escape sequences that ended the last chunk: whether another one follows is known only with the next chunk. */
  private held = new Uint8Array(0);

  decode(input: AllowSharedBufferSource = new Uint8Array(0), opts?: { stream?: boolean }): string {
    const chunk = input instanceof Uint8Array ? input : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
    let bytes = this.held.length ? concat([this.held, chunk]) : chunk;
    this.held = new Uint8Array(0);
    if (opts?.stream) {
      // Escape sequences that end the chunk (and a cut one) wait for the byte after them.
      let cut = bytes.length;
      for (let p = bytes.lastIndexOf(ESC); p >= 0 && cut - p <= 3; p = p > 0 ? bytes.lastIndexOf(ESC, p - 1) : -1) cut = p;
      this.held = bytes.slice(cut);
      bytes = bytes.subarray(0, cut);
    }
    return this.dec.decode(withoutIdleEscapes(bytes), opts);
  }
}

/** What reads text in an encoding: TextDecoder, or the ISO-2022-JP decoder above in its place. */
export type TextReader = Pick<TextDecoder, 'decode' | 'encoding'>;

/** A TextDecoder for a WHATWG label, with ISO-2022-JP read as mail readers read it; throws on an unknown label as TextDecoder does. */
export function textReader(label: string, opts?: TextDecoderOptions): TextReader {
  const dec = new TextDecoder(label, opts);
  return dec.encoding === 'iso-2022-jp' ? new Iso2022JpDecoder() : dec;
}
