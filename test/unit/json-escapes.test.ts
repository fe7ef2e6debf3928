/** JSON (and any text) with \u escapes: searched after unescaping, and raw. Fixtures: test/fixtures/json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { unescapeStrings } from '../../src/detect/extract/text.js';

const FIX = join(__dirname, '../fixtures/json');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const scan = (b: Uint8Array | string, name: string, opts = {}) =>
  scanBlob(new Blob([(typeof b === 'string' ? new TextEncoder().encode(b) : b) as Uint8Array<ArrayBuffer>]), name, opts);

describe('JSON with \\u escapes', () => {
  it.each(['escaped-stamp.json', 'escaped-nested.json', 'escaped-lines.jsonl', 'raw-utf8.json'])('%s → marked rule 1', async (name) => {
    expect(await scan(bytes(name), name)).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp' });
  });

  it('the escaped fixture really is ASCII with \\u79d8', () => {
    const text = new TextDecoder().decode(bytes('escaped-stamp.json'));
    expect(text).toContain('\\u79d8 Confidential');
    expect(/[^\x00-\x7f]/.test(text)).toBe(false);
  });

  it('escaped-traps.json → clean', async () => {
    expect(await scan(bytes('escaped-traps.json'), 'escaped-traps.json')).toMatchObject({ verdict: 'clean' });
  });

  it('designated keywords match escaped text (full text), including characters outside the BMP', async () => {
    expect(await scan(bytes('escaped-traps.json'), 'x.json', { designated: { keywords: ['社外秘'] } })).toMatchObject({ verdict: 'marked', rule: 3 });
    expect(await scan(bytes('escaped-nested.json'), 'x.json', { designated: { keywords: ['Confidential 🔒'] } })).toMatchObject({ verdict: 'marked' });
  });

  it('the raw text is still searched (a keyword that only exists escaped)', async () => {
    expect(await scan('{"a": "\\\\u79d8 Confidential"}', 'x.json', { designated: { keywords: ['\\u79d8 Conf'] } })).toMatchObject({ verdict: 'marked', rule: 3 });
  });

  it('an escaped backslash is not an escape (\\\\u79d8 is the text \\u79d8)', async () => {
    expect(unescapeStrings('"\\\\u79d8 Confidential"')).toBe('"\\u79d8 Confidential"');
    expect(await scan('{"path": "C:\\\\u79d8 Confidential"}', 'x.json')).toMatchObject({ verdict: 'clean' });
  });

  it('unescapeStrings: surrogate pairs, simple escapes, upper-case hex', () => {
    expect(unescapeStrings('\\ud83d\\udd12 \\u79D8\\nA\\"\\/')).toBe('🔒 秘\nA"/');
  });

  it('escapes in other text files (JavaScript, .properties) are read too', async () => {
    expect(await scan('const label = "\\u79d8 Confidential";\n', 'a.js')).toMatchObject({ verdict: 'marked' });
    expect(await scan('label=\\u79d8\\u3000Confidential\n', 'messages.properties')).toMatchObject({ verdict: 'marked' });
  });

  it('character references in text (Markdown renders `&#31192;` as 秘) are read too; other references are not a stamp', async () => {
    expect(await scan('# 議事録\n\n&#31192; Confidential\n', 'notes.md')).toMatchObject({ verdict: 'marked' });
    expect(await scan('&#x79D8;&#x3000;Confidential\n', 'notes.txt')).toMatchObject({ verdict: 'marked' });
    expect(await scan('A &#38; B, &#31192;書室 Confidential, &#0; &#x110000;\n', 'notes.md')).toMatchObject({ verdict: 'clean' });
    expect(unescapeStrings('&#31192;&#x3299;&#xD800;')).toBe('秘㊙&#xD800;');
  });
});
