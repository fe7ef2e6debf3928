/**
 * Light markup sources (test/fixtures/markup/light-markup, make.sh: pandoc's writers): 「区分: **秘**
 * *Confidential*」 written as LaTeX (`\textbf{秘} \emph{Confidential}`), ConTeXt, Org, MediaWiki, DokuWiki
 * and Texinfo. Each prints 「秘 Confidential」; the marks between kept the source clean (red team mail3 #3).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { lightMarkupShown } from '../../src/detect/extract/light-markup.js';

const DIR = join(__dirname, '../fixtures/markup/light-markup');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('light markup sources are read as they print', () => {
  it.each(['latex', 'context', 'org', 'mediawiki', 'dokuwiki', 'texinfo'])('pandoc -t %s: marked; its trap clean', async (ext) => {
    expect(await scan(`stamp.${ext}`)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(`trap.${ext}`)).toMatchObject({ verdict: 'clean' });
  });

  it('by hand: TeX spaces and size switches, BibTeX braces, Org verbatim, AsciiDoc highlight', () => {
    expect(lightMarkupShown('{\\Large 秘} \\textsf{Confidential}')).toBe('秘 Confidential');
    expect(lightMarkupShown('秘\\quad Confidential, 秘~Confidential')).toBe('秘  Confidential, 秘 Confidential');
    expect(lightMarkupShown('title = {{秘} Confidential: 設計}')).toBe('title = 秘 Confidential: 設計');
    expect(lightMarkupShown('区分: =秘= Confidential / #秘# Confidential')).toBe('区分: 秘 Confidential / 秘 Confidential');
  });

  it('a mark inside a word or a URL stays: nothing is joined that was apart', () => {
    expect(lightMarkupShown('秘/Confidential http://example.com/a_b')).toBe('秘/Confidential http://example.com/a_b');
  });
});
