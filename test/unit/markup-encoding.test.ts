/**
 * XML and HTML read in the encoding they declare (<?xml encoding>, <meta charset>, http-equiv, BOM)
 * or, without a declaration, the one their bytes show. Fixtures: test/fixtures/markup (Python's
 * ElementTree and GNU iconv).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { decodeMarkup, markupEncoding } from '../../src/detect/extract/text.js';

const FIX = join(__dirname, '../fixtures/markup');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const scan = (b: Uint8Array, name: string) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name);

describe('declared encodings', () => {
  it.each([
    ['sjis-decl.xml', 'shift_jis'],
    ['cp932-decl.xml', 'shift_jis'],
    ['eucjp-decl.xml', 'euc-jp'],
    ['iso2022jp-decl.xml', 'iso-2022-jp'],
    ['utf16-decl.xml', 'utf-16le'],
    ['eucjp-http-equiv.html', 'euc-jp'],
    ['sjis-meta.html', 'shift_jis'],
    ['iso2022jp-meta.html', 'iso-2022-jp'],
    ['sjis-undeclared.html', 'shift_jis'],
  ])('%s → marked, read as %s', async (name, encoding) => {
    const b = bytes(name);
    expect(markupEncoding(b)).toBe(encoding);
    expect(await scan(b, name)).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp' });
  });

  it('the XML is found by its declaration even without an .xml name', async () => {
    expect(await scan(bytes('sjis-decl.xml'), 'export')).toMatchObject({ verdict: 'marked', format: 'xml' });
  });

  it.each(['sjis-decl-clean.xml', 'eucjp-http-equiv-clean.html', 'eucjp-undeclared-clean.html'])('%s (traps) → clean', async (name) => {
    const b = bytes(name);
    expect(decodeMarkup(b)).toContain('社外秘');
    expect(await scan(b, name)).toMatchObject({ verdict: 'clean' });
  });

  it('a declaration the bytes contradict (UTF-8 saved under encoding="Shift_JIS") is not trusted', async () => {
    const b = new TextEncoder().encode('<?xml version="1.0" encoding="Shift_JIS"?><a>秘 Confidential</a>');
    expect(markupEncoding(b)).toBe('utf-8');
    expect(await scan(b, 'a.xml')).toMatchObject({ verdict: 'marked' });
  });

  it('an unknown label falls back to the bytes', () => {
    expect(markupEncoding(new TextEncoder().encode('<?xml version="1.0" encoding="x-unknown"?><a>本文</a>'))).toBe('utf-8');
  });
});
