/**
 * TNEF, Outlook's winmail.dat (extract/tnef.ts): Outlook's own file from node-tnef's tests, and files written
 * to MS-OXTNEF by test/fixtures/tnef/make.py (checked with Debian's `tnef -t`): the subject, a body kept only
 * as compressed RTF or as HTML in the message's MAPI properties, an attachment's long name, and a forwarded
 * message inside, each beside its trap (秘書室).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { mutants, prng } from '../support/fuzz.js';

const DIR = join(__dirname, '../fixtures/tnef');
const scan = (name: string, bytes: Uint8Array = readFileSync(join(DIR, name))) => scanBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
/** Where each attribute ends: 6 bytes of signature and key, then level (1), id (4), length (4), data, checksum (2). */
function attributeEnds(b: Uint8Array): Set<number> {
  const ends = new Set([6]);
  for (let o = 6; o + 9 <= b.length; ends.add(o)) o += 11 + new DataView(b.buffer, b.byteOffset).getUint32(o + 5, true);
  return ends;
}
const KINDS = ['subject', 'rtf-body', 'html-body', 'long-name', 'embedded'];

describe('TNEF (winmail.dat)', () => {
  it.each(KINDS)('%s: the stamp is found, the trap is clean', async (kind) => {
    expect(await scan(`${kind}-stamp.dat`)).toMatchObject({ verdict: 'marked', format: 'tnef' });
    expect(await scan(`${kind}-trap.dat`)).toMatchObject({ verdict: 'clean', format: 'tnef' });
  });

  it('the long name is what rule 2 reads, not the 8.3 title', async () => {
    expect(await scan('long-name-stamp.dat')).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘—見積.txt' });
  });

  it("Outlook's own winmail.dat, alone and in a mail, is read to the end: clean, not unscannable", async () => {
    expect(await scan('outlook-attachments.dat')).toMatchObject({ verdict: 'clean', format: 'tnef' });
    expect(await scan('mail-outlook-winmail.eml')).toMatchObject({ verdict: 'clean', format: 'eml' });
    expect(await scan('mail-rtf-body-stamp.eml')).toMatchObject({ verdict: 'marked', location: { path: ['winmail.dat'] } });
  });

  it('a file cut short or failing its checksum is unscannable, and says which', async () => {
    expect(await scan('cut-short.dat')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('cut short') });
    expect(await scan('bad-checksum.dat')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('checksum') });
  });

  it('damaged copies of a stamped file are never clean', async () => {
    for (const kind of KINDS) {
      const name = `${kind}-stamp.dat`;
      const seed = new Uint8Array(readFileSync(join(DIR, name)));
      const ends = attributeEnds(seed);
      for (const m of mutants(seed, 80, prng(11))) {
        // TNEF has no end marker: cut exactly after an attribute, it is a shorter stream, complete as it is.
        if (m.cut !== undefined && ends.has(m.cut)) continue;
        // Without its signature no reader (Outlook, tnef, ytnef) opens it: it is bytes of an unknown kind.
        if (m.at.some((i) => i < 4)) continue;
        expect((await scan(name, m.bytes)).verdict, `${name}: ${m.what}`).not.toBe('clean');
      }
    }
  });
});
