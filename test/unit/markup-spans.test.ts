/**
 * Markup read in one pass, whatever a hostile file holds (markup-spans.ts): tens of thousands of start
 * tags with no end tag after them once made a lazy expression scan to the end from each (8 s to a minute,
 * beyond the reach of the time budget). Each case below took seconds before; the test's own timeout is
 * the check that it no longer does.
 */
import { describe, expect, it } from 'vitest';
import { XML_TAGS, content, replaceSpans, spans, tameTail } from '../../src/detect/extract/markup-spans.js';
import { rowCells } from '../../src/detect/extract/xlsx-rows.js';
import { sheetRuns } from '../../src/detect/extract/ods-rows.js';
import { scanBlob } from '../../src/detect/scan.js';
import { htmlRuns } from '../../src/detect/extract/html.js';
import { odfLists, withOdfLabels, withWordLabels, wordLists } from '../../src/detect/extract/list-labels.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';
import { odfStyleDefs, wordStyleDefs } from '../../src/detect/extract/hidden-styles.js';

const N = 50_000;

describe('spans', () => {
  it('finds elements in order, self-closing ones too, and skips starts that no end follows', () => {
    const text = '<a>1</a><b/><a>2</a><a>3';
    const found = [...spans(text, /<(a|b)\b[^>]{0,100}>/g, () => /<\/a>/g, XML_TAGS)].map((s) => text.slice(s.inner, s.close));
    expect(found).toEqual(['1', '', '2']);
    // A start expression that matches only `<` and the name: the tag runs to the next `>`.
    const named = [...spans('<a x="1">1</a><a y/><a z="3">3</a>', /<a(?=[\s/>])/g, () => /<\/a>/g, XML_TAGS)];
    expect(named.map((s) => s.tag)).toEqual(['<a x="1">', '<a y/>', '<a z="3">']);
    // Starts that `accept` refuses are not elements: an element inside one is still found.
    const text2 = '<s k="no"><s k="yes">in</s></s>';
    expect([...spans(text2, /<s(?=[\s/>])/g, () => /<\/s>/g, { toTagEnd: true, accept: (tag) => tag.includes('yes') })].map((s) => content(text2, s))).toEqual(['in']);
    expect(replaceSpans(text, spans(text, /<a>/g, () => /<\/a>/g), (s) => `[${text.slice(s.inner, s.close)}]`)).toBe('[1]<b/>[2]<a>3');
  });
});

describe('hostile markup ends in time', () => {
  it('HTML: unclosed conditional comments, scripts and comments', () => {
    for (const open of ['<!--[if a]>x', '<script>x', '<!-- x', '<style>x']) {
      const runs = [...htmlRuns(`<html><body>${open.repeat(N)}<p>秘 Confidential</p></body></html>`)];
      expect(runs.length, open).toBeGreaterThan(0);
    }
  }, 5_000);
  it("Word's numbering and paragraphs without end tags", () => {
    const lists = wordLists('<w:numbering>' + '<w:lvl w:ilvl="0"><w:lvlText w:val="秘"/>'.repeat(N) + '<w:num w:numId="1">'.repeat(N), null);
    expect(lists).not.toBeNull();
    const props = wordLists('<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:lvlText w:val="秘"/></w:lvl></w:abstractNum>', null)!;
    expect(withWordLabels('<w:body>' + '<w:p><w:pPr><w:numPr/>'.repeat(N) + '</w:body>', props).length).toBeGreaterThan(N);
    expect(withWordLabels('<w:body>' + '<w:p><w:pPr><w:numId w:val="1"/>'.repeat(N) + '</w:pPr></w:body>', props).length).toBeGreaterThan(N);
  }, 5_000);
  it("Word's tracked deletions and runs without end tags, in a part with hidden text", () => {
    expect(xmlToText('<w:body>' + '<w:del>x'.repeat(N) + '秘 Confidential</w:body>')).toContain('秘 Confidential');
    expect(xmlToText('<w:body>' + '<w:r><w:t>x</w:t>'.repeat(N) + '<w:vanish/>秘 Confidential</w:body>')).toContain('秘 Confidential');
    // And what they are for still holds: a hidden run between 秘 and Confidential is left out of the shown reading.
    expect(xmlToText('<w:p><w:r><w:t>秘</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>書室</w:t></w:r><w:r><w:t> Confidential</w:t></w:r></w:p>')).toContain('秘 Confidential');
  }, 5_000);
  it('HTML: hidden elements, CSS strings and XML Encryption starts without ends', async () => {
    const hidden = [...htmlRuns('<p>秘 Confidential</p>' + '<div hidden>'.repeat(N))];
    expect(hidden.some((r) => r.kind === 'text' && r.text.includes('秘 Confidential'))).toBe(true);
    // What they are for still holds: a hidden element between 秘 and Confidential is left out of the shown reading.
    expect([...htmlRuns('<p>秘<span hidden>書室</span> Confidential</p>')].some((r) => r.kind === 'text' && r.text.includes('秘 Confidential'))).toBe(true);
    const css = [...htmlRuns(`<style>p::before { content: "\\79D8  Confidential" }</style>${'a { content: \''.repeat(N)}`)];
    expect(css.some((r) => r.kind === 'text' && r.text.includes('秘 Confidential'))).toBe(true);
    const verdicts = await Promise.all(
      ['<x>' + '<EncryptedData>'.repeat(N) + '</x>', '<?xml version="1.0"?><en-export>' + '<resource><data>'.repeat(N) + '</en-export>', '<?xml ?>'.repeat(N) + '<office:document>'].map((t, i) =>
        scanBlob(new Blob([t]), ['a.xml', 'notes.enex', 'a.fodt'][i]),
      ),
    );
    // The flat OpenDocument file never ends its <office:document>: cut short, so damaged (not clean).
    expect(verdicts.map((v) => v.verdict)).toEqual(['clean', 'clean', 'unscannable']);
  }, 5_000);
  it("Excel's HTML: number formats outside any rule, cells without `>`, headers without their quote's end", async () => {
    const files = [
      '<style>@page{mso-header-data:"&C秘 Confidential"}</style>' + 'mso-number-format:"\\0022x\\0022@";'.repeat(N),
      '<html><head><style>.a{mso-number-format:"\\0022秘 \\0022@"}</style></head><body><table><tr><td class=a>Confidential</td>' + '<td class=a '.repeat(N) + '>',
      '<p>秘 Confidential</p>' + 'mso-footer-data:"'.repeat(N),
    ];
    const verdicts = await Promise.all(files.map((text) => scanBlob(new Blob([text]), 'report.xls')));
    expect(verdicts.map((v) => v.verdict)).toEqual(files.map(() => 'marked'));
  }, 5_000);
  it('a run of `<` with no `>` after them, or before one `>`', async () => {
    const stamp = '<p>秘 Confidential</p>';
    const files: [string, string][] = [
      ['a.html', stamp + '< '.repeat(N * 4)],
      ['a.xml', `<?xml version="1.0"?><r>${stamp}${'<a b="'.repeat(N)}`],
      ['a.html', stamp + '<meta content="a" '.repeat(N)],
      ['a.html', stamp + '<meta name="a" '.repeat(N) + '>'],
      ['a.html', stamp + '<div hidden>' + '<p '.repeat(N * 4) + '>'],
      ['a.eml', `Subject: x\r\nContent-Type: text/plain\r\n\r\n秘 Confidential ${'<b '.repeat(N * 4)}`],
    ];
    const verdicts = await Promise.all(files.map(([name, text]) => scanBlob(new Blob([text]), name)));
    expect(verdicts.map((v) => v.verdict)).toEqual(files.map(() => 'marked'));
    // What follows the last `>` still reads as text: `<` and all.
    expect(tameTail('<p>a</p> 1 < 2 < 3')).toBe('<p>a</p> 1 < 2 &lt; 3');
    expect(xmlToText(tameTail('<p>a</p> 1 < 2 < 秘'))).toContain('1 < 2 < 秘');
  }, 5_000);
  it('one walk is not disturbed by another over the same expressions (another file, while it waits)', () => {
    const start = /<a(?=[\s/>])/g;
    const end = /<\/a>/g;
    const one = spans('<a>1</a><a>2</a><a>3</a>', start, () => end, XML_TAGS);
    const texts: string[] = [];
    for (const s of one) {
      texts.push(s.tag + s.end);
      for (const _ of spans('<a x="y">other</a>', start, () => end, XML_TAGS));
    }
    expect(texts).toEqual(['<a>8', '<a>16', '<a>24']);
  });
  it('starts with no `>` after them', () => {
    expect([...spans('<a '.repeat(N * 4), /<a(?=[\s/>])/g, () => /<\/a>/g, XML_TAGS)]).toEqual([]);
    expect(rowCells('<row r="1">' + '<c r="A1" '.repeat(N * 4), [])).toEqual([]);
  }, 5_000);
  it('spreadsheet rows, cells, values and formulas without end tags', () => {
    expect(rowCells('<row r="1"><c r="A1" t="inlineStr"><is><t>秘</t></is></c>' + '<c r="B1">'.repeat(N) + '</row>', [])).toEqual([{ row: 0, col: 0, text: '秘', sst: null }]);
    for (const open of ['<v>', '<is>', '<f>']) expect(rowCells('<row r="1"><c r="A1" t="inlineStr">' + open.repeat(N) + '</c></row>', [])).toEqual([]);
    const sheet = (rows: string) => [...sheetRuns(`<table:table-row><table:table-cell><text:p>秘 Confidential</text:p></table:table-cell></table:table-row>${rows}`, {})];
    for (const open of ['<table:table-row>', '<table:table-row><table:table-cell>', '<table:table-row><table:table-cell><office:annotation>']) {
      expect(sheet(open.repeat(N)).some((r) => r.kind === 'text' && r.text.includes('秘 Confidential')), open).toBe(true);
    }
  }, 5_000);
  it('ruby and ODF hidden styles without end tags', () => {
    for (const open of ['<rt>', '<w:rt>', '<text:ruby-text>']) expect(xmlToText('<p>秘 Confidential' + open.repeat(N))).toContain('秘 Confidential');
    expect(xmlToText('<x text:display="none"/>' + '<style:style style:name="a">'.repeat(N) + '秘 Confidential')).toContain('秘 Confidential');
    const hidden = '<style:style style:name="h"><style:text-properties text:display="none"/></style:style>';
    expect(xmlToText(hidden + '<text:span text:style-name="h">'.repeat(N) + '秘 Confidential')).toContain('秘 Confidential');
    // What they are for still holds: hidden text and the reading over 秘 are left out of the shown reading.
    expect(xmlToText(`${hidden}<text:p>秘<text:span text:style-name="h">書室</text:span> Confidential</text:p>`)).toContain('秘 Confidential');
    expect(xmlToText('<text:p><text:ruby><text:ruby-base>秘</text:ruby-base><text:ruby-text>ひ</text:ruby-text></text:ruby> Confidential</text:p>')).toContain('秘 Confidential');
    expect(xmlToText('<p><ruby>秘<rp>(</rp><rt>ひ<rp>)</rp></ruby> Confidential</p>')).toContain('秘 Confidential');
  }, 5_000);
  it('styles that hide, and what they hide, without end tags', () => {
    // (Each ends in a tag: markup whose tail is `<x <x …` with no `>` is slow to strip of tags anyway.)
    const word = wordStyleDefs('<w:style w:type="paragraph" w:styleId="H"><w:rPr><w:vanish/></w:rPr></w:style>' + '<w:style w:styleId="x">'.repeat(N));
    const run = '<w:r><w:t>秘 Confidential</w:t></w:r><w:p/>';
    expect(xmlToText('<w:p><w:pPr><w:pStyle w:val="H"/></w:pPr>' + '<w:p '.repeat(N) + run, word)).toContain('秘 Confidential');
    expect(xmlToText('<w:p><w:pPr><w:pStyle w:val="H"/></w:pPr>' + '<w:pStyle '.repeat(N) + run, word)).toContain('秘 Confidential');
    const odf = odfStyleDefs('<style:style style:name="P" style:family="paragraph" style:parent-style-name="P">'.repeat(N));
    expect(xmlToText('<text:p text:style-name="P">'.repeat(N) + '秘 Confidential<x/>', odf)).toContain('秘 Confidential');
    expect(xmlToText('<text:section text:display="none">'.repeat(N) + '秘 Confidential<x/>')).toContain('秘 Confidential');
    expect(xmlToText('<text:section a="b" '.repeat(N) + 'text:display="none"><text:p>秘 Confidential</text:p>')).toContain('秘 Confidential');
  }, 5_000);
  it('ODF list styles without end tags', () => {
    const lists = odfLists('<office:automatic-styles>' + '<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1" text:bullet-char="秘">'.repeat(N));
    expect(withOdfLabels('<text:list text:style-name="L1"><text:list-item><text:p>x</text:p>'.repeat(1000), lists).length).toBeGreaterThan(0);
  }, 5_000);
});
