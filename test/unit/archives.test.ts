/**
 * ZIP, tar and gzip: real archives from python zipfile / tarfile / gzip, Info-ZIP `zip -P` and GNU
 * gzip (test/fixtures/office/make.py → archives/), plus variants built here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractZip } from '../../src/detect/extract/zip.js';
import { extractTar, isTarHeader, paxRecords } from '../../src/detect/extract/tar.js';
import { extractGzip } from '../../src/detect/extract/gzip.js';
import { decodeXml, openZip, readZipDirectory, readZipEntry } from '../../src/detect/extract/zip-reader.js';
import { ScanError } from '../../src/detect/extract/types.js';
import { collect, testContext } from '../support/extract.js';
import { zip } from '../support/zip-build.js';
import { zipSync } from 'fflate';
import { crc32 } from '../../src/detect/crc32.js';

const ARC = join(__dirname, '../fixtures/office/archives');
const OFFICE = join(__dirname, '../fixtures/office');
const bytes = (n: string) => new Uint8Array(readFileSync(join(ARC, n)));
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const scan = (n: string, opts = {}) => scanBlob(blob(bytes(n)), n, opts);
const enc = (s: string) => new TextEncoder().encode(s);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return null;
  } catch (e) {
    return e;
  }
}

describe('ZIP: Info-ZIP\'s Unicode Path field (0x7075)', () => {
  // What unzip 6.0 and 7-Zip 26 extract as 秘—計画.txt (checked here with both): a header name
  // `notes.txt`, and the field with the CRC-32 of that name and the UTF-8 name.
  const withPath = (header: string, shown: string, crcOf = header) => {
    const utf8 = new TextEncoder().encode(shown);
    const field = new Uint8Array(5 + utf8.length);
    field[0] = 1;
    new DataView(field.buffer).setUint32(1, crc32(new TextEncoder().encode(crcOf)), true);
    field.set(utf8, 5);
    return zipSync({ [header]: [new TextEncoder().encode('meeting notes\n'), { extra: { 0x7075: field } }] }) as Uint8Array<ArrayBuffer>;
  };
  it('the name archivers show is the one checked: 秘—計画.txt stored as notes.txt marks the archive (rule 2)', async () => {
    const r = await scanBlob(blob(withPath('notes.txt', '秘—計画.txt')), 'a.zip');
    expect(r).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—計画.txt'] } });
  });
  it('a field whose CRC is not that of the header name is ignored, as unzip and 7-Zip ignore it', async () => {
    const entries = await readZipDirectory(blob(withPath('notes.txt', '秘—計画.txt', 'other.txt')), testContext());
    expect(entries.map((e) => e.name)).toEqual(['notes.txt']);
    expect(await scanBlob(blob(withPath('notes.txt', '議事録.txt')), 'a.zip')).toMatchObject({ verdict: 'clean' });
  });
});

describe("ZIP comments, which archivers show beside the list of files (Info-ZIP 3.0, Python's zipfile: make-comments.sh)", () => {
  it.each(['comment-archive-stamp.zip', 'comment-member-stamp.zip', 'comment-archive-sjis-stamp.zip'])('%s: the stamp in a comment marks the archive', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { path: [], area: 'comments' } });
  });
  it('a comment 「秘書室 Confidential の連絡先は別紙」 is clean; each comment is read as it is', async () => {
    expect(await scan('comment-archive-trap.zip')).toMatchObject({ verdict: 'clean' });
    const entries = await readZipDirectory(blob(bytes('comment-member-stamp.zip')), testContext());
    expect(entries.map((e) => e.comment)).toEqual(['秘 Confidential']);
  });
  it('two comments are read apart, as `unzip -v` lists them (a member\'s name and sizes between): 「社外秘」 then 「Confidential draft」 is clean, 「秘 Confidential」 in one still marks', async () => {
    const withComments = (archive: string, ...members: string[]) =>
      zipSync(Object.fromEntries(members.map((c, i) => [`m${i}.txt`, [new Uint8Array([0x61]), { comment: c }]])), archive ? ({ comment: archive } as never) : undefined);
    expect(await scanBlob(blob(withComments('', '取扱区分: 社外秘', 'Confidential draft')), 'c.zip')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(blob(withComments('取扱区分: 社外秘', 'Confidential draft')), 'c.zip')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(blob(withComments('', 'v2', '取扱区分: 秘 Confidential')), 'c.zip')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'comments' } });
  });
});

describe('ZIP: member names in CP932 without the UTF-8 flag', () => {
  it('names are decoded as Shift_JIS', async () => {
    const entries = await readZipDirectory(blob(bytes('cp932-names.zip')), testContext());
    expect(entries.map((e) => e.flags & 0x800)).toEqual([0, 0]);
    expect(entries.map((e) => e.name)).toEqual(['議事録/報告書.txt', expect.stringMatching(/^秘[―—]x\.txt$/)]);
    const clean = await readZipDirectory(blob(bytes('cp932-clean.zip')), testContext());
    expect(clean.map((e) => e.name)).toEqual(['議事録/報告書.txt', '秘書室/連絡.txt']);
  });
  it('a member named 秘―x.txt (94 E9 81 5C) marks the archive by rule 2, with the path', async () => {
    const r = await scan('cp932-names.zip');
    expect(r).toMatchObject({ verdict: 'marked', rule: 2, reason: 'name', format: 'zip' });
    expect(r.verdict === 'marked' && r.location.path).toEqual([expect.stringMatching(/^秘[―—]x\.txt$/)]);
  });
  it('CP932 content inside is decoded too; traps (秘書室/, 社外秘) are clean', async () => {
    expect((await scan('cp932-clean.zip')).verdict).toBe('clean');
    expect((await scan('cp932-clean.zip', { designated: { keywords: ['特記事項'] } })).verdict).toBe('marked');
  });
  it('UTF-8 names with the flag (fflate) are read as UTF-8', async () => {
    const entries = await readZipDirectory(blob(zip({ '資料/秘—設計.txt': 'x' })), testContext());
    expect(entries[0]).toMatchObject({ name: '資料/秘—設計.txt', isDir: false, encrypted: false });
  });
});

describe('ZIP64', () => {
  it('the ZIP64 end record and 0x0001 extra fields give the real counts, sizes and offsets', async () => {
    const b = bytes('zip64.zip');
    // the classic end record says "see ZIP64"
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect(dv.getUint16(b.length - 22 + 10, true)).toBe(0xffff);
    expect(dv.getUint32(b.length - 22 + 16, true)).toBe(0xffffffff);
    const entries = await readZipDirectory(blob(b), testContext());
    expect(entries.map((e) => [e.name, e.size, e.compressedSize])).toEqual([
      ['a.txt', 12, 12],
      ['b/memo.txt', enc('取扱区分：秘 Confidential').length, enc('取扱区分：秘 Confidential').length],
    ]);
    expect(new TextDecoder().decode(await readZipEntry(blob(b), entries[1], testContext()))).toBe('取扱区分：秘 Confidential');
  });
  it('the stamp in a ZIP64 member → marked with the path; the clean twin is clean', async () => {
    expect(await scan('zip64.zip')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['b/memo.txt'] } });
    expect((await scan('zip64-clean.zip')).verdict).toBe('clean');
  });
});

describe('ZIP: stored (method 0) members', () => {
  it('are read as slices of the archive', async () => {
    const b = blob(bytes('stored.zip'));
    const entries = await readZipDirectory(b, testContext());
    expect(entries.every((e) => e.method === 0)).toBe(true);
    const items = await collect(extractZip, b);
    const docx = items.find((x) => x.kind === 'member' && x.name === 'docs/footer.docx');
    expect(docx?.kind === 'member' && new Uint8Array(await docx.data.arrayBuffer())).toEqual(new Uint8Array(readFileSync(join(OFFICE, 'writer-footer-only.docx'))));
  });
  it('a stored text member with the stamp marks the archive', async () => {
    expect(await scan('stored.zip')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['docs/memo.txt'] } });
    expect((await scan('stored-clean.zip')).verdict).toBe('clean');
  });
  it('a stored docx inside a stored zip: path and part', async () => {
    const inner = zip({ 'in/footer.docx': new Uint8Array(readFileSync(join(OFFICE, 'writer-footer-only.docx'))) }, 0);
    const outer = zip({ 'readme.txt': 'hi', 'nested.zip': inner }, 0);
    expect(await scanBlob(blob(outer), 'o.zip')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      location: { path: ['nested.zip', 'in/footer.docx'], part: 'word/footer1.xml', area: 'footer' },
    });
  });
});

describe('ZIP: encrypted members (Info-ZIP ZipCrypto)', () => {
  it('a member named 秘—… is marked by its name although it cannot be read', async () => {
    const entries = await readZipDirectory(blob(bytes('enc-marked-name.zip')), testContext());
    expect(entries[0]).toMatchObject({ name: '秘—secret.txt', encrypted: true });
    expect(await scan('enc-marked-name.zip')).toMatchObject({ verdict: 'marked', rule: 2, reason: 'name', location: { path: ['秘—secret.txt'] } });
  });
  it('a member with a plain name → unscannable: encrypted, naming the member', async () => {
    const r = await scan('enc-plain.zip');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'encrypted', location: { path: [], part: 'plain.txt' } });
    expect(r.verdict === 'unscannable' && r.detail).toContain('plain.txt');
  });
  it('readZipEntry refuses an encrypted member with ScanError(encrypted)', async () => {
    const b = blob(bytes('enc-plain.zip'));
    const [e] = await readZipDirectory(b, testContext());
    const err = await rejection(readZipEntry(b, e, testContext()));
    expect(err).toBeInstanceOf(ScanError);
    expect((err as ScanError).reason).toBe('encrypted');
  });
  it('AES (method 99) counts as encrypted', async () => {
    const z = zip({ 'a.txt': 'hello' }, 0);
    const dv = new DataView(z.buffer);
    for (let i = 0; i + 4 < z.length; i++) {
      if (dv.getUint32(i, true) === 0x04034b50) dv.setUint16(i + 8, 99, true);
      if (dv.getUint32(i, true) === 0x02014b50) dv.setUint16(i + 10, 99, true);
    }
    expect(await scanBlob(blob(z), 'aes.zip')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });
  it('an encrypted or unreadable document member says why (password, method), not that an empty document is damaged', async () => {
    const withMethod = (method: number, flags: number) => {
      const z = zip({ '報告書.docx': 'PK not really' }, 0);
      const dv = new DataView(z.buffer);
      for (let i = 0; i + 4 < z.length; i++) {
        if (dv.getUint32(i, true) === 0x04034b50) {
          dv.setUint16(i + 8, method, true);
          dv.setUint16(i + 6, flags, true);
        }
        if (dv.getUint32(i, true) === 0x02014b50) {
          dv.setUint16(i + 10, method, true);
          dv.setUint16(i + 8, flags, true);
        }
      }
      return blob(z);
    };
    expect(await scanBlob(withMethod(8, 1), 'a.zip')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted', location: { part: '報告書.docx' } });
    expect(await scanBlob(withMethod(99, 1), 'a.zip')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
    expect(await scanBlob(withMethod(9, 0), 'a.zip')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
});

describe('ZIP: damaged archives', () => {
  it('no end record → ScanError(corrupt)', async () => {
    const err = await rejection(readZipDirectory(blob(enc('PK\x03\x04 not really a zip')), testContext()));
    expect((err as ScanError).reason).toBe('corrupt');
  });
  /** Offset of the end of central directory record. */
  const eocd = (z: Uint8Array) => {
    const dv = new DataView(z.buffer, z.byteOffset, z.byteLength);
    for (let i = z.length - 22; i >= 0; i--) if (dv.getUint32(i, true) === 0x06054b50) return i;
    throw new Error('no end record');
  };
  it('an end record whose entry counts and directory size were zeroed, in an archive that holds files → corrupt, not empty', async () => {
    const z = zip({ 'memo.txt': '取扱：秘 Confidential' });
    z.fill(0, eocd(z) + 8, eocd(z) + 16); // entries on this disk, entries in all, directory size
    expect(await scanBlob(blob(z), 'memo.zip')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    // A real empty archive (the end record alone) is clean.
    expect(await scanBlob(blob(zipSync({})), 'empty.zip')).toMatchObject({ verdict: 'clean' });
  });
  it('an archive comment cut short → corrupt (the stamp may have been in it)', async () => {
    const z = zipSync({ 'a.txt': new Uint8Array([0x61]) }, { comment: '取扱：秘 Confidential' } as never);
    expect(await scanBlob(blob(z), 'c.zip')).toMatchObject({ verdict: 'marked' });
    expect(await scanBlob(blob(z.subarray(0, z.length - 5)), 'c.zip')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('an OpenDocument file without content.xml (its name damaged in the directory) → corrupt', async () => {
    const odt = (content: string) => zip({ mimetype: 'application/vnd.oasis.opendocument.text', [content]: '<office:document-content><office:body><office:text><text:p>秘 Confidential</text:p></office:text></office:body></office:document-content>', 'META-INF/manifest.xml': '<manifest:manifest/>' });
    expect(await scanBlob(blob(odt('content.xml')), 'a.odt')).toMatchObject({ verdict: 'marked' });
    expect(await scanBlob(blob(odt('conteNt.xml')), 'a.odt')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('a directory whose method (bzip2 = 12) disagrees with the local header (deflate) → unscannable corrupt with the member name', async () => {
    const z = zip({ 'a.txt': 'hello hello hello' });
    const dv = new DataView(z.buffer);
    for (let i = 0; i + 4 < z.length; i++) if (dv.getUint32(i, true) === 0x02014b50) dv.setUint16(i + 10, 12, true);
    const r = await scanBlob(blob(z), 'bz.zip');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(r.verdict === 'unscannable' && r.detail).toContain('a.txt');
  });
  it('a central directory pointing past the end → corrupt', async () => {
    const z = zip({ 'a.txt': 'x' });
    const dv = new DataView(z.buffer);
    dv.setUint32(z.length - 22 + 16, z.length + 100, true);
    expect(await scanBlob(blob(z), 'z.zip')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('openZip reads parts by name; decodeXml honours UTF-16 BOMs', async () => {
    const z = await openZip(blob(zip({ 'a.xml': '<a>秘</a>' })), testContext());
    expect(z.has('a.xml')).toBe(true);
    expect(await z.text('a.xml')).toBe('<a>秘</a>');
    expect(await z.read('missing.xml')).toBeNull();
    expect(decodeXml(Uint8Array.from([0xff, 0xfe, 0xd8, 0x79]))).toBe('秘');
    expect(decodeXml(Uint8Array.from([0xfe, 0xff, 0x79, 0xd8]))).toBe('秘');
  });
});

const LONG = 'very-long-folder-name-' + 'x'.repeat(90);

describe('tar', () => {
  it('ustar with a prefix field (path > 100 bytes): the full path is joined', async () => {
    const items = await collect(extractTar, bytes('ustar.tar'));
    expect(items.map((x) => x.kind === 'member' && x.name)).toEqual(['docs/readme.txt', `${'p'.repeat(80)}/${'q'.repeat(60)}/memo.txt`]);
    expect(await scan('ustar.tar')).toMatchObject({ verdict: 'marked', rule: 1, format: 'tar', location: { path: [`${'p'.repeat(80)}/${'q'.repeat(60)}/memo.txt`] } });
  });
  it('GNU long name (././@LongLink, type L) > 100 chars: 秘—long.txt at the end marks the archive', async () => {
    const items = await collect(extractTar, bytes('gnu-longname.tar'));
    expect(items.map((x) => x.kind === 'member' && x.name)).toEqual(['readme.txt', `${LONG}/秘—long.txt`]);
    expect(await scan('gnu-longname.tar')).toMatchObject({ verdict: 'marked', rule: 2, reason: 'name', location: { path: [`${LONG}/秘—long.txt`] } });
  });
  it('pax extended header path= (UTF-8 name)', async () => {
    expect(await scan('pax-path.tar')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['資料/秘—pax.txt'] } });
  });
  it('clean tar → clean; member data are exact slices', async () => {
    expect(await scan('ustar-clean.tar')).toMatchObject({ verdict: 'clean', format: 'tar' });
    const [m] = await collect(extractTar, bytes('ustar-clean.tar'));
    expect(m.kind === 'member' && (await m.data.text())).toBe('社外秘 秘書室');
  });
  it('a damaged header checksum → corrupt; a truncated member → corrupt', async () => {
    const b = bytes('ustar.tar').slice();
    expect(isTarHeader(b.subarray(0, 512))).toBe(true);
    b[0] ^= 1;
    expect(isTarHeader(b.subarray(0, 512))).toBe(false);
    expect(await scanBlob(blob(b), 'bad.tar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    // cut inside the data of the second member
    const cut = bytes('ustar.tar').subarray(0, 512 * 3 + 5);
    expect(await scanBlob(blob(cut), 'cut.tar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('a header zeroed in the middle (a lone zero block, data after it) → corrupt, not the members before it alone', async () => {
    const b = bytes('ustar.tar').slice();
    b.fill(0, 1024, 1536); // the second member's (the marked memo.txt's) header
    expect(await scanBlob(blob(b), 'zeroed.tar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    // The end of an archive: zero blocks to the end of the file, however many.
    const padded = new Uint8Array(b.length + 8192);
    padded.set(bytes('ustar-clean.tar'));
    expect(await scanBlob(blob(padded), 'padded.tar')).toMatchObject({ verdict: 'clean' });
  });
  it('a pax extended header that does not hold together → corrupt (GNU tar: "Malformed extended header")', async () => {
    const b = bytes('pax-path.tar').slice();
    const at = new TextDecoder('latin1').decode(b).indexOf('path=');
    expect(at).toBeGreaterThan(0);
    const data = at - (at % 512); // the extended header's data block
    b.fill(0, data + 4, data + 8); // inside its first record: its length no longer reaches its "\n"
    expect(await scanBlob(blob(b), 'pax.tar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(paxRecords(new TextEncoder().encode('30 mtime=1700000000.123456789\n21 path=資料/a.txt\n'))).toEqual(
      new Map([['mtime', '1700000000.123456789'], ['path', '資料/a.txt']]),
    );
    expect(paxRecords(new TextEncoder().encode('31 mtime=1700000000.123456789\n'))).toBeNull(); // a length one past
  });
});

describe('gzip', () => {
  it('the stamp inside note.txt.gz → path [note.txt] (the stored name)', async () => {
    expect(await scan('note.txt.gz')).toMatchObject({ verdict: 'marked', rule: 1, format: 'gzip', location: { path: ['note.txt'] } });
  });
  it('no stored name: the member is named after the archive (report.txt.gz → report.txt)', async () => {
    const b = bytes('report.txt.gz');
    expect(b[3] & 8).toBe(0); // no FNAME
    const [m] = await collect(extractGzip, b);
    expect(m).toMatchObject({ kind: 'member', name: '' });
    expect(await scan('report.txt.gz')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['report.txt'] } });
  });
  it('.tar.gz (python tarfile w:gz) → the tar inside → the member', async () => {
    expect(await scan('docs.tar.gz')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['docs.tar', 'a/b/memo.txt'] } });
  });
  it('.tgz without a stored name → x.tar → the member', async () => {
    const tgz = gzipSync(bytes('ustar.tar'));
    expect(await scanBlob(blob(tgz), 'x.tgz')).toMatchObject({ verdict: 'marked', location: { path: ['x.tar', expect.stringMatching(/memo\.txt$/)] } });
  });
  it('a clean .gz is clean; a .gz named 秘—… is marked by its own name', async () => {
    expect((await scan('clean.txt.gz')).verdict).toBe('clean');
    expect(await scanBlob(blob(bytes('clean.txt.gz')), '秘—clean.txt.gz')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: [] } });
  });
  it('not a gzip stream / damaged data → corrupt', async () => {
    expect(await scanBlob(blob(Uint8Array.from([0x1f, 0x8b, 8, 0, ...new Array(20).fill(0xff)])), 'x.gz')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const err = await rejection(collect(extractGzip, Uint8Array.from([0x1f, 0x8b, 9, 0, ...new Array(20).fill(0)])));
    expect((err as ScanError).reason).toBe('corrupt');
  });
  it('a gzip bomb (64 MiB of zeros) → unscannable: expansion-ratio', async () => {
    const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
    expect(await scanBlob(blob(bomb), 'zeros.bin.gz')).toMatchObject({ verdict: 'unscannable', reason: 'expansion-ratio' });
  });
  // GNU gzip (Linux, macOS) stores the file name's bytes as the file system spells them (UTF-8),
  // not latin1 as the spec says: the name must still be read as 秘—x.txt.
  it('GNU gzip stored name in UTF-8 (秘—x.txt, archive renamed data.gz) → marked rule 2', async () => {
    expect(await scanBlob(blob(bytes('gnu-utf8-name.gz')), 'data.gz')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—x.txt'] } });
  });
  // `cat a.gz b.gz > c.gz` is one valid gzip file (RFC 1952 §2.2): gunzip prints both members.
  it('a multi-member gzip (cat a.gz b.gz) with the stamp in the second member → marked', async () => {
    expect(await scan('two-members.txt.gz')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});
