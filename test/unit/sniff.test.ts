/** Formats recognised by their bytes: media is clean unread, damaged or unsupported archives are unscannable. */
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const bytes = (head: number[] | string, size = 4096) => {
  const b = new Uint8Array(size).fill(0x41);
  const h = typeof head === 'string' ? Array.from(head, (c) => c.charCodeAt(0)) : head;
  b.set(h);
  // The stamp in plain text after the header: read if the format were treated as unknown binary.
  b.set(new TextEncoder().encode(' 秘 Confidential '), 1024);
  return new Blob([b]);
};

describe('sniffing', () => {
  it.each([
    ['7-Zip', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]],
    ['RAR', 'Rar!\x1a\x07\x01\x00'],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['bzip2', 'BZh91AY&SY'],
    // A frame header of 0x00: the fill (0x41) as a header would name a dictionary, which zstd-dictionary.test.ts covers.
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x00]],
    ['LZH', '!\x00-lh5-'],
    ['CAB', 'MSCF\x00\x00\x00\x00'],
    ['lzip', 'LZIP\x01\x0c'],
  ] as const)('%s with a damaged body is unscannable (corrupt), not clean', async (_kind, head) => {
    const r = await scanBlob(bytes(head as number[] | string), 'archive.bin');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it.each([
    ['ACE', '\x00\x00\x00\x00\x00\x00\x00**ACE**'],
    ['lzip 0 (before lzip 1.0)', 'LZIP\x00'],
  ] as const)('%s is unscannable (unsupported), not clean; a stamp stored in it as it is, is found', async (_kind, head) => {
    const h = Array.from(head, (c) => c.charCodeAt(0));
    const plain = new Uint8Array(4096).fill(0x41);
    plain.set(h);
    expect(await scanBlob(new Blob([plain]), 'archive.bin')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(await scanBlob(bytes(head), 'archive.bin')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each([
    ['MP4', '\x00\x00\x00\x20ftypisom'],
    ['MP3', 'ID3\x04\x00'],
    ['WAV', 'RIFF\x24\x00\x00\x00WAVE'],
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['BMP', 'BM\x36\x10\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00'],
    ['GIF', 'GIF89a\x10\x00'],
    ['Ogg', 'OggS\x00\x02'],
    ['FLAC', 'fLaC\x00\x00\x00\x22'],
  ] as const)('%s is media: clean without reading', async (_kind, head) => {
    expect((await scanBlob(bytes(head as number[] | string), 'clip.bin')).verdict).toBe('clean');
  });

  // A picture is not read past its signature: a short one must not pass a text that starts like it.
  it.each(['BMI,身長,体重\n', 'BMW 部品調達計画\n', 'GIF89 animation notes\n', 'GIF8 notes\n', 'ID3 tag parser design\n', 'OggS container memo\n', 'fLaC notes\n', 'abc ftyp box notes\n'])(
    'a text that starts %j is read as text',
    async (start) => {
      const text = new TextEncoder().encode(`${start}区分：秘 Confidential\n`);
      expect(await scanBlob(new Blob([text]), 'notes.txt')).toMatchObject({ verdict: 'marked', rule: 1 });
    },
  );

  it('a name marks an unsupported archive all the same', async () => {
    expect(await scanBlob(bytes('Rar!\x1a\x07\x01\x00'), '秘—archive.rar')).toMatchObject({ verdict: 'marked', rule: 2 });
  });

  it('an unknown binary is still searched', async () => {
    expect(await scanBlob(bytes('\x00\x01\x02\x03'), 'data.bin')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});
