import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/makeself/make.sh: makeself installers with payloads other than a raw tar.gz/xz/bz2/zst.
const DIR = join(__dirname, '../fixtures/archives/makeself');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('a makeself payload in base64, .Z, LZ4 or encrypted is found after the script', () => {
  it.each([
    ['mk-base64-stamp.run', 'mk-base64-trap.run'],
    ['mk-compress-stamp.run', 'mk-compress-trap.run'],
  ])('%s is marked; %s (秘書室) is clean', async (stamp, trap) => {
    expect(await scan(stamp)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(trap)).toMatchObject({ verdict: 'clean' });
  });

  it.each([
    ['mk-lz4-trap.run', 'unsupported'],
    ['mk-ssl-stamp.run', 'encrypted'],
    ['mk-ssl-trap.run', 'encrypted'],
  ])('%s is unscannable (%s), never clean', async (name, reason) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason });
  });
});

describe('a later part of a GNU shar split into parts (shar -L) is unscannable, never clean', () => {
  it.each(['shar-part2-stamp', 'shar-part2-trap'])('%s', async (name) => {
    const bytes = readFileSync(join(__dirname, '../fixtures/archives/shar-split', name));
    expect(await scanBlob(new Blob([bytes]), name)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', format: 'shar' });
  });
});
