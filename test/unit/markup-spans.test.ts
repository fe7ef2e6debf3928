/**
 * Markup read in one pass, whatever a hostile file holds (markup-spans.ts): tens of thousands of start
 * tags with no end tag after them once made a lazy expression scan to the end from each (8 s to a minute,
 * beyond the reach of the time budget). Each case below took seconds before; the test's own timeout is
 * the check that it no longer does.
 */
import { describe, expect, it } from 'vitest';
import { replaceSpans, spans } from '../../src/detect/extract/markup-spans.js';
import { htmlRuns } from '../../src/detect/extract/html.js';
import { odfLists, withOdfLabels, withWordLabels, wordLists } from '../../src/detect/extract/list-labels.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

const N = 50_000;

describe('spans', () => {
  it('finds elements in order, self-closing ones too, and skips starts that no end follows', () => {
    const text = '<a>1</a><b/><a>2</a><a>3';
    const found = [...spans(text, /<(a|b)\b[^>]{0,100}>/g, () => /<\/a>/g, (m) => m[0].endsWith('/>'))].map((s) => text.slice(s.inner, s.close));
    expect(found).toEqual(['1', '', '2']);
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
  it('ODF list styles without end tags', () => {
    const lists = odfLists('<office:automatic-styles>' + '<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1" text:bullet-char="秘">'.repeat(N));
    expect(withOdfLabels('<text:list text:style-name="L1"><text:list-item><text:p>x</text:p>'.repeat(1000), lists).length).toBeGreaterThan(0);
  }, 5_000);
});
