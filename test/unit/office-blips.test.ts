/**
 * A PowerPoint 97-2003 file's picture store (office-blips.ts): LibreOffice saves a callout as a WMF picture
 * whose text records hold 「秘 Confidential」 (test/fixtures/ppt-pictures, make.sh); its PDF prints it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { metafileBlips } from '../../src/detect/extract/office-blips.js';

const DIR = join(__dirname, '../fixtures/ppt-pictures');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

/** An OfficeArt record: version/instance, type, then its body. */
function record(inst: number, type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, inst << 4, true);
  v.setUint16(2, type, true);
  v.setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}
/** A stored (not deflated) WMF picture record: one UID, the metafile header, the bytes. */
function wmfBlip(bytes: Uint8Array): Uint8Array {
  const body = new Uint8Array(16 + 34 + bytes.length);
  const v = new DataView(body.buffer);
  v.setUint32(16, bytes.length, true); // cbSize
  v.setUint32(16 + 28, bytes.length, true); // cbSave
  body[16 + 32] = 0xfe; // not compressed
  body.set(bytes, 50);
  return record(0x216, 0xf01b, body);
}
const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

describe('a PowerPoint picture store', () => {
  it("LibreOffice's callout drawn as a WMF picture: 「秘 Confidential」 marked, 「秘書室 Confidential」 clean", async () => {
    expect(await scan('callout-stamp.ppt')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('callout-trap.ppt')).toMatchObject({ verdict: 'clean' });
  });

  it('finds metafiles stored bare and inside an FBSE entry, and skips bitmaps', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5]);
    const fbse = new Uint8Array(36);
    const png = record(0x6e0, 0xf01e, new Uint8Array(40));
    const { blips, damaged } = metafileBlips(concat(wmfBlip(a), record(2, 0xf007, concat(fbse, wmfBlip(b))), png));
    expect(damaged).toBe(false);
    expect(blips.map((x) => [x.kind, [...x.data], x.deflated])).toEqual([
      ['wmf', [1, 2, 3], false],
      ['wmf', [4, 5], false],
    ]);
  });

  it('a store cut short is damaged, the pictures before the cut kept', () => {
    const whole = concat(wmfBlip(new Uint8Array([1])), wmfBlip(new Uint8Array([2, 2])));
    const { blips, damaged } = metafileBlips(whole.subarray(0, whole.length - 1));
    expect(damaged).toBe(true);
    expect(blips).toHaveLength(1);
  });
});
