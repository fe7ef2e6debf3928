/**
 * A file embedded in a document as an icon (an OLE package object: Word's and LibreOffice's "Insert >
 * Object > Create from file") is read as a file of its own, in every container a producer keeps it in:
 * RTF's OLE1 \objdata, .doc's ObjectPool storage, and the compound file at the root of OOXML's
 * word/embeddings/oleObject1.bin and ODF's `Object 1`. Before, the last two were read as bytes only, so a
 * marked PDF or document embedded in a .docx or .odt was called clean. And compound files no reader here
 * knows, or protected by rights management, are not clean. Fixtures: test/fixtures/ole-objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { parseOle10Native } from '../../src/detect/extract/ole2.js';
import { zip } from '../support/zip-build.js';
import { unzipSync, zipSync } from 'fflate';

const FIX = join(__dirname, '../fixtures/ole-objects');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(FIX, name))]), name);
const FORMATS = ['rtf', 'doc', 'docx', 'odt'];

describe('a file embedded as an icon', () => {
  it.each(FORMATS)('a marked PDF in .%s: marked, at the PDF’s page, under the name shown in the document', async (ext) => {
    const r = await scan(`embedded-pdf.${ext}`);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['仕様書.pdf'], page: 3 } });
  });

  it.each(FORMATS)('a marked Word document in .%s: marked, in its body', async (ext) => {
    const r = await scan(`embedded-docx.${ext}`);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['議事録.docx'], area: 'body' } });
  });

  it.each(FORMATS)('a clean text file named 秘－メモ.txt in .%s: marked by its name', async (ext) => {
    const r = await scan(`embedded-name.${ext}`);
    expect(r).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘－メモ.txt'] } });
  });

  it.each(FORMATS)('a clean document in .%s: clean', async (ext) => {
    expect((await scan(`embedded-clean.${ext}`)).verdict).toBe('clean');
  });

  it('PowerPoint 97–2003 (the object zlib-compressed in the presentation’s stream): a marked PDF found, a clean document clean', async () => {
    expect(await scan('embedded-pdf.ppt')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['仕様書.pdf'], page: 3 } });
    expect((await scan('embedded-clean.ppt')).verdict).toBe('clean');
  });

  it.each([
    ['object-contents.bin', { path: ['(embedded object)'], page: 3 }],
    ['object-package.bin', { path: ['(embedded object)'], area: 'body' }],
  ])('%s (Acrobat’s PDF, a Package document) in word/embeddings of a .docx: marked', async (object, location) => {
    const parts = unzipSync(readFileSync(join(FIX, 'embedded-clean.docx')));
    parts['word/embeddings/oleObject1.bin'] = readFileSync(join(FIX, object));
    expect(await scanBlob(new Blob([zipSync(parts)]), '報告書.docx')).toMatchObject({ verdict: 'marked', rule: 1, location });
  });

  it('the name’s UTF-16 copy after the data is the name (docx’s EmbeddedFileRun writes 秘-memo.txt as _-memo.txt in ANSI; it was clean)', async () => {
    const js = (name: string) => scanBlob(new Blob([readFileSync(join(FIX, '../js-producers', name))]), name);
    expect(await js('docx-embedded-name.docx')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘-memo.txt'] } });
    expect((await js('docx-embedded-name-trap.docx')).verdict).toBe('clean');
  });

  it('an OLE1 Package’s native data has no size in front; \\x01Ole10Native has one', () => {
    const enc = new TextEncoder();
    const body = [Uint8Array.of(2, 0), enc.encode('a.txt\0C:\\a.txt\0'), new Uint8Array(8), enc.encode('C:\\t\\a.txt\0'), Uint8Array.of(3, 0, 0, 0), enc.encode('abc')];
    const bare = new Uint8Array(body.reduce((n, p) => n + p.length, 0));
    body.reduce((o, p) => (bare.set(p, o), o + p.length), 0);
    const sized = new Uint8Array(4 + bare.length);
    sized.set(bare, 4);
    for (const [b, s] of [[bare, false], [sized, true]] as const) {
      const m = parseOle10Native(b, s);
      expect(m.name).toBe('a.txt');
      expect(new TextDecoder().decode(m.data)).toBe('abc');
    }
  });
});

describe('compound files of a kind not read here', () => {
  it('a Windows Installer package (its files in a compressed cabinet) is unscannable, named, whatever it installs', async () => {
    for (const name of ['installer-marked.msi', 'installer-clean.msi']) {
      expect(await scan(name), name).toMatchObject({
        verdict: 'unscannable',
        reason: 'unsupported',
        detail: 'a compound document of a kind not read here (Windows Installer package)',
      });
    }
  });

  it.each(['docx', 'rtf'])('embedded in a .%s as an object, the same package is searched by its bytes and the document stays clean', async (ext) => {
    expect((await scan(`embedded-installer.${ext}`)).verdict).toBe('clean');
  });

  it('Windows’ thumbnail cache (Thumbs.db) holds pictures: clean, and so is a folder zipped with it', async () => {
    expect((await scan('Thumbs.db')).verdict).toBe('clean');
    const read = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
    const folder = zip({ '資料/Thumbs.db': read('Thumbs.db'), '資料/議事録.docx': read('embedded-clean.docx') });
    expect((await scanBlob(new Blob([folder]), '資料.zip')).verdict).toBe('clean');
    const withInstaller = zip({ '資料/Thumbs.db': read('Thumbs.db'), '資料/setup.msi': read('installer-clean.msi') });
    expect(await scanBlob(new Blob([withInstaller]), '資料.zip')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', location: { path: ['資料/setup.msi'] } });
  });

  it('their property sets, left unencrypted, are read first: a stamp (or a sensitivity label) there marks the file', async () => {
    expect(await scan('irm-props.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'properties' } });
  });

  it.each(['irm-ooxml.docx', 'irm-binary.doc'])('%s, protected by rights management (IRM), is encrypted, not its placeholder', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason: 'encrypted', detail: 'Office document protected by rights management (IRM)' });
  });
});

describe('an RTF object whose data does not hold together', () => {
  it('the marked document embedded in an RTF, with part of its \\objdata hex lost (NULs, stray bytes): unscannable, not clean', async () => {
    const rtf = Buffer.from(readFileSync(join(FIX, 'embedded-docx.rtf')));
    const hex = rtf.indexOf('\\objdata') + 200;
    for (const [what, damage] of [
      ['512 NULs', (b: Buffer) => b.fill(0, hex, hex + 512)],
      ['a byte lost', (b: Buffer) => b.fill(0x20, hex + 300, hex + 301)],
    ] as const) {
      const r = await scanBlob(new Blob([new Uint8Array(damage(Buffer.from(rtf)))]), '議事録入り.rtf');
      expect(r, what).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', location: { area: 'embedded object' } });
    }
  });

  it('a linked object (its data only names a file elsewhere) is nothing to read: clean', async () => {
    // [MS-OLEDS] 2.2.5 LinkedObject: OLEVersion, FormatID 1, then class, topic and item names.
    const hex = Buffer.concat([Buffer.from([1, 5, 0, 0, 1, 0, 0, 0]), Buffer.from([6, 0, 0, 0]), Buffer.from('Excel\0'), Buffer.from([11, 0, 0, 0]), Buffer.from('C:\\a\\b.xls\0')]).toString('hex');
    const rtf = `{\\rtf1\\ansi{\\object\\objlink{\\*\\objclass Excel.Sheet.8}{\\*\\objdata ${hex}}{\\result 表は別ファイル}}\\par}`;
    expect(await scanBlob(new Blob([rtf]), 'link.rtf')).toMatchObject({ verdict: 'clean' });
  });
});

describe('an embedded file whose \\x01Ole10Native header is damaged', () => {
  // Zeros over the 100 bytes before the file: the label, paths and data size read as empty and 0.
  const damaged = (name: string) => {
    const b = Buffer.from(readFileSync(join(FIX, name)));
    const at = [b.indexOf('PK\x03\x04'), b.indexOf('%PDF-')].find((i) => i > 0)!;
    b.fill(0, at - 100, at);
    return scanBlob(new Blob([new Uint8Array(b)]), name);
  };
  it('a marked document or PDF behind it is still read (the stream as it is): marked, not clean', async () => {
    expect(await damaged('embedded-docx.doc')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await damaged('embedded-pdf.doc')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('a clean one is unscannable, saying the header is damaged', async () => {
    expect(await damaged('embedded-clean.doc')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('header is damaged') });
  });
});
