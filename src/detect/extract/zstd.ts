/**
 * Zstandard (.zst, .tzst): all frames, decoded with fzstd (pure JavaScript, streaming) in 64 KB
 * input slices, so the output is checked chunk by chunk. The content is one member (x.tar.zst → x.tar).
 */
import { Decompress } from 'fzstd';
import { readBytes } from '../bytes.js';
import { asCorrupt, MemberSink } from './member-sink.js';
import type { Extractor } from './types.js';

const SLICE = 64 * 1024;

export const extractZstd: Extractor = async function* (blob, ctx) {
  const sink = new MemberSink('zstd stream', blob.size, ctx);
  let ended = false;
  const decoder = new Decompress((chunk, final) => {
    sink.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let at = 0; at < blob.size; at += SLICE) {
      ctx.checkTime();
      decoder.push(await readBytes(blob, at, at + SLICE), at + SLICE >= blob.size);
    }
  } catch (err) {
    throw asCorrupt(err, 'zstd');
  }
  if (!ended) throw asCorrupt(null, 'zstd');
  ctx.addEntry();
  yield { kind: 'member', name: '', data: sink.blob() };
};
