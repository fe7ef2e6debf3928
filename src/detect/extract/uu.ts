/**
 * A uuencoded file on its own (`begin 644 name` … `end`, or `begin-base64` as `uuencode -m` and
 * `bsdtar --uuencode/--b64encode` write it): each block is a member, read as the file it is. A block
 * that does not decode leaves its content unread, so the file is unscannable, never clean.
 */
import { blobOf, readBytes } from '../bytes.js';
import { uuBlocks } from './mime.js';
import { ScanError, type Extractor } from './types.js';

export const extractUu: Extractor = async function* (blob, ctx) {
  const text = new TextDecoder('utf-8').decode(await readBytes(blob));
  ctx.checkTime();
  const blocks = uuBlocks(text);
  if (blocks.length === 0) throw new ScanError('corrupt', 'a uuencoded file without a block that decodes');
  for (const uu of blocks) {
    ctx.addEntry();
    if (!uu.bytes) {
      yield { kind: 'member', name: uu.name, data: blobOf(new Uint8Array()), nameOnly: true };
      yield { kind: 'unscannable', reason: 'corrupt', detail: `the uuencoded file ${uu.name} is damaged` };
      continue;
    }
    ctx.addExpanded(uu.bytes.length);
    yield { kind: 'member', name: uu.name, data: blobOf(uu.bytes) };
  }
};
