/**
 * A window of markup around 秘 whose text ends in 秘 and blanks reads on: a drawing's markup between 秘
 * and the word (test/fixtures/drawing-between) no longer hides the stamp.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { MarkupWindows } from '../../src/detect/extract/markup-windows.js';

const DIR = join(__dirname, '../fixtures/drawing-between');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('markup between 秘 and the word', () => {
  it('LibreOffice: a 3,000-point drawing anchored between them is marked', async () => {
    expect(await scan('freeform-between.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('the same drawing before 書室 stays clean', async () => {
    expect(await scan('freeform-between-trap.docx')).toMatchObject({ verdict: 'clean' });
  });
  it('a stream of chunks reads on past the window, whatever the chunk size', () => {
    const markup = `<w:p><w:r><w:t>秘</w:t></w:r>${'<a:pt x="1234" y="5678"/>'.repeat(2000)}<w:r><w:t> Confidential</w:t></w:r></w:p>`;
    const bytes = new TextEncoder().encode(markup);
    for (const size of [bytes.length, 4096, 1000, 7]) {
      const w = new MarkupWindows();
      for (let i = 0; i < bytes.length; i += size) w.push(bytes.subarray(i, i + size));
      expect(w.finish().join('\n'), `chunks of ${size}`).toMatch(/秘\s*Confidential/);
    }
  });
});
