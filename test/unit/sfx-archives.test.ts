/**
 * Archives after a program or a picture (test/fixtures/archives/sfx, make.sh): self-extractors and
 * installers as their tools lay them out (`cat stub archive`). Each case was clean before, or, for a clean
 * program that merely holds archive signatures, wrongly unscannable. A trap (秘書室) beside each marked
 * case stays clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveExtractor } from '../../src/detect/extract/archive.js';
import type { ExtractContext } from '../../src/detect/extract/types.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { sniff } from '../../src/detect/sniff.js';

const DIR = join(__dirname, '../fixtures/archives/sfx');
const bytes = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(DIR, name)));
const SCRIPT = new TextEncoder().encode('#!/bin/sh\nexit 0\n');

describe('a ZIP after a program, a script or a picture', () => {
  it('an archive read in place from which libarchive reads no member (it lists nothing for ZIP64 behind a script) is unscannable, never clean', async () => {
    const read = archiveExtractor('sfx');
    const blob = new Blob([SCRIPT, bytes('memo-clean.stdin-zip64.zip')]);
    const items: unknown[] = [];
    const ctx: ExtractContext = { limits: DEFAULT_LIMITS, depth: 0, fullText: false, name: 'installer.zip', checkTime: () => undefined, addExpanded: () => undefined, addEntry: () => undefined };
    await expect(
      (async () => {
        for await (const item of read(blob, ctx)) items.push(item);
      })(),
    ).rejects.toThrow(/no member of the archive/);
    expect(items).toEqual([]);
  });
});

describe('a ZIP64 end record with full 32-bit fields', () => {
  it('is followed through its locator: the file is an sfx, not a binary or a text', async () => {
    // npm archiver's forceZip64 writes every field of the 32-bit end record as 0xFFFF/0xFFFFFFFF.
    expect(await sniff(new Blob([SCRIPT, bytes('memo-clean.archiver-zip64.zip')]), 'installer.run')).toBe('sfx');
    expect(await sniff(new Blob([bytes('program.elf').subarray(0, 64), bytes('memo-clean.archiver-zip64.zip')]), 'setup.exe')).toBe('sfx');
  });
});
