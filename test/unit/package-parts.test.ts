/**
 * An Office or OpenDocument package whose ZIP directory lost a part's name (a byte of it damaged: unzip
 * says "mismatching local filename" and goes on with the directory's name) no longer holds that part by
 * its name: the workbook's relationships, Word's styles, styles.xml with its master pages. What the
 * part held was not read, so the file is unscannable, never clean. (Found by mutating marked fixtures.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures');

/** The file with one byte of `name` changed in the ZIP's central directory (where its last copy is). */
function renamed(path: string, name: string, to: string): Blob {
  const b = Buffer.from(readFileSync(join(FIX, path)));
  const at = b.lastIndexOf(name);
  expect(at).toBeGreaterThan(b.lastIndexOf('PK\x01\x02', at) - 1);
  expect(to.length).toBe(name.length);
  b.write(to, at, 'latin1');
  return new Blob([new Uint8Array(b)]);
}

describe('a part the package declares, missing from its ZIP directory', () => {
  it('xlsx: the workbook\'s relationships (which say where the sheets are): unscannable, not clean', async () => {
    const path = 'formula/refs/exj-formula-ref-concat.xlsx';
    expect(await scanBlob(new Blob([readFileSync(join(FIX, path))]), 'a.xlsx')).toMatchObject({ verdict: 'marked' });
    expect(await scanBlob(renamed(path, 'xl/_rels/workbook.xml.rels', 'xl/_rels/workbook.xml.2els'), 'a.xlsx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('workbook.xml.rels') });
  });
  it('docx: a part its content types list (the styles that hide 書室 between 秘 and Confidential): unscannable', async () => {
    const path = 'hidden-text/styles/w-hidden-parastyle.docx';
    expect(await scanBlob(new Blob([readFileSync(join(FIX, path))]), 'a.docx')).toMatchObject({ verdict: 'marked' });
    expect(await scanBlob(renamed(path, 'word/styles.xml', 'word/styles.Xml'), 'a.docx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('word/styles.xml') });
  });
  it('odg: styles.xml, which the manifest lists (its master page holds 秘): unscannable', async () => {
    const path = 'shape-positions/m_draw-master-split.odg';
    expect(await scanBlob(renamed(path, 'styles.xml', 'styles.Xml'), 'a.odg')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('styles.xml') });
  });
  it('the traps beside them, whole, stay clean', async () => {
    for (const path of ['hidden-text/styles/w-hidden-parastyle-trap.docx', 'shape-positions/k_draw-master-split-trap.odg', 'formula/refs/exj-refs-traps.xlsx']) {
      expect(await scanBlob(new Blob([readFileSync(join(FIX, path))]), path), path).toMatchObject({ verdict: 'clean' });
    }
  });
});

describe('a part the content types override that nothing reaches (pptxgenjs, test/fixtures/office/pptxgenjs)', () => {
  const deck = (name: string) => new Uint8Array(readFileSync(join(FIX, 'office/pptxgenjs', name)));
  const without = (b: Uint8Array, part: string) => {
    const parts = unzipSync(b);
    expect(Object.keys(parts)).toContain(part);
    delete parts[part];
    return new Blob([zipSync(parts)]);
  };

  it('a deck of two or more slides declares a slide master per slide and writes one: read, not corrupt', async () => {
    for (const name of ['k-two-slides.pptx', 'k-five-slides.pptx']) {
      const types = Buffer.from(unzipSync(deck(name))['[Content_Types].xml']).toString();
      expect(types).toContain('/ppt/slideMasters/slideMaster2.xml');
      expect(await scanBlob(new Blob([deck(name)]), name), name).toMatchObject({ verdict: 'clean' });
    }
    expect(await scanBlob(new Blob([deck('m-three-slides.pptx')]), 'm.pptx')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'ppt/slides/slide2.xml' } });
  });

  it('a part it declares that a relationship does reach (the layout, the master), missing: unscannable', async () => {
    for (const part of ['ppt/slideLayouts/slideLayout1.xml', 'ppt/slideMasters/slideMaster1.xml']) {
      expect(await scanBlob(without(deck('k-two-slides.pptx'), part), 'k.pptx'), part).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining(part) });
    }
  });
});
