/**
 * Windows metafiles (test/fixtures/metafile: LibreOffice 7.4 exports of a drawing): text records are
 * runs placed by coordinates, joined by baseline. In the stamped drawing 「秘」 and 「Confidential」 are
 * two records (and in the WMF, GBK-encoded under a GB2312 font), so the bytes never hold the stamp.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { zip } from '../support/zip-build.js';

const DIR = join(__dirname, '../fixtures/metafile');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);

describe('EMF and WMF', () => {
  it.each(['libreoffice-stamp.emf', 'libreoffice-stamp.wmf'])('%s: the stamp drawn as two runs is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'drawing' } });
  });

  it.each(['libreoffice-clean.emf', 'libreoffice-clean.wmf'])('%s (秘書室より / Confidential on another line) is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean', format: 'metafile' });
  });

  it('a record that runs past the end is damage, not clean', async () => {
    const emf = bytes('libreoffice-stamp.emf');
    const cut = emf.slice(0, 200);
    expect(await scanBlob(new Blob([cut]), 'x.emf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  /** The byte offsets of each record's end, in order (EMF: size at +4; WMF: size in words at +0, after the header). */
  function recordEnds(b: Uint8Array, emf: boolean): number[] {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const ends: number[] = [];
    let at = emf ? 0 : (v.getUint32(0, true) === 0x9ac6cdd7 ? 22 : 0);
    if (!emf) at += v.getUint16(at + 2, true) * 2;
    while (at + 8 <= b.length) {
      at += emf ? v.getUint32(at + 4, true) : v.getUint32(at, true) * 2;
      ends.push(at);
    }
    return ends;
  }

  it.each(['libreoffice-stamp.emf', 'libreoffice-stamp.wmf', 'libreoffice-clean.wmf'])(
    '%s cut at a record boundary, before its end-of-file record: damage, not clean',
    async (name) => {
      const b = bytes(name);
      const ends = recordEnds(b, name.endsWith('.emf'));
      // Each cut before the last record (the end-of-file one), at the first record's end and at half the records.
      for (const end of [ends[0], ends[Math.floor(ends.length / 2)], ends[ends.length - 2]]) {
        const r = await scanBlob(new Blob([b.slice(0, end)]), name);
        if (r.verdict === 'marked') continue; // the stamp's records came before the cut: marked is right
        expect(r).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
        expect(r.verdict === 'unscannable' && r.detail).toMatch(/cut short/);
      }
    },
  );

  it('a stamp drawn before the damage still marks the drawing', async () => {
    const b = bytes('libreoffice-stamp.wmf');
    const ends = recordEnds(b, false);
    const r = await scanBlob(new Blob([b.slice(0, ends[ends.length - 2])]), 'x.wmf');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('a picture in a Word document is read too (word/media/image1.emf)', async () => {
    const docx = zip({
      '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="emf" ContentType="image/x-emf"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      '_rels/.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
      'word/document.xml': '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>図を参照</w:t></w:r></w:p></w:body></w:document>',
      'word/media/image1.emf': bytes('libreoffice-stamp.emf'),
    });
    expect(await scanBlob(new Blob([docx]), '報告書.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['word/media/image1.emf'] } });
  });
});
