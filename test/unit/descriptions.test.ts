/**
 * Text a reader meets beside a page's own text: a PDF span's alternate description and expansion, a
 * PowerPoint section's name, a DrawingML link's ScreenTip (test/fixtures/descriptions).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/descriptions');
const files = readdirSync(DIR).filter((f) => /\.(pdf|pptx)$/.test(f));

describe('descriptions, section names and tooltips', () => {
  it('keeps its fixtures', () => expect(files).toHaveLength(4));
  it.each(files)('%s is marked', async (name) => {
    const r = await scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
    expect(r, JSON.stringify(r)).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});
