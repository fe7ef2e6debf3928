/** HTML / XML through extractHtml: entities, charsets, invisible parts, title and meta, flat ODF. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractHtml } from '../../src/detect/extract/html.js';
import { markupEncoding as htmlCharset } from '../../src/detect/extract/text.js';
import { decodeEntities, xmlToText } from '../../src/detect/extract/xml-text.js';
import { collect } from '../support/extract.js';

const enc = (s: string) => new TextEncoder().encode(s);
const blob = (b: Uint8Array | string) => new Blob([(typeof b === 'string' ? enc(b) : b) as Uint8Array<ArrayBuffer>]);
const page = (body: string, head = '') => `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
const scanHtml = (html: string | Uint8Array, name = 'page.html') => scanBlob(blob(html), name);
const concat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe('HTML: the stamp in visible text', () => {
  it.each([
    ['plain', '<p>秘 Confidential</p>'],
    ['hex reference', '<p>&#x79D8; Confidential</p>'],
    ['upper-case X hex reference', '<p>&#X79d8; Confidential</p>'],
    ['decimal reference', '<p>&#31192;&#32;Confidential</p>'],
    ['&nbsp;', '<p>秘&nbsp;Confidential</p>'],
    ['&emsp;', '<p>秘&emsp;CONFIDENTIAL</p>'],
    ['split across inline elements', '<p><b>秘</b> <i style="color:red">Confidential</i></p>'],
    ['no space across spans', '<span>秘</span><span>Confidential</span>'],
    ['<br>', '<p>秘<br>Confidential</p>'],
    ['separate paragraphs', '<p>秘</p>\n<p>Confidential</p>'],
    ['table cells', '<table><tr><td>秘</td><td>Confidential</td></tr></table>'],
    ['circled ㊙ (NFKC)', '<p>㊙ Ｃｏｎｆｉｄｅｎｔｉａｌ</p>'],
    ['ruby over 「秘」 (its reading is set above the line)', '<p><ruby>秘<rp>(</rp><rt>ひ</rt><rp>)</rp></ruby> Confidential</p>'],
    ['ruby without end tags', '<p><ruby>秘<rt>ひ</ruby> Confidential</p>'],
  ])('%s → marked rule 1', async (_, body) => {
    expect(await scanHtml(page(body))).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', format: 'html', location: { path: [], area: 'body' } });
  });

  it('<title> is text: a field of its own (the tab and title bar show it, apart from the page)', async () => {
    expect(await scanHtml(page('<p>本文</p>', '<title>秘 &#67;onfidential</title>'))).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'properties' } });
    // LibreOffice's HTML export of a document titled 社外秘 whose text starts with Confidential: no stamp.
    expect(await scanHtml(page('<p>Confidential – do not distribute</p>', '<title>社外秘</title>'))).toMatchObject({ verdict: 'clean' });
    expect(await scanHtml(page('<p>本文</p>', '<title>社外秘</title><meta name="description" content="Confidential">'))).toMatchObject({ verdict: 'clean' });
    // A <title> outside the head is shown where it stands (an SVG's, a DocBook section's): read with the text around it.
    expect(await scanHtml(page('<svg><title>秘</title></svg><p>Confidential</p>'))).toMatchObject({ verdict: 'marked', location: { area: 'body' } });
  });
  it('<meta name="description" content="…"> → properties', async () => {
    expect(await scanHtml(page('<p>本文</p>', '<meta name="description" content="&#x79D8; Confidential">'))).toMatchObject({
      verdict: 'marked',
      rule: 1,
      location: { area: 'properties' },
    });
  });
  // Single-quoted and unquoted attribute values are valid HTML too.
  it("<meta content='…'> with single quotes → properties", async () => {
    expect(await scanHtml(page('<p>本文</p>', "<meta name='description' content='秘 Confidential'>"))).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('traps → clean', async () => {
    const body = '<p>秘密保持契約書</p><p>社外秘</p><p>秘書室</p><p>Confidential</p><p>Strictly confidential</p><p>秘 密 Confidential</p>';
    expect(await scanHtml(page(body, '<title>社外秘</title><meta name="description" content="秘書室 Confidential">'))).toMatchObject({ verdict: 'clean', format: 'html' });
  });
});

describe('HTML: what a reader does not see is not text (decision: clean)', () => {
  it.each([
    ['script', '<script>var s = "秘 Confidential";</script>'],
    ['script with attributes', '<script type="application/json" id="d">{"x":"秘 Confidential"}</script>'],
    ['style', '<style>/* 秘 Confidential */ p{}</style>'],
    ['template', '<template><p>秘 Confidential</p></template>'],
    ['noscript', '<noscript>秘 Confidential</noscript>'],
    ['comment', '<!-- 秘 Confidential -->'],
    ['attribute', '<img alt="x" data-x="秘 Confidential" src="a.png">'],
  ])('%s → clean', async (_, body) => {
    expect(await scanHtml(page('<p>本文</p>' + body))).toMatchObject({ verdict: 'clean' });
  });
  it('a template that declares a shadow root is shown (declarative shadow DOM, Chromium\'s saved pages)', async () => {
    for (const attr of ['shadowrootmode="open"', "shadowrootmode='closed'", 'shadowmode="open"', 'SHADOWROOTMODE=open']) {
      expect(await scanHtml(page(`<div><template ${attr}><p>秘 Confidential</p></template></div>`))).toMatchObject({ verdict: 'marked', rule: 1 });
    }
    expect(await scanHtml(page('<template data-mode="open"><p>秘 Confidential</p></template>'))).toMatchObject({ verdict: 'clean' });
  });
  it('what the page shows outside element text is read: a field\'s value or placeholder, a tooltip', async () => {
    for (const body of ['<input value="秘 Confidential">', '<input placeholder="秘 Confidential">', '<p title="秘 Confidential">x</p>', '<button aria-label="秘 Confidential">x</button>']) {
      expect(await scanHtml(page('<p>本文</p>' + body)), body).toMatchObject({ verdict: 'marked' });
    }
    expect(await scanHtml(page('<input value="秘書室"><p title="Confidential">x</p>'))).toMatchObject({ verdict: 'clean' });
  });
  it('as it shows with hidden elements left out: 「秘」, a hidden span, 「 Confidential」 is the stamp', async () => {
    for (const body of ['<p>秘<span style="display:none">書室</span> Confidential</p>', '<p>秘<span hidden>書室</span> Confidential</p>', '<p>秘<b style="visibility: hidden">書室</b> Confidential</p>']) {
      expect(await scanHtml(page(body)), body).toMatchObject({ verdict: 'marked' });
    }
    expect(await scanHtml(page('<p>秘<span>書室</span> Confidential</p>'))).toMatchObject({ verdict: 'clean' });
  });
  it('also hidden by a style sheet\'s class, or by a zero font size', async () => {
    for (const [css, body] of [
      ['.h{display:none}', '<p>秘<span class="h">書室</span> Confidential</p>'],
      ['span.x, .gone { visibility: hidden }', '<p>秘<span class="note gone">書室</span> Confidential</p>'],
      ['', '<p>秘<span style="font-size:0">書室</span> Confidential</p>'],
      // Transparent, or moved off the screen ("visually hidden": read by screen readers, seen by nobody).
      ['', '<p>秘<span style="opacity:0">書室</span> Confidential</p>'],
      ['', '<p>秘<span style="position:absolute;left:-9999px">書室</span> Confidential</p>'],
      ['.sr-only{position:absolute;width:1px;height:1px;clip:rect(0 0 0 0);overflow:hidden}', '<p>秘<span class="sr-only">書室</span> Confidential</p>'],
    ]) {
      expect(await scanHtml(page(`<style>${css}</style>${body}`)), body).toMatchObject({ verdict: 'marked' });
    }
    // A class a sheet only colours, a font that is only small, and a selector with more in it than one
    // class (not followed: the reading without hidden text takes out only what it is sure is hidden).
    for (const [css, body] of [
      ['.h{color:red}', '<p>秘<span class="h">書室</span> Confidential</p>'],
      ['', '<p>秘<span style="font-size:0.5em">書室</span> Confidential</p>'],
      ['div .h{display:none}', '<p>秘<span class="h">書室</span> Confidential</p>'],
      ['', '<p>秘<span style="opacity:0.5;text-indent:-100px;left:-10px">書室</span> Confidential</p>'],
    ]) {
      expect(await scanHtml(page(`<style>${css}</style>${body}`)), body).toMatchObject({ verdict: 'clean' });
    }
  });
  it("Word's hidden text, `mso-hide: all` (html-docx-js's altChunk, which Word converts on opening), is also read left out; it was clean", async () => {
    // test/fixtures/js-producers (make.mjs): 「秘」, 「書室」 in such a span, 「 Confidential」; the trap hides 「メモ」 after 「秘書室」.
    const fixture = (name: string) => scanBlob(new Blob([readFileSync(join(__dirname, '../fixtures/js-producers', name))]), name);
    expect(await fixture('docx-altchunk-mso-hide.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await fixture('docx-altchunk-mso-hide-trap.docx')).toMatchObject({ verdict: 'clean' });
    expect(await scanHtml(page('<p>秘<span style="color:red; mso-hide: all">書室</span> Confidential</p>'))).toMatchObject({ verdict: 'marked' });
    expect(await scanHtml(page('<style>.w { mso-hide:all }</style><p>秘<span class="w">書室</span> Confidential</p>'))).toMatchObject({ verdict: 'marked' });
    // Only added: a browser shows such text, and 「秘 Confidential」 inside it is still read.
    expect(await scanHtml(page('<p>件名<span style="mso-hide:all">秘 Confidential</span></p>'))).toMatchObject({ verdict: 'marked' });
    expect(await scanHtml(page('<p>秘<span style="mso-hide:none">書室</span> Confidential</p>'))).toMatchObject({ verdict: 'clean' });
  });
  it('text a style sheet puts on the page (CSS content) is read, its escapes undone', async () => {
    for (const css of ['p::before{content:"秘 Confidential"}', "p::after { content: '\\79D8  Confidential' }", '.x:before{content:"\\0079d8\\20 Confidential"}']) {
      expect(await scanHtml(page(`<style>${css}</style><p>部品</p>`)), css).toMatchObject({ verdict: 'marked' });
    }
    expect(await scanHtml(page('<style>p::before{content:"秘書室"}</style><p>Confidential の連絡</p>'))).toMatchObject({ verdict: 'clean' });
  });
  it("a list item's marker written as a string is read before the item's text, as Chromium draws it", async () => {
    for (const html of [
      '<style>li.x { list-style-type: "秘 "; }</style><ol><li class="x">Confidential</li></ol>',
      '<ul style=\'list-style: "\\79D8  " inside\'><li>Confidential</li></ul>',
      '<style>li::marker { content: "秘 " }</style><ul><li>Confidential</li></ul>',
      '<style>@counter-style hi { system: cyclic; symbols: "秘"; suffix: " "; } ol { list-style: hi; }</style><ol><li>Confidential</li></ol>',
    ]) {
      expect(await scanHtml(page(html)), html).toMatchObject({ verdict: 'marked' });
    }
    for (const html of [
      '<style>li { list-style-type: "秘書室 "; }</style><ol><li>Confidential</li></ol>',
      '<ul style=\'list-style-type: "※ "\'><li>Confidential</li></ul><p>秘書室</p>',
      '<style>ol { list-style-type: decimal; }</style><ol><li>秘書室</li><li>Confidential</li></ol>',
    ]) {
      expect(await scanHtml(page(html)), html).toMatchObject({ verdict: 'clean' });
    }
  });
  it('what a conditional comment holds is read: Outlook and Word show it (Word keeps its properties there)', async () => {
    expect(await scanHtml(page('<p>部品</p><!--[if mso]><p>秘 Confidential</p><![endif]-->'))).toMatchObject({ verdict: 'marked' });
    expect(await scanHtml(page('<p>秘<!--[if gte mso 9]><span> Confidential</span><![endif]--></p>'))).toMatchObject({ verdict: 'marked' });
    // As Word writes a web page's properties (File → Save As → Web Page): only in this island.
    const word = '<head><meta name=ProgId content=Word.Document><!--[if gte mso 9]><xml>\n <o:DocumentProperties>\n  <o:Author>山田 太郎</o:Author>\n  <o:Keywords>秘 Confidential</o:Keywords>\n </o:DocumentProperties>\n</xml><![endif]--></head><body><p class=MsoNormal>見積条件</p></body>';
    expect(await scanHtml(`<html xmlns:o="urn:schemas-microsoft-com:office:office">${word}</html>`, 'mitsumori.htm')).toMatchObject({ verdict: 'marked' });
    expect(await scanHtml(page('<p>部品</p><!--[if mso]><p>秘書室</p><![endif]--><!-- 秘 Confidential -->'))).toMatchObject({ verdict: 'clean' });
  });
  it('text after a script is still read', async () => {
    expect((await scanHtml(page('<script>var a = 1 < 2;</script><p>秘 Confidential</p>'))).verdict).toBe('marked');
  });
});

describe('HTML: charsets', () => {
  // 秘 = 94 E9 in Shift_JIS/CP932; 社外秘 = 8E D0 8A 4F 94 E9.
  const SJIS_HI = [0x94, 0xe9];
  it('Shift_JIS with <meta charset="Shift_JIS">', async () => {
    const b = concat(enc('<html><head><meta charset="Shift_JIS"></head><body><p>'), SJIS_HI, enc(' Confidential</p></body></html>'));
    expect(htmlCharset(b)).toBe('shift_jis');
    expect(await scanHtml(b)).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('Shift_JIS with <meta http-equiv="Content-Type" content="text/html; charset=shift_jis">', async () => {
    const b = concat(enc('<html><head><meta http-equiv="Content-Type" content="text/html; charset=shift_jis"></head><body>'), SJIS_HI, enc('&nbsp;Confidential</body></html>'));
    expect(await scanHtml(b, 'old.htm')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('Shift_JIS traps (社外秘 Confidential? no: 社外秘 then text) stay clean', async () => {
    const b = concat(enc('<html><head><meta charset="Shift_JIS"></head><body>'), [0x8e, 0xd0, 0x8a, 0x4f, 0x94, 0xe9], enc('</body></html>'));
    expect((await scanHtml(b)).verdict).toBe('clean');
  });
  it('EUC-JP (秘 = C8 EB)', async () => {
    const b = concat(enc('<html><head><meta charset="euc-jp"></head><body>'), [0xc8, 0xeb], enc(' Confidential</body></html>'));
    expect(await scanHtml(b)).toMatchObject({ verdict: 'marked' });
  });
  it('UTF-16LE with a BOM', async () => {
    const s = '<html><body>秘 Confidential</body></html>';
    const u = new Uint8Array(2 + s.length * 2);
    u.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) {
      u[2 + 2 * i] = s.charCodeAt(i) & 0xff;
      u[3 + 2 * i] = s.charCodeAt(i) >> 8;
    }
    expect(htmlCharset(u)).toBe('utf-16le');
    expect(await scanHtml(u)).toMatchObject({ verdict: 'marked' });
  });
  it('an unknown charset label falls back to UTF-8', () => {
    expect(htmlCharset(enc('<meta charset="x-no-such-charset">'))).toBe('utf-8');
    expect(htmlCharset(enc('<p>no meta</p>'))).toBe('utf-8');
  });
});

describe('XML through the same extractor', () => {
  it('SVG text → marked; flat ODF sources from make.py', async () => {
    expect((await scanBlob(blob('<svg xmlns="http://www.w3.org/2000/svg"><text>秘 Confidential</text></svg>'), 'a.svg')).verdict).toBe('marked');
    const src = join(__dirname, '../fixtures/office/src');
    const fodt = (n: string) => scanBlob(blob(new Uint8Array(readFileSync(join(src, n)))), n);
    expect(await fodt('writer-footer-only.fodt')).toMatchObject({ verdict: 'marked', rule: 1, format: 'xml' });
    expect(await fodt('writer-split-runs.fodt')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect((await fodt('writer-traps.fodt')).verdict).toBe('clean');
    expect((await fodt('calc-traps.fods')).verdict).toBe('clean');
  });
  it('extractHtml yields meta text first, then body text', async () => {
    const items = await collect(extractHtml, page('<p>本文</p>', '<meta name="keywords" content="見積">'));
    expect(items[0]).toEqual({ kind: 'text', text: expect.stringContaining('見積'), where: { area: 'properties' } });
    expect(items.at(-1)).toMatchObject({ kind: 'text', where: { area: 'body' } });
  });
});

describe('xml-text helpers', () => {
  it('decodeEntities: named, decimal, hex, as a browser decodes them (0 and past U+10FFFF as U+FFFD); unknown names are left alone', () => {
    expect(decodeEntities('&lt;a&gt; &amp; &#31192; &#x79d8; &nbsp;|&bogus; &#0; &#x110000;')).toBe('<a> & 秘 秘 \u00a0|&bogus; \ufffd \ufffd');
  });
  it('decodeEntities: every HTML5 name, and the forms a browser takes without the semicolon', () => {
    expect(decodeEntities('秘&ZeroWidthSpace;&NoBreak;&hairsp;&numsp;&emsp13;&NonBreakingSpace;Confidential')).toBe('秘\u200b\u2060\u200a\u2007\u2004\u00a0Confidential');
    expect(decodeEntities('&#31192 Confidential / &#x79D8 Confidential / 秘&nbspConfidential')).toBe('秘 Confidential / 秘 Confidential / 秘\u00a0Confidential');
    expect(decodeEntities('秘 &Copf;onfidential')).toBe('秘 \u2102onfidential');
  });
  it('xmlToText: ruby in ODF and Word reads its base on the line as well (the reading apart)', () => {
    const odf = '<text:p><text:ruby><text:ruby-base>秘</text:ruby-base><text:ruby-text>ひ</text:ruby-text></text:ruby> Confidential</text:p>';
    expect(xmlToText(odf)).toContain('秘 Confidential');
    const word = '<w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>ひ</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>秘</w:t></w:r></w:rubyBase></w:ruby></w:r><w:r><w:t xml:space="preserve"> Confidential</w:t></w:r></w:p>';
    expect(xmlToText(word)).toContain('秘 Confidential');
    // A ruby reading is never the stamp's word: 「秘書」 over 「ひしょ」 stays 秘書.
    expect(xmlToText('<p><ruby>秘書<rt>ひしょ</rt></ruby>室 Confidential</p>')).not.toMatch(/秘 ?Confidential/);
  });

  it('xmlToText: paragraph and line ends become newlines, runs join', () => {
    expect(xmlToText('<w:p><w:r><w:t>秘</w:t></w:r><w:r><w:t>Confidential</w:t></w:r></w:p><w:p><w:t>x</w:t></w:p>')).toBe('秘Confidential\nx\n');
    expect(xmlToText('<text:p>a<text:line-break/>b<text:tab/>c</text:p>')).toBe('a\nb\nc\n');
  });
});

describe('XML of other vocabularies, as their producers write it', () => {
  const fixture = (name: string) => new Blob([readFileSync(join(__dirname, '../fixtures/markup', name))]);
  it.each([
    ['abiword-split-runs.abw', 'marked'],
    ['pandoc-split-runs.icml', 'marked'],
    ['pandoc-note.opml', 'marked'],
    ['gnumeric-header.gnumeric', 'marked'],
    ['gnumeric-comment.gnumeric', 'marked'],
    ['abiword-trap.abw', 'clean'],
    ['pandoc-trap.icml', 'clean'],
    ['pandoc-trap.opml', 'clean'],
    ['pandoc-strong.man', 'marked'],
    ['pandoc-hardbreak.man', 'marked'],
    ['pandoc-hardbreak.ms', 'marked'],
    ['pandoc-strong-twin.man', 'clean'],
    ['pandoc-hardbreak-twin.man', 'clean'],
    ['pandoc-hardbreak-twin.ms', 'clean'],
    // make-roff-table.sh (producer hunt hunt15): neighbouring cells of a tbl table, each in a text block.
    ['pandoc-table.man', 'marked'],
    ['pandoc-table.ms', 'marked'],
    ['pandoc-table-twin.man', 'clean'],
    ['pandoc-table-twin.ms', 'clean'],
  ])('%s → %s', async (name, verdict) => {
    expect((await scanBlob(fixture(name), name)).verdict).toBe(verdict);
  });

  it('roff as it prints: \\[uXXXX] characters, font switches and request lines between lines of text', async () => {
    const roff = (body: string) => scanBlob(new Blob([`.TH X 1\n.SH NAME\n${body}\n`]), 'x.1');
    expect((await roff('\\[u79D8] \\fBConfidential\\fR')).verdict).toBe('marked');
    expect((await roff('\\[u3299]\n.br\n\\f(CWConfidential\\fP')).verdict).toBe('marked');
    // Requests are not text: 秘 and Confidential on either side of one are still apart by a line only.
    expect((await roff('\\[u79D8]\\[u66F8]\\[u5BA4]\n.PP\nConfidential')).verdict).toBe('clean'); // 秘書室
    expect((await roff('\\[u79D8]\\[u5BC6] \\fBConfidential\\fR')).verdict).toBe('clean'); // 秘密
  });

  it('CDATA sections are text (RSS descriptions, XLIFF segments), also with markup characters inside', async () => {
    const xml = (body: string) => new Blob([`<?xml version="1.0"?><rss><channel><item>${body}</item></channel></rss>`]);
    expect((await scanBlob(xml('<description><![CDATA[報告書 秘 Confidential]]></description>'), 'feed.xml')).verdict).toBe('marked');
    expect((await scanBlob(xml('<description><![CDATA[<p>秘</p> <b>Confidential</b> & more]]></description>'), 'feed.xml')).verdict).toBe('marked');
    expect((await scanBlob(xml('<d><![CDATA[秘]]></d><d><![CDATA[書室 Confidential]]></d>'), 'feed.xml')).verdict).toBe('clean');
    expect((await scanBlob(xml('<description><![CDATA[秘書室 Confidential]]></description>'), 'feed.xml')).verdict).toBe('clean');
  });

  it('a word split by markup is joined; attributes are read, each apart', async () => {
    const xml = (body: string) => new Blob([`<?xml version="1.0"?><doc>${body}</doc>`]);
    expect((await scanBlob(xml('<p><c>秘</c> <c>Conf</c>\n  <c>idential</c></p>'), 'a.xml')).verdict).toBe('marked');
    expect((await scanBlob(xml('<note text="区分: 秘 Confidential"/>'), 'a.xml')).verdict).toBe('marked');
    // Two attributes are two fields: 社外秘 | Confidential is not the stamp.
    expect((await scanBlob(xml('<row a="社外秘" b="Confidential"/>'), 'a.xml')).verdict).toBe('clean');
    expect((await scanBlob(xml('<p>秘書室</p><p>Confidential</p>'), 'a.xml')).verdict).toBe('clean');
  });
});

describe('Evernote exports (.enex): notes and their attachments', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64').replace(/.{76}/g, '$&\n');
  const enex = (resources: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export4.dtd">
<en-export export-date="20261201T000000Z" application="Evernote" version="10.80">
  <note><title>打合せメモ</title>
    <content><![CDATA[<?xml version="1.0" encoding="UTF-8" standalone="no"?><!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd"><en-note><div>資料は添付のとおり。</div><en-media type="text/plain" hash="00"/></en-note>]]></content>
    ${resources}
  </note>
</en-export>`;
  const resource = (name: string, data: string) =>
    `<resource><data encoding="base64">\n${data}\n</data><mime>text/plain</mime><resource-attributes><file-name>${name}</file-name></resource-attributes></resource>`;
  const scan = async (xml: string) => (await import('../../src/detect/index.js')).scanBlob(new Blob([xml]), 'ノート.enex');

  it('an attachment with the stamp, or named 秘—, marks the export; clean ones leave it clean', async () => {
    expect(await scan(enex(resource('議事録.txt', b64(`${'定例の記録。'.repeat(40)}\n秘 Confidential\n`))))).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['議事録.txt'] } });
    expect(await scan(enex(resource('秘—計画.txt', b64('nothing'))))).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan(enex(resource('議事録.txt', b64('秘書室より')) + resource('図.txt', b64('clean'))))).toMatchObject({ verdict: 'clean' });
  });

  it('an attachment that does not decode is unscannable, not clean', async () => {
    expect(await scan(enex(resource('議事録.txt', '@@@@ not base64 @@@@')))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('XML entities declared in the document (DOCTYPE internal subset)', () => {
  const xml = (decl: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE note [${decl}]>\n<note>${body}</note>\n`;
  const scan = (s: string) => scanBlob(new Blob([s]), 'note.xml');
  it('a reference is read as the value it stands for', async () => {
    expect((await scan(xml('<!ENTITY s "秘">', '&s; Confidential'))).verdict).toBe('marked');
    expect((await scan(xml('<!ENTITY stamp "&#x79D8; Confidential">', '&stamp;'))).verdict).toBe('marked');
    expect((await scan(xml('<!ENTITY s "秘書">', '&s; Confidential'))).verdict).toBe('clean');
  });
  it('entities that would expand the document too far are unscannable, at once (billion laughs)', async () => {
    const t = performance.now();
    const r = await scan(xml(`<!ENTITY a "${'x'.repeat(4000)}">`, '&a;'.repeat(5000)));
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'expansion-ratio' });
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
