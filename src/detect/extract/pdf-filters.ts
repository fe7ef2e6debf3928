/**
 * PDF stream filters needed for text: Flate (with PNG/TIFF predictors), LZW, ASCIIHex, ASCII85,
 * RunLength. Image codecs (DCT, JPX, CCITT, JBIG2) are not decoded: they carry no text.
 */
import { Inflate, unzlibSync, inflateSync } from 'fflate';
import { adler32 } from '../adler32.js';
import { concat, u32be } from '../bytes.js';
import { INPUT_SLICE, isZlibHeader } from './inflate.js';

export interface Decoded {
  data: Uint8Array;
  /** The input was damaged (bad checksum, truncated, over the cap); `data` is what could be read. */
  partial: boolean;
}

// Small slices bound the output of one push (deflate expands at most ~1032×): a bomb is stopped
// a few megabytes past the cap instead of 64 MiB past it (see inflate.ts).
const SLICE = INPUT_SLICE;


/** Streaming inflate in slices so that a bomb stops at `cap`; returns what it got on errors. */
function inflateStreaming(data: Uint8Array, cap: number, zlib: boolean): Decoded {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inf = new Inflate((chunk: Uint8Array) => {
    if (chunk.length) {
      chunks.push(chunk);
      total += chunk.length;
    }
  });
  let start = 0;
  if (zlib && data.length >= 2 && (data[0] & 0x0f) === 8 && ((data[0] << 8) | data[1]) % 31 === 0) start = 2;
  let partial = false;
  try {
    for (let o = start; o < data.length; o += SLICE) {
      const end = Math.min(data.length, o + SLICE);
      inf.push(data.subarray(o, end), false);
      if (total > cap) {
        over = true;
        break;
      }
    }
    if (!over) {
      try {
        inf.push(new Uint8Array(0), true);
      } catch {
        partial = true; // truncated: no final block
      }
    }
  } catch {
    partial = true;
  }
  let out = concat(chunks, total);
  if (over) out = out.subarray(0, cap);
  return { data: out, partial: partial || over };
}

export function inflate(data: Uint8Array, cap: number): Decoded {
  return checked(data, inflateLenient(data, cap));
}

/**
 * Readers take a stream with a damaged or missing header, or no end, as far as it goes: so do these
 * fallbacks. But deflate rarely notices damage in the middle of a stream and goes on to the end
 * writing noise (a page whose content then holds no text): a zlib stream whose output fails the
 * Adler-32 after it was not read as written. The checksum stands right after the deflate data, which
 * a /Length that counts an end of line after it (or junk) leaves a few bytes before the end.
 */
function checked(data: Uint8Array, r: Decoded): Decoded {
  if (r.partial) return r;
  // No zlib header (raw deflate, as a few writers give it, or no deflate at all: zeros): bytes that
  // decode to nothing were not a stream read.
  if (!isZlibHeader(data)) return data.length > 0 && r.data.length === 0 ? { data: r.data, partial: true } : r;
  const sum = adler32(r.data);
  for (let i = Math.max(2, data.length - 8); i + 4 <= data.length; i++) if (u32be(data, i) === sum) return r;
  return { data: r.data, partial: true };
}

function inflateLenient(data: Uint8Array, cap: number): Decoded {
  if (data.length * 1032 <= cap) {
    try {
      return { data: unzlibSync(data), partial: false };
    } catch {
      /* fall through */
    }
    try {
      const hasHeader = data.length >= 2 && (data[0] & 0x0f) === 8 && ((data[0] << 8) | data[1]) % 31 === 0;
      return { data: inflateSync(hasHeader ? data.subarray(2) : data), partial: false };
    } catch {
      /* fall through */
    }
  }
  const r = inflateStreaming(data, cap, true);
  if (r.data.length === 0 && r.partial) {
    const raw = inflateStreaming(data, cap, false);
    if (raw.data.length > 0) return raw;
  }
  return r;
}

function lzw(data: Uint8Array, earlyChange: number, cap: number): Decoded {
  const out: number[] = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  const dictPrefix = new Int32Array(4096);
  const dictChar = new Uint8Array(4096);
  const dictLen = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    dictPrefix[i] = -1;
    dictChar[i] = i;
    dictLen[i] = 1;
  }
  let next = 258;
  let codeLen = 9;
  let bitBuf = 0;
  let bitCnt = 0;
  let prev = -1;
  const tmp = new Uint8Array(4096);
  const emit = (code: number): number => {
    const len = dictLen[code];
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      tmp[k] = dictChar[c];
      c = dictPrefix[c];
    }
    for (let k = 0; k < len; k++) out.push(tmp[k]);
    return tmp[0];
  };
  let partial = false;
  for (let i = 0; i < data.length; i++) {
    bitBuf = ((bitBuf << 8) | data[i]) >>> 0;
    bitCnt += 8;
    while (bitCnt >= codeLen) {
      const code = (bitBuf >>> (bitCnt - codeLen)) & ((1 << codeLen) - 1);
      bitCnt -= codeLen;
      bitBuf &= (1 << bitCnt) - 1;
      if (code === 256) {
        next = 258;
        codeLen = 9;
        prev = -1;
        continue;
      }
      if (code === 257) return { data: finish(), partial: false };
      let first: number;
      if (code < next) {
        first = emit(code);
        if (prev >= 0 && next < 4096) {
          dictPrefix[next] = prev;
          dictChar[next] = first;
          dictLen[next] = dictLen[prev] + 1;
          next++;
        }
      } else if (code === next && prev >= 0) {
        const pf = emit(prev);
        out.push(pf);
        if (next < 4096) {
          dictPrefix[next] = prev;
          dictChar[next] = pf;
          dictLen[next] = dictLen[prev] + 1;
          next++;
        }
      } else {
        partial = true;
        return { data: finish(), partial };
      }
      prev = code;
      if (next + earlyChange >= 1 << codeLen && codeLen < 12) codeLen++;
      if (out.length > 65536) {
        chunks.push(Uint8Array.from(out));
        total += out.length;
        out.length = 0;
        if (total > cap) return { data: finish(), partial: true };
      }
    }
  }
  // No end-of-data code (257): the stream was cut.
  return { data: finish(), partial: true };
  function finish(): Uint8Array {
    if (out.length) {
      chunks.push(Uint8Array.from(out));
      total += out.length;
      out.length = 0;
    }
    return concat(chunks, total);
  }
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function asciiHex(data: Uint8Array): Decoded {
  const out = new Uint8Array((data.length + 1) >> 1);
  let n = 0;
  let hi = -1;
  let end = false;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x3e) {
      end = true;
      break;
    }
    const v = hexVal(c);
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  if (hi >= 0) out[n++] = hi << 4;
  return { data: out.subarray(0, n), partial: !end };
}

function ascii85(data: Uint8Array): Decoded {
  const out = new Uint8Array(Math.ceil((data.length * 4) / 5) + 8);
  let n = 0;
  let tuple = 0;
  let count = 0;
  let i = 0;
  let end = false;
  if (data[0] === 0x3c && data[1] === 0x7e) i = 2;
  for (; i < data.length; i++) {
    const c = data[i];
    if (c === 0x7e) {
      end = true;
      break;
    }
    if (c === 0x7a && count === 0) {
      if (n + 4 > out.length) break;
      out[n++] = 0;
      out[n++] = 0;
      out[n++] = 0;
      out[n++] = 0;
      continue;
    }
    if (c < 33 || c > 117) continue;
    tuple = tuple * 85 + (c - 33);
    if (++count === 5) {
      if (n + 4 > out.length) break;
      out[n++] = (tuple >>> 24) & 0xff;
      out[n++] = (tuple >>> 16) & 0xff;
      out[n++] = (tuple >>> 8) & 0xff;
      out[n++] = tuple & 0xff;
      tuple = 0;
      count = 0;
    }
  }
  if (count > 1) {
    for (let k = count; k < 5; k++) tuple = tuple * 85 + 84;
    const bytes = [(tuple >>> 24) & 0xff, (tuple >>> 16) & 0xff, (tuple >>> 8) & 0xff, tuple & 0xff];
    for (let k = 0; k < count - 1; k++) out[n++] = bytes[k];
  }
  return { data: out.subarray(0, n), partial: !end };
}

function runLength(data: Uint8Array): Decoded {
  const out: number[] = [];
  let i = 0;
  let end = false;
  while (i < data.length) {
    const len = data[i++];
    if (len === 128) {
      end = true;
      break;
    }
    if (len < 128) {
      for (let k = 0; k <= len && i < data.length; k++) out.push(data[i++]);
    } else {
      const b = data[i++];
      for (let k = 0; k < 257 - len; k++) out.push(b);
    }
  }
  return { data: Uint8Array.from(out), partial: !end };
}

/** PNG (10-15) and TIFF (2) predictors. */
export function unpredict(data: Uint8Array, predictor: number, colors: number, bpc: number, columns: number): Uint8Array {
  if (predictor < 2) return data;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowBytes = Math.ceil((colors * bpc * columns) / 8);
  if (rowBytes <= 0) return data;
  if (predictor === 2) {
    if (bpc !== 8) return data;
    const out = data.slice();
    for (let r = 0; r + rowBytes <= out.length; r += rowBytes)
      for (let i = bpp; i < rowBytes; i++) out[r + i] = (out[r + i] + out[r + i - bpp]) & 0xff;
    return out;
  }
  const rows = Math.floor(data.length / (rowBytes + 1));
  const out = new Uint8Array(rows * rowBytes);
  let prevRow = new Uint8Array(rowBytes);
  for (let r = 0; r < rows; r++) {
    const src = r * (rowBytes + 1);
    const type = data[src];
    const row = out.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let i = 0; i < rowBytes; i++) {
      const x = data[src + 1 + i];
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prevRow[i];
      const c = i >= bpp ? prevRow[i - bpp] : 0;
      let v: number;
      switch (type) {
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a),
            pb = Math.abs(p - b),
            pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          v = x;
      }
      row[i] = v & 0xff;
    }
    prevRow = row;
  }
  return out;
}

export const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'CCITTFaxDecode', 'CCF', 'JBIG2Decode']);

export interface FilterParams {
  Predictor?: number;
  Colors?: number;
  BitsPerComponent?: number;
  Columns?: number;
  EarlyChange?: number;
}

/** Applies one filter. Returns null for image codecs and unknown filters. */
export function applyFilter(name: string, data: Uint8Array, params: FilterParams | null, cap: number): Decoded | null {
  let r: Decoded;
  switch (name) {
    case 'FlateDecode':
    case 'Fl':
      r = inflate(data, cap);
      break;
    case 'LZWDecode':
    case 'LZW':
      r = lzw(data, params?.EarlyChange ?? 1, cap);
      break;
    // A stream that ends before its end-of-data marker (required of these four) was cut: what it
    // holds is read, and the stream is not called whole.
    case 'ASCIIHexDecode':
    case 'AHx':
      return asciiHex(data);
    case 'ASCII85Decode':
    case 'A85':
      return ascii85(data);
    case 'RunLengthDecode':
    case 'RL':
      return runLength(data);
    case 'Crypt':
      return { data, partial: false };
    default:
      return null;
  }
  if (params && (params.Predictor ?? 1) > 1) {
    r = {
      data: unpredict(r.data, params.Predictor ?? 1, params.Colors ?? 1, params.BitsPerComponent ?? 8, params.Columns ?? 1),
      partial: r.partial,
    };
  }
  return r;
}
