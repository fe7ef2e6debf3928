/**
 * Containers and encodings found clean before they were recognised (test/fixtures/archives/containers):
 * those libarchive reads are read; the others, and sealed mail, are unscannable, never clean.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/containers');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('containers libarchive reads', () => {
  it.each([
    ['cpio_newc_docx.cpio', 1],
    ['cpio_bin_name.cpio', 2],
    ['ar_docx.a', 1],
    ['iso9660_joliet_name.iso', 2],
    ['tar_docx.tar.Z', 1],
    ['zip_sfx_docx.exe', 1],
    ['bsdtar_uu_docx.tar.uu', 1],
    ['v7tar_name.tar', 2],
  ])('%s → marked, rule %i', async (name, rule) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule });
  });
});

describe('containers libarchive reads, cut short: corrupt, never clean (their own framing is checked)', () => {
  const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
  it.each([
    ['cpio_newc_docx.cpio', [76, 153, 307, 0.5, 0.95]],
    ['cpio_bin_name.cpio', [112, 128, 0.5]],
    ['ar_docx.a', [54, 0.5, 0.99]],
    ['iso9660_joliet_name.iso', [37_273, 0.5, 0.9]],
    ['v7tar_name.tar', [512, 0.5]],
  ] as const)('%s cut at %j', async (name, cuts) => {
    const whole = bytes(name);
    for (const c of cuts) {
      const at = c < 1 ? Math.floor(whole.length * c) : c;
      const r = await scanBlob(new Blob([whole.slice(0, at)]), name);
      // Marked when the member that marks it was read before the cut; otherwise corrupt.
      expect(r.verdict === 'marked' || (r.verdict === 'unscannable' && r.reason === 'corrupt'), `cut at ${at}: ${r.verdict}`).toBe(true);
    }
  });
});

describe('a cpio archive with a damaged header: corrupt, never clean', () => {
  it('a byte of the docx entry\'s file size overwritten (libarchive stops there as at the end, with no error): the docx is not taken as absent', async () => {
    const b = new Uint8Array(readFileSync(join(DIR, 'cpio_newc_docx.cpio')));
    const header = Buffer.from(b).lastIndexOf('070701', Buffer.from(b).indexOf('.docx'));
    expect(header).toBeGreaterThan(0);
    b[header + 54] = 0xcf; // newc's c_filesize: eight hex digits from offset 54
    expect(await scanBlob(new Blob([b]), 'cpio_newc_docx.cpio')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it.each([
    ['cpio_newc_docx.cpio', '070701', 318], // the docx entry's c_devmajor: its sizes still parse, libarchive refuses the digit (bsdtar: "(null)")
    ['../names/cpio_newc_cp932_name.cpio', '070701', 37], // c_gid
  ])('%s: a header field other than its size with a byte that is no hex digit is damage too (found by mutating, seed 7707)', async (name, magic, at) => {
    const b = new Uint8Array(readFileSync(join(DIR, name)));
    expect(await scanBlob(new Blob([b]), name)).toMatchObject({ verdict: 'marked' });
    expect(String.fromCharCode(...b.subarray(0, 6))).toBe(magic);
    b[at] ^= 0xff;
    expect(await scanBlob(new Blob([b]), name)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it("the NUL that ends a member's name damaged (7-Zip: Headers Error): unscannable where the name no longer reads, marked where it still does (mut4)", async () => {
    // cpio_newc_cp932_name.cpio: 「秘―計画.txt」 in CP932; its NUL → 0xff made the name undecodable, read lossily
    // without 秘, and the archive was clean.
    const damagedNul = (name: string, end: string) => {
      const b = new Uint8Array(readFileSync(join(DIR, name)));
      const at = Buffer.from(b).indexOf(Buffer.from(end + '\0', 'latin1')) + end.length;
      expect(b[at]).toBe(0);
      b[at] = 0xff;
      return scanBlob(new Blob([b]), name);
    };
    expect(await damagedNul('../names/cpio_newc_cp932_name.cpio', '.txt')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('NUL') });
    expect(await damagedNul('cpio_newc_docx.cpio', 'plan.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    // Beside it: the trap archive (its text does not make the stamp) with the same damage is not marked.
    expect(await damagedNul('../concat/ac-trap.cpio', 'a.txt')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it('an odc (070707) header with a byte that is no octal digit: unscannable', async () => {
    // POSIX cpio's portable format (cpio -H odc), written to its layout: fields of octal digits.
    const odc = (name: string, data: string) => {
      const n = new TextEncoder().encode(name + '\0');
      const o = (v: number, w: number) => v.toString(8).padStart(w, '0');
      return [...new TextEncoder().encode('070707' + o(1, 6) + o(1, 6) + o(0o100644, 6) + o(0, 6) + o(0, 6) + o(1, 6) + o(0, 6) + o(0, 11) + o(n.length, 6) + o(data.length, 11)), ...n, ...new TextEncoder().encode(data)];
    };
    const b = new Uint8Array([...odc('秘—計画.txt', 'x\n'), ...odc('TRAILER!!!', '')]);
    expect(await scanBlob(new Blob([b]), 'a.cpio')).toMatchObject({ verdict: 'marked', rule: 2 });
    b[20] = 0x38; // an 8 in c_uid
    expect(await scanBlob(new Blob([b]), 'a.cpio')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('a gzip overwritten by zeros from its header on', () => {
  it('the zeros are not taken for padding after a member that was never there: its name 秘—x.txt and data lost, unscannable (found by mutating, seed 3131)', async () => {
    const b = new Uint8Array(readFileSync(join(__dirname, '../fixtures', 'office/archives/gnu-utf8-name.gz')));
    expect(await scanBlob(new Blob([b]), 'x.gz')).toMatchObject({ verdict: 'marked', rule: 2 });
    b.fill(0, 9);
    expect(await scanBlob(new Blob([b]), 'x.gz')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('a V7 tar (no ustar magic, read by libarchive) with a header overwritten by zeros', () => {
  it('the zero block ends the archive for libarchive, with no error (GNU tar: "A lone zero block"): the members after it are not absent, unscannable (found by mutating, seed 7707)', async () => {
    const b = new Uint8Array(readFileSync(join(DIR, 'v7tar_name.tar')));
    expect(await scanBlob(new Blob([b]), 'v7tar_name.tar')).toMatchObject({ verdict: 'marked', rule: 2 });
    b.fill(0, 1536, 2048); // the header of docs/秘—計画.txt
    expect(await scanBlob(new Blob([b]), 'v7tar_name.tar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('lone zero block') });
  });
});

describe('a disc image whose system area (the first 32 KiB, which readers ignore) has a stray byte', () => {
  it('libarchive lists no file, with no error (bsdtar: nothing), 7-Zip lists them all: read from the tree, and not clean (found by mutating, seed 7707)', async () => {
    const b = new Uint8Array(readFileSync(join(DIR, '../names/iso_rockridge_cp932_name.iso')));
    expect(await scanBlob(new Blob([b]), 'x.iso')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(b.subarray(0, 16 * 2048).every((x) => x === 0)).toBe(true);
    b[3] = 0x10;
    expect(await scanBlob(new Blob([b]), 'x.iso')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('libarchive listed no file') });
  });
});

describe('disc images with UDF (genisoimage -udf, gzipped here)', () => {
  const image = (name: string) => new Uint8Array(gunzipSync(readFileSync(join(DIR, name))));
  const SECTOR = 2048;
  /** The same image with its ISO 9660 descriptors gone: UDF's recognition sequence moved to sector 16. */
  function udfOnly(iso: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    const out = iso.slice();
    const id = (s: number) => new TextDecoder('latin1').decode(iso.subarray(s * SECTOR + 1, s * SECTOR + 6));
    let bea = 16;
    while (id(bea) !== 'BEA01') bea++;
    out.fill(0, 16 * SECTOR, (bea + 3) * SECTOR);
    out.set(iso.subarray(bea * SECTOR, (bea + 3) * SECTOR), 16 * SECTOR);
    return out;
  }

  it('a name that only the UDF side keeps (ISO 9660 has 8.3 names) is checked', async () => {
    const v = await scanBlob(new Blob([image('udf_hybrid_name.iso.gz')]), 'disc.iso');
    expect(v).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—計画.txt'] } });
  });

  it('a UDF-only image is read through UDF: its files, by their names', async () => {
    const iso = udfOnly(image('udf_hybrid_ctext.iso.gz'));
    expect(new TextDecoder().decode(iso.subarray(0x8001, 0x8006))).toBe('BEA01');
    expect(await scanBlob(new Blob([iso]), 'disc.iso')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['memo.txt'] } });
    const named = udfOnly(image('udf_hybrid_name.iso.gz'));
    expect(await scanBlob(new Blob([named]), 'disc.iso')).toMatchObject({ verdict: 'marked', rule: 2 });
  });

  it('a damaged UDF side is unscannable, saying so; the ISO 9660 side is still read', async () => {
    const iso = image('udf_hybrid_name.iso.gz');
    iso[256 * SECTOR + 4] ^= 0xff; // the anchor's tag checksum
    const v = await scanBlob(new Blob([iso]), 'disc.iso');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/UDF/);
    expect(await scanBlob(new Blob([udfOnly(iso)]), 'disc.iso')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('bare zlib streams (make-zlib.sh): read like gzip, checked by their Adler-32', () => {
  const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

  it.each(['pigz_ctext.zz', 'qpdf_docx.zlib', 'node_docx_level1.bin', 'git_object_ctext'])('%s → marked, as zlib', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, format: 'zlib' });
  });

  it('a clean one is clean; one cut short, flipped or with bytes after it is corrupt', async () => {
    expect(await scan('perl_traps_clean.zz')).toMatchObject({ verdict: 'clean', format: 'zlib' });
    expect(await scan('python_ctext_cut.zz')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const whole = bytes('node_docx_level1.bin');
    const flipped = whole.slice();
    flipped[whole.length - 1] ^= 1;
    for (const b of [flipped, new Uint8Array([...whole, 0x0a]), whole.slice(0, whole.length - 100)]) {
      expect(await scanBlob(new Blob([b]), 'x.bin')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
  });

  it('random bytes after a zlib header, and text that starts like one (x^2), are not taken for zlib', async () => {
    const random = new Uint8Array(50_000).map((_, i) => (i * 2654435761) >>> 13);
    random.set([0x78, 0x9c]);
    expect(await scanBlob(new Blob([random]), 'x.bin')).toMatchObject({ verdict: 'clean', format: 'binary' });
    expect(await scanBlob(new Blob(['x^2 + y^2 = 1\n']), 'x')).toMatchObject({ verdict: 'clean', format: 'text' });
  });
});

describe('web archives (WARC): wget --warc-file, bsdtar --format warc (make-warc.sh)', () => {
  const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
  const warc = (text: string) => scanBlob(new Blob([new TextEncoder().encode(text)]), 'x.warc');

  it.each([
    ['bsdtar_warc_docx.warc', 1, 'report.docx'], // a resource record: the file as it is
    ['wget_crawl_docx.warc.gz', 1, 'report.docx'], // a crawl, one gzip member per record
    ['wget_chunked_gzip.warc', 1, 'memo.txt'], // a response sent chunked and gzip-coded
    ['wget_disposition_name.warc', 2, '秘—計画.txt'], // the name the download gives (Content-Disposition)
    // bsdtar's file://name, its bytes as they are (make-warc-names.sh): UTF-8 at the top (where a URL has
    // its host) and in a folder, and EUC-JP.
    ['bsdtar_warc_name_top.warc', 2, '秘—見積.txt'],
    ['bsdtar_warc_name_folder.warc', 2, '秘—見積.txt'],
    ['bsdtar_warc_name_eucjp.warc', 2, '秘―見積.txt'],
  ])('%s → marked, rule %i, at %s', async (name, rule, member) => {
    const v = await scan(name);
    expect(v).toMatchObject({ verdict: 'marked', rule, format: name.endsWith('.gz') ? 'gzip' : 'warc' });
    expect(v.verdict === 'marked' && v.location.path).toContain(member);
  });

  it('a crawl of clean pages (requests, responses, metadata, wget\'s log) is clean', async () => {
    expect(await scan('wget_crawl_clean.warc')).toMatchObject({ verdict: 'clean', format: 'warc' });
    expect(await scan('bsdtar_warc_name_trap.warc')).toMatchObject({ verdict: 'clean', format: 'warc' });
  });

  it('a body in a content coding not undone here (br) is unscannable, saying which', async () => {
    const v = await scan('wget_brotli.warc');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/"br"/);
  });

  it('a web archive cut short, or with a record continued in another file, is unscannable', async () => {
    const whole = bytes('wget_crawl_clean.warc');
    const cut = await scanBlob(new Blob([whole.slice(0, Math.floor(whole.length * 0.7))]), 'x.warc');
    expect(cut).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const segment = 'WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: http://example.com/a.txt\r\nWARC-Segment-Number: 1\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n';
    expect(await warc(segment)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(await warc('WARC/1.1\r\nWARC-Type: resource\r\n\r\nhello')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('a chunked body that does not parse is unscannable; the HTTP headers are text', async () => {
    const http = (body: string, te = 'chunked') =>
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\nX-Note: 秘 Confidential\r\n\r\n${body}`;
    const record = (block: string) =>
      `WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ${new TextEncoder().encode(block).length}\r\n\r\n${block}\r\n\r\n`;
    expect(await warc(record(http('5\r\nhello\r\n0\r\n\r\n')))).toMatchObject({ verdict: 'marked', rule: 1 });
    const plain = (body: string) => http(body).replace('X-Note: 秘 Confidential\r\n', '');
    expect(await warc(record(plain('5\r\nhello\r\n0\r\n\r\n')))).toMatchObject({ verdict: 'clean' });
    expect(await warc(record(plain('zz\r\nhello\r\n')))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    // Split over two chunks, the stamp is read whole.
    expect(await warc(record(plain('4\r\n秘 \r\nc\r\nConfidential\r\n0\r\n\r\n')))).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe('shell archives: the files a script carries, as text or uuencoded', () => {
  it.each([
    ['shardump_ctext.shar', 1, 'docs/memo.txt'],
    ['shardump_name.shar', 2, 'docs/秘—計画.txt'],
    ['gnu_vanilla_name.shar', 2, '秘—計画.txt'],
    ['gnu_gzip_ctext.shar', 1, 'memo.txt'],
  ])('%s → marked, rule %i, in %s', async (name, rule, member) => {
    const v = await scan(name);
    expect(v).toMatchObject({ verdict: 'marked', rule });
    expect(v.verdict === 'marked' && v.location.path.at(-1)).toBe(member);
  });

  it.each(['gnu_vanilla_clean.shar', 'gnu_gzip_clean.shar'])('%s (秘書室, Confidential apart) → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('a damaged uuencoded file in one is unscannable; a plain shell script is text', async () => {
    const shar = readFileSync(join(DIR, 'shardump_ctext.shar'), 'latin1').replace(/^end$/gm, 'damaged');
    expect(await scanBlob(new Blob([Buffer.from(shar, 'latin1')]), 'x.shar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scanBlob(new Blob(['#!/bin/sh\necho 秘 Confidential\n']), 'x.sh')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

it('a V7 tar is known by its header checksum, also under another name; a header with a wrong sum is not', async () => {
  const bytes = readFileSync(join(DIR, 'v7tar_name.tar'));
  expect(await scanBlob(new Blob([bytes]), 'archive.bin')).toMatchObject({ verdict: 'marked', rule: 2 });
  const bad = Buffer.from(bytes);
  bad[10] ^= 1;
  expect((await scanBlob(new Blob([bad]), 'archive.bin')).verdict).not.toBe('marked');
});

describe('containers and encodings not read here: unscannable, saying which', () => {
  it.each([
    ['squashfs_gzip_ctext.sqfs', /SquashFS/],
    ['tar_ctext.tar.lz4', /LZ4/],
    ['arj_m1_ctext.arj', /ARJ/],
    ['bsdtar_xar_ctext.xar', /xar/],
    ['single_ctext.txt.br', /known by its name/],
  ])('%s', async (name, detail) => {
    const v = await scan(name);
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(detail);
  });

  it('an Outlook data file (.pst, .ost: its blocks scrambled by default) is unscannable, named', async () => {
    // The header of a Unicode PST (MS-PST 2.2.2.6): !BDN, a CRC, then "SM", a version of 23.
    const pst = new Uint8Array([...new TextEncoder().encode('!BDN'), 0x12, 0x34, 0x56, 0x78, 0x53, 0x4d, 23, 0, ...new Array(500).fill(0x5a)]);
    const v = await scanBlob(new Blob([pst]), 'Outlook.pst');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/Outlook data file/);
  });

  it('an AutoCAD drawing from DWG 2004 on (every section compressed) is unscannable, named; DWG 2000 is read as bytes', async () => {
    const dwg = (version: string) => new Blob([new Uint8Array([...new TextEncoder().encode(version), 0, 0, 0, 0, 0, 0, 0, 0x1f, 0x73, ...new Array(200).fill(7)])]);
    for (const v of ['AC1018', 'AC1024', 'AC1032']) {
      const r = await scanBlob(dwg(v), '組立図.dwg');
      expect(r, v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
      expect(r.verdict === 'unscannable' && r.detail, v).toMatch(/AutoCAD/);
    }
    expect((await scanBlob(dwg('AC1015'), '組立図.dwg')).verdict).toBe('clean');
  });

  it('a DocuWorks document (.xdw, .xbd: read only by its own software) is unscannable, named, unless a stamp shows in its bytes', async () => {
    const noise = new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 251);
    for (const name of ['見積書.xdw', '提案資料.xbd', 'SCAN.XDW']) {
      const r = await scanBlob(new Blob([noise]), name);
      expect(r, name).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
      expect(r.verdict === 'unscannable' && r.detail, name).toMatch(/DocuWorks/);
    }
    expect((await scanBlob(new Blob([noise]), '見積書.dat')).verdict).toBe('clean');
    const stamped = new Blob([noise, new Uint8Array(new Uint16Array([...'秘 Confidential'].map((c) => c.charCodeAt(0))).buffer)]);
    expect((await scanBlob(stamped, '見積書.xdw')).verdict).toBe('marked');
  });

  it('a WordPerfect document (its own character sets) is unscannable, named', async () => {
    // The prefix of every WordPerfect 5–X file: \xFFWPC, the document area's offset, product 1, type 10 (document).
    const wp = new Uint8Array([0xff, 0x57, 0x50, 0x43, 0x10, 0, 0, 0, 1, 10, 2, 1, ...new Array(500).fill(0x41)]);
    const r = await scanBlob(new Blob([wp]), '報告.wpd');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(r.verdict === 'unscannable' && r.detail).toMatch(/WordPerfect/);
  });

  it.each(['sheetjs-biff2.xls', 'sheetjs-biff3.xls', 'sheetjs-biff4.xls'])('%s, an Excel 2.x–4.0 worksheet, is unsupported and named, not called damaged', async (name) => {
    const bytes = readFileSync(join(__dirname, '../fixtures/office-legacy', name));
    const r = await scanBlob(new Blob([bytes]), name);
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(r.verdict === 'unscannable' && r.detail).toMatch(/Excel 2\.x–4\.0/);
  });

  it('a stamp stored as it is inside one is still found', async () => {
    const lz4ish = new Uint8Array([0x04, 0x22, 0x4d, 0x18, ...new TextEncoder().encode(' 秘 Confidential の資料 ')]);
    expect((await scanBlob(new Blob([lz4ish]), 'x.lz4')).verdict).toBe('marked');
  });
});

describe('mail whose content cannot be reached', () => {
  it.each([
    ['smime_encrypted.eml', 'encrypted'],
    ['pgp_mime_encrypted.eml', 'encrypted'],
    ['partial_1of2.eml', 'unsupported'],
    ['body_binhex_inline.eml', 'unsupported'],
    ['body_yenc_nomime.eml', 'unsupported'],
  ])('%s → unscannable (%s)', async (name, reason) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason });
  });

  it('format=flowed lines are joined as RFC 3676 says (delsp=yes drops the added space); fixed lines are not', async () => {
    expect(await scan('format_flowed_split.eml')).toMatchObject({ verdict: 'marked', rule: 1 });
    const fixed = readFileSync(join(DIR, 'format_flowed_split.eml'), 'latin1').replace('format=flowed; delsp=yes', 'format=fixed');
    expect((await scanBlob(new Blob([Buffer.from(fixed, 'latin1')]), 'x.eml')).verdict).toBe('clean');
  });

  it('a uuencoded file on its own is read as the file it holds', async () => {
    const bytes = new TextEncoder().encode('秘 Confidential 見積\n');
    let line = '';
    // One uuencoded line (up to 45 bytes): length char, then 4 chars per 3 bytes.
    const enc = (b: number) => String.fromCharCode(b === 0 ? 0x60 : b + 0x20);
    line += enc(bytes.length);
    for (let i = 0; i < bytes.length; i += 3) {
      const [a, b = 0, c = 0] = bytes.subarray(i, i + 3);
      line += enc(a >> 2) + enc(((a & 3) << 4) | (b >> 4)) + enc(((b & 15) << 2) | (c >> 6)) + enc(c & 63);
    }
    const uu = `begin 644 memo.txt\n${line}\n\`\nend\n`;
    expect((await scanBlob(new Blob([uu]), 'memo.uu')).verdict).toBe('marked');
    expect(await scanBlob(new Blob(['begin 644 x.txt\n$$$$\n']), 'x.uu')).toMatchObject({ verdict: 'unscannable' });
  });
});
