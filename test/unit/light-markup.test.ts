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

  // make-texinfo-spaces.sh (producer hunt hunt15): pandoc's `@ ` and `@*`, which makeinfo prints as a space and a line break.
  it.each(['nbsp', 'break'])('pandoc -t texinfo, a Markdown %s between 秘 and Confidential: marked; its trap clean', async (kind) => {
    expect(await scan(`texinfo-${kind}-stamp.texi`)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(`texinfo-${kind}-trap.texi`)).toMatchObject({ verdict: 'clean' });
  });

  it('by hand: Texinfo\'s @tie{}, @-, @/ and @: as makeinfo prints them', () => {
    expect(lightMarkupShown('秘@tie{}Confi@-dential, 秘@:@/ Confidential')).toBe('秘 Confidential, 秘 Confidential');
  });

  // make-tex-table.sh (producer hunt hunt15): 「秘」 and 「Confidential」 in neighbouring cells of a table's row.
  it.each(['tex-table-pandoc-%s.tex', 'tex-table-abiword-%s.latex'])('LaTeX table cells side by side (%s): marked; the trap clean', async (name) => {
    expect(await scan(name.replace('%s', 'stamp'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(name.replace('%s', 'trap'))).toMatchObject({ verdict: 'clean' });
  });

  it('by hand: environments print no name; an & is a cell gap only in a row that ends with \\\\', () => {
    expect(lightMarkupShown('\\begin{tabular}{|l|l|}\n秘&\n\\end{flushleft}\\begin{flushleft}\nConfidential\\\\')).toBe('\n\n秘 \n\n\n\nConfidential\n');
    expect(lightMarkupShown('R&D: 秘 & Confidential\n\nD:\\\\share')).toBe('R&D: 秘 & Confidential\n\nD:\nshare');
  });

  // make-inline-marks.sh (producer hunt hunt15): marks pandoc writes inside or between the words; the HTML it makes of each is marked.
  it.each([
    'inline-split-%s.md',
    'inline-split-%s.asciidoc',
    'inline-split-%s.org',
    'inline-split-%s.mediawiki',
    'inline-split-%s.ipynb',
    'inline-split-%s.rst',
    'inline-sup-%s.md',
    'inline-sup-%s.asciidoc',
    'inline-sup-%s.org',
    'inline-sup-%s.rst',
    'inline-sup-%s.ms',
    'inline-smallcaps-%s.ms',
    'inline-span-%s.md',
  ])('%s: the stamp marked; the trap clean', async (name) => {
    expect(await scan(name.replace('%s', 'stamp'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(name.replace('%s', 'trap'))).toMatchObject({ verdict: 'clean' });
  });

  it('by hand: a mark inside a word joins Latin letters only; a command\'s option is no span', () => {
    expect(lightMarkupShown('秘 Confi*dential* / 秘/Confidential/')).toBe('秘 Confidential / 秘/Confidential');
    expect(lightMarkupShown('\\fancyfoot[C]{Confidential} [秘]{.mark}')).toBe('\n|\nConfidential\n|\n 秘');
  });

  // make-anchors-cells.sh (producer hunt hunt15): a LibreOffice bookmark or table row, written again by pandoc and AbiWord.
  it.each([
    'anchor-pandoc-%s.tex',
    'anchor-pandoc-%s.md',
    'anchor-pandoc-%s.org',
    'anchor-pandoc-%s.asciidoc',
    'anchor-abiword-%s.latex',
    'cells-pandoc-%s.mediawiki',
    'cells-pandoc-%s.texi',
  ])('%s: an anchor or a cell mark between the words prints nothing; the trap clean', async (name) => {
    expect(await scan(name.replace('%s', 'stamp'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(name.replace('%s', 'trap'))).toMatchObject({ verdict: 'clean' });
  });

  it('by hand: MediaWiki cells on one line are side by side only on a table\'s line; prose exclamation marks and numbered notes stay', () => {
    expect(lightMarkupShown('| 秘 || Confidential')).toBe(' 秘   Confidential');
    expect(lightMarkupShown('今日は極秘!! Confidential です')).toBe('今日は極秘!! Confidential です');
    expect(lightMarkupShown('秘[#anchor]#### Confidential, 秘[#1] Confidential')).toBe('秘 Confidential, 秘[#1] Confidential');
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

describe('TeX spacing and breaks, Jira and Confluence wiki markup (text3 #2, #3)', () => {
  const scanText = (text: string, name: string) => scanBlob(new Blob([text]), name);
  it.each([
    ['TeX: \\hspace', '秘\\hspace{1em}Confidential', 'memo.tex'],
    ['TeX: \\hspace*', '秘\\hspace*{2mm}Confidential', 'memo.tex'],
    ['TeX: \\\\ before the word', '秘\\\\Confidential', 'memo.tex'],
    ['TeX: \\\\ before the word and at the line end', '秘\\\\Confidential\\\\\n本文', 'memo.tex'],
    ['TeX: \\\\[2mm]', '\\textbf{秘}\\\\[2mm]Confidential', 'memo.tex'],
    ['Jira: a forced line break', '秘\\\\Confidential', 'issue.txt'],
    ['Jira: a colour', '{color:red}秘{color} Confidential', 'issue.txt'],
    ['Jira: a colour, bold, and a line break', '{color:red}*秘*{color}\\\\Confidential', 'issue.txt'],
    ['Jira: a panel', '{panel:title=区分}秘{panel}Confidential', 'issue.txt'],
    ['Jira: in a JSON export', '{"fields":{"description":"{color:red}*秘*{color}\\\\\\\\Confidential\\n本文"}}', 'issue.json'],
  ])('%s: marked; the same with 秘書室 clean', async (_, text, name) => {
    expect(await scanText(text, name)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanText(text.replace('秘', '秘書室'), name)).toMatchObject({ verdict: 'clean' });
  });

  it.each([
    ['a Windows path escaped in JSON', '{"path":"D:\\\\共有\\\\秘\\\\Confidential\\\\報告.docx","p2":"秘\\\\Confidential"}', 'paths.json'],
    ['a Windows path escaped in a program', 'copy("D:\\\\共有\\\\秘\\\\Confidential\\\\報告.docx")\nopen("秘\\\\Confidential\\\\a.txt")', 'copy.py'],
    ['a UNC path', 'net use \\\\server\\秘\\\\Confidential\\x', 'map.bat'],
  ])('%s stays clean', async (_, text, name) => {
    expect(await scanText(text, name)).toMatchObject({ verdict: 'clean' });
  });
});

// make-tex-furniture.sh: fancyhdr's header and footer, and a footnote, print apart from the lines that set them up; the
// PDF pLaTeX makes of each source is read beside it, and both get one verdict (producer hunt prod10).
describe('LaTeX page furniture is read where it prints', () => {
  it.each([
    ['a header 「秘 Confidential」', 'marked', 'tex-header-stamp'],
    ['a footer 「秘」 left, 「Confidential」 right', 'marked', 'tex-footer-split-stamp'],
    ['a header 「社外秘」 set up before a footer 「Confidential」', 'clean', 'tex-header-footer-trap'],
    ['「秘」 with a footnote 「Confidential」', 'clean', 'tex-footnote-trap'],
  ])('%s: the source and its PDF are %s', async (_, verdict, name) => {
    expect(await scan(`${name}.tex`)).toMatchObject({ verdict });
    expect(await scan(`${name}.pdf`)).toMatchObject({ verdict });
  });

  it('by hand: a footer and a footnote are apart from the source around them, a footer\'s pieces one line', () => {
    expect(lightMarkupShown('\\fancyhead[R]{社外秘}\\fancyfoot[C]{Confidential}')).toBe('社外秘\n|\nConfidential\n|\n');
    expect(lightMarkupShown('\\lfoot{秘}\n\\rfoot{Confidential}')).toBe('\n|\n秘 Confidential\n|\n');
    expect(lightMarkupShown('秘\\footnote{Confidential}')).toBe('秘\n|\nConfidential\n|\n');
    expect(lightMarkupShown('\\fancyhead[L]{秘}\\fancyhead[R]{Confidential}')).toBe('秘Confidential');
  });
});

// make-tex-color.sh: a colour command's setting between 「秘」 and 「Confidential」 prints nothing; pLaTeX's PDF of each
// source is read beside it and both get one verdict; AbiWord's LaTeX export writes every coloured run so (producer hunt prod11).
describe('LaTeX arguments that set something up print nothing', () => {
  it.each([
    ['「秘 \\textcolor{red}{Confidential}」, \\color, \\colorbox', 'marked', 'tex-color-stamp.tex', 'tex-color-stamp.pdf'],
    ['the same after 「秘書室」', 'clean', 'tex-color-trap.tex', 'tex-color-trap.pdf'],
  ])('%s: the source and its PDF are %s', async (_, verdict, tex, pdf) => {
    expect(await scan(tex)).toMatchObject({ verdict });
    expect(await scan(pdf)).toMatchObject({ verdict });
  });

  it('AbiWord\'s LaTeX export of a coloured run 「 Confi」 after 「秘」 is marked; after 「秘書室」 clean', async () => {
    expect(await scan('abiword-split-stamp.latex')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('abiword-split-trap.latex')).toMatchObject({ verdict: 'clean' });
  });

  it('by hand: the colour, the URL and the language go with the command; the text stays', () => {
    expect(lightMarkupShown('秘 \\textcolor{red}{Confidential}')).toBe('秘 Confidential');
    expect(lightMarkupShown('秘\\textcolor[rgb]{0.000,0.000,0.000}{ Confi}dential')).toBe('秘 Confidential');
    expect(lightMarkupShown('秘 {\\color{red}Confidential}')).toBe('秘 Confidential');
    expect(lightMarkupShown('秘 \\fcolorbox{black}{yellow}{Confidential}')).toBe('秘 Confidential');
    expect(lightMarkupShown('秘 \\href{https://example.com/x}{Confidential}')).toBe('秘 Confidential');
    expect(lightMarkupShown('\\foreignlanguage{english}{Confidential}')).toBe('Confidential');
    expect(lightMarkupShown('\\textcolor{red}{秘} Confidential')).toBe('秘 Confidential');
  });
});
