import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanBlob } from '../../src/detect/index.js';
import { withoutKanaReadings } from '../../src/detect/extract/xml-text.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/phonetic');
const verdict = async (name: string) => (await scanBlob(new Blob([new Uint8Array(await readFile(resolve(FIX, name)))]), name)).verdict;

// test/fixtures/phonetic/make.py: Japanese Excel writes the reading of every string typed through the IME after its
// text (<rPh>). A1 「秘」 with its reading ヒ was read 「秘ヒ」, so beside B1 「Confidential」 it was no stamp, though the
// same cells typed without the IME are, and Excel and LibreOffice show 秘 | Confidential alike (jp12).
describe('spreadsheet strings with their phonetic readings (ふりがな)', () => {
  it.each(['neighbour', 'hiragana', 'halfwidth'])('excel-phonetic-%s: the stamp is marked, the trap clean', async (name) => {
    expect(await verdict(`excel-phonetic-${name}.xlsx`)).toBe('marked');
    expect(await verdict(`excel-phonetic-${name}-trap.xlsx`)).toBe('clean');
  });
  it('leaves out a reading of kana only; a phonetic run edited to hold other text is read where it is', () => {
    expect(withoutKanaReadings('<t>秘</t><rPh sb="0" eb="1"><t>ヒ</t></rPh><phoneticPr fontId="1"/>')).toBe('<t>秘</t><phoneticPr fontId="1"/>');
    expect(withoutKanaReadings('<x:t>秘</x:t><x:rPh sb="0" eb="1"><x:t xml:space="preserve">ﾋ </x:t></x:rPh>')).toBe('<x:t>秘</x:t>');
    expect(withoutKanaReadings('<t>部</t><rPh sb="0" eb="1"><t>秘 Confidential</t></rPh>')).toContain('秘 Confidential');
  });
});
