// Property lists, binary and XML, and Safari's web archives (fixtures written by CPython's plistlib: test/fixtures/plist/make.py).
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanBlob } from '../../src/detect/index.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/plist');
const scan = async (name: string) => scanBlob(new Blob([new Uint8Array(await readFile(resolve(FIX, name)))]), name);

describe('property lists', () => {
  it("a web archive's page is read as the page Safari shows (a character reference, a tag inside the word): marked, binary or XML, in a frame too", async () => {
    for (const name of ['m-webarchive-charref.webarchive', 'm-webarchive-xml.webarchive', 'm-webarchive-in-frame.webarchive']) {
      expect(await scan(name), name).toMatchObject({
        verdict: 'marked',
        format: 'plist',
        excerpt: expect.stringContaining('秘 Confidential'),
        location: { path: ['WebResourceData.html'] },
      });
    }
  });
  it('the 秘書室 twins are clean', async () => {
    for (const name of ['k-webarchive-charref.webarchive', 'k-webarchive-xml.webarchive']) expect(await scan(name), name).toMatchObject({ verdict: 'clean', format: 'plist' });
  });
  it("a string value (UTF-16BE in a binary list) is read as text", async () => {
    expect(await scan('m-bplist-string.plist')).toMatchObject({ verdict: 'marked', format: 'plist' });
  });
  it('a list followed by a blank (SheetJS ends the metadata lists of a .numbers with a newline) is read, not damaged', async () => {
    const list = Buffer.concat([await readFile(resolve(FIX, 'm-bplist-string.plist')), Buffer.from('\n')]);
    expect(await scanBlob(new Blob([new Uint8Array(list)]), 'x.plist')).toMatchObject({ verdict: 'marked', format: 'plist' });
  });
  it('a binary list cut short, or whose offset table lies past its end, is unscannable (corrupt), not clean', async () => {
    for (const name of ['d-bplist-cut.plist', 'd-bplist-bad-table.plist']) expect(await scan(name), name).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
