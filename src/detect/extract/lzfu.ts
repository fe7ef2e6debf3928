/**
 * Compressed RTF (MS-OXRTFCP), the body format Outlook stores in PR_RTF_COMPRESSED: an LZ77
 * variant ("LZFu") over a 4 KiB ring dictionary preloaded with common RTF, or the same header
 * around uncompressed RTF ("MELA"). Output is bounded by the input (at most 8.5 bytes per
 * compressed byte), so a hostile header cannot make it large.
 */
const PREBUF =
  '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';
const LZFU = 0x75465a4c;
const MELA = 0x414c454d;

export interface Rtf {
  rtf: Uint8Array;
  /** Set when the stream is damaged (bad CRC, cut short, unknown type): the text may be incomplete. */
  problem?: string;
}

const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

export function decompressRtf(b: Uint8Array): Rtf {
  if (b.length < 16) return { rtf: new Uint8Array(0), problem: 'compressed RTF header cut short' };
  const compSize = u32(b, 0);
  const rawSize = u32(b, 4);
  const type = u32(b, 8);
  const data = b.subarray(16, Math.min(b.length, 4 + compSize));
  const short = 4 + compSize > b.length ? 'compressed RTF cut short' : undefined;
  if (type === MELA) return { rtf: data.subarray(0, Math.min(data.length, rawSize)), problem: short };
  if (type !== LZFU) return { rtf: new Uint8Array(0), problem: 'unknown compressed RTF type' };
  const rtf = inflate(data, rawSize);
  const problem = short ?? (crc32(data) !== u32(b, 12) ? 'compressed RTF fails its CRC check' : rtf.length < rawSize ? 'compressed RTF ends early' : undefined);
  return { rtf, problem };
}

function inflate(data: Uint8Array, rawSize: number): Uint8Array {
  const dict = new Uint8Array(4096);
  for (let i = 0; i < PREBUF.length; i++) dict[i] = PREBUF.charCodeAt(i);
  let wp = PREBUF.length;
  const out = new Uint8Array(Math.min(rawSize, data.length * 9));
  let o = 0;
  let i = 0;
  while (i < data.length && o < out.length) {
    const control = data[i++];
    for (let bit = 0; bit < 8 && i < data.length && o < out.length; bit++) {
      if ((control & (1 << bit)) === 0) {
        out[o++] = dict[wp] = data[i++];
        wp = (wp + 1) & 4095;
        continue;
      }
      if (i + 1 >= data.length) return out.subarray(0, o);
      const word = (data[i] << 8) | data[i + 1];
      i += 2;
      const offset = word >> 4;
      if (offset === wp) return out.subarray(0, o); // the end marker
      const len = (word & 15) + 2;
      for (let k = 0; k < len && o < out.length; k++) {
        const c = dict[(offset + k) & 4095];
        out[o++] = dict[wp] = c;
        wp = (wp + 1) & 4095;
      }
    }
  }
  return out.subarray(0, o);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** MS-OXRTFCP's CRC: the CRC-32 table, starting at 0, without the final inversion. */
function crc32(b: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}
