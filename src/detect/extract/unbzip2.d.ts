/** Types for the two plain-JavaScript files of unbzip2-stream that bzip2.ts uses (the package ships none). */
declare module 'unbzip2-stream/lib/bit_iterator.js' {
  /** Reads n bits (MSB first) from the buffers `next` returns; `bits(null)` aligns to a byte. */
  export interface BitReader {
    (n: number | null): number;
    bytesRead: number;
  }
  export default function bitIterator(next: () => Uint8Array): BitReader;
}
declare module 'unbzip2-stream/lib/bzip2.js' {
  import type { BitReader } from 'unbzip2-stream/lib/bit_iterator.js';
  const bzip2: {
    /** Reads "BZh1".."BZh9" and returns the block size level (1–9). */
    header(bits: BitReader): number;
    /** Decodes one block through `out`, returns the running stream CRC, or null at the end of the stream. Throws on a CRC mismatch. */
    decompress(bits: BitReader, out: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number): number | null;
  };
  export default bzip2;
}
