// Writes icons/icon-{16,32,48,128}.png: a red shield with a white 秘-like mark (a circled dot and a bar),
// drawn with signed-distance shapes and 4×4 supersampling. Plain node:zlib, no image library.
// Run: node scripts/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in a unit square (0..1, y down).
function inShield(x, y) {
  const cx = 0.5;
  const top = 0.06, shoulder = 0.5, bottom = 0.95, half = 0.42;
  if (y < top || y > bottom) return false;
  if (y <= shoulder) return Math.abs(x - cx) <= half - (y < top + 0.08 ? (top + 0.08 - y) * 1.2 : 0);
  // Lower half tapers to a point along a curve.
  const t = (y - shoulder) / (bottom - shoulder);
  return Math.abs(x - cx) <= half * Math.sqrt(1 - t * t);
}
function inMark(x, y) {
  // A ring (the "circled" of ㊙) …
  const d = Math.hypot(x - 0.5, y - 0.47);
  if (d > 0.23 && d < 0.3) return true;
  // … with a 秘-like stroke set inside: a vertical bar, a slanted stroke and a dot.
  if (Math.abs(x - 0.5) < 0.035 && y > 0.3 && y < 0.64) return true;
  const s = (y - 0.33) - (x - 0.36) * -1.1;
  if (Math.abs(s) < 0.04 && x > 0.34 && x < 0.46 && y > 0.35 && y < 0.58) return true;
  if (Math.hypot(x - 0.6, y - 0.4) < 0.045) return true;
  if (Math.abs(y - 0.55) < 0.03 && x > 0.56 && x < 0.66) return true;
  return false;
}

function render(size) {
  const out = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          if (!inShield(x, y)) continue;
          a += 1;
          // Small icons drop the fine strokes and keep the ring, which stays legible at 16 px.
          const mark = size >= 32 ? inMark(x, y) : Math.abs(Math.hypot(x - 0.5, y - 0.47) - 0.22) < 0.09;
          if (mark) { r += 255; g += 255; b += 255; } else { r += 200; g += 30; b += 45; }
        }
      }
      const i = (py * size + px) * 4;
      const n = ss * ss;
      out[i] = a ? Math.round(r / a) : 0;
      out[i + 1] = a ? Math.round(g / a) : 0;
      out[i + 2] = a ? Math.round(b / a) : 0;
      out[i + 3] = Math.round((a / n) * 255);
    }
  }
  return out;
}

mkdirSync(new URL('../icons/', import.meta.url), { recursive: true });
for (const size of [16, 32, 48, 128]) {
  writeFileSync(new URL(`../icons/icon-${size}.png`, import.meta.url), png(size, render(size)));
}
console.log('icons written');
