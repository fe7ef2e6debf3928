/**
 * UTF-32 text (LE/BE), which some Windows and Unix tools still write (`iconv -t UTF-32`, .NET's
 * `Encoding.UTF32`, PowerShell's `-Encoding utf32`). The Encoding Standard, and so TextDecoder, has no
 * decoder for it: it is transcoded here, with the same `decode(bytes, { stream })` shape, so the text
 * extractor reads it like any other encoding instead of finding nothing in it.
 */
import { u32, u32be } from '../bytes.js';

/** `le` or `be` for UTF-32 text: a BOM, or (no BOM) every 4-byte unit of the sample a Unicode scalar. */
export function utf32Order(head: Uint8Array): 'le' | 'be' | null {
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) return 'le';
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) return 'be';
  const n = Math.min(head.length, 4096) & ~3;
  if (n < 8) return null;
  for (const order of ['le', 'be'] as const) {
    let units = 0;
    for (let i = 0; i < n; i += 4) {
      const cp = unit(head, i, order === 'le');
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0) break;
      units++;
    }
    if (units * 4 === n) return order;
  }
  return null;
}

function unit(b: Uint8Array, i: number, le: boolean): number {
  return le ? u32(b, i) : u32be(b, i);
}

/** Code points turned into a string per batch (String.fromCodePoint takes them as arguments). */
const BATCH = 8192;

/** A streaming UTF-32 decoder: a unit cut by a slice boundary waits for the next slice; a leading BOM is dropped. */
export class Utf32Decoder {
  private rest = new Uint8Array(0);
  private first = true;
  constructor(private readonly le: boolean) {}

  decode(input: Uint8Array = new Uint8Array(0), opts?: { stream?: boolean }): string {
    let b = input;
    if (this.rest.length) {
      b = new Uint8Array(this.rest.length + input.length);
      b.set(this.rest);
      b.set(input, this.rest.length);
    }
    const whole = b.length & ~3;
    const parts: string[] = [];
    let codes: number[] = [];
    for (let i = 0; i < whole; i += 4) {
      const cp = unit(b, i, this.le);
      if (this.first) {
        this.first = false;
        if (cp === 0xfeff) continue;
      }
      codes.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
      if (codes.length === BATCH) {
        parts.push(String.fromCodePoint(...codes));
        codes = [];
      }
    }
    if (codes.length) parts.push(String.fromCodePoint(...codes));
    this.rest = b.slice(whole);
    if (!opts?.stream && this.rest.length) {
      parts.push('\uFFFD'); // a cut last unit, as TextDecoder ends a cut character
      this.rest = new Uint8Array(0);
    }
    return parts.join('');
  }
}
