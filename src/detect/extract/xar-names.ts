/**
 * xar (bsdtar --format xar; macOS installer packages and Safari extensions are xar): its members' data are
 * not read here, so an xar is unscannable; but its table of contents, a zlib-compressed XML document after the
 * 28-byte header, lists each member's <name> (base64 where its bytes are not UTF-8), as `xar -t` and
 * `bsdtar -t` show them: each faces rule 2 first.
 */
import { nameReadings, readBytes, u32be } from '../bytes.js';
import { ExpansionGuard } from './expansion-guard.js';
import { unzlib } from './inflate.js';
import { decodeBase64 } from './rfc2047.js';
import { decodeEntities } from './xml-text.js';
import type { ExtractContext } from './types.js';

const XAR_MAGIC = 'xar!';

/** The member names an xar's table of contents lists; [] when `blob` is no xar. Damage is thrown (ScanError). */
export async function xarNames(blob: Blob, ctx: ExtractContext): Promise<string[]> {
  const h = await readBytes(blob, 0, 28);
  if (h.length < 28 || new TextDecoder('latin1').decode(h.subarray(0, 4)) !== XAR_MAGIC) return [];
  const headerSize = (h[4] << 8) | h[5];
  const packed = u32be(h, 8) * 2 ** 32 + u32be(h, 12);
  const guard = new ExpansionGuard(ctx, { name: 'the xar table of contents', declared: u32be(h, 16) * 2 ** 32 + u32be(h, 20) });
  guard.consumed(packed);
  await unzlib(blob.slice(headerSize, headerSize + packed), guard);
  const toc = new TextDecoder().decode(guard.bytes());
  const names: string[] = [];
  for (const m of toc.matchAll(/<name(\s+enctype="base64")?\s*>([^<]*)<\/name>/g)) {
    ctx.checkTime();
    const raw = decodeEntities(m[2]);
    if (!m[1]) names.push(raw);
    else {
      const d = decodeBase64(raw);
      if (!d.bad) names.push(...nameReadings(d.bytes));
    }
  }
  return [...new Set(names)];
}
