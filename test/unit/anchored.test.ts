/**
 * Objects anchored between 「秘」 and 「 Confidential」 that a reader sees apart from the line
 * (test/fixtures/anchored/make.py, LibreOffice 7.4): a margin comment, a comment on the word, a floating
 * frame, a floating shape with text, in .odt and as Word drawings in .docx. The line reads 「秘
 * Confidential」; each twin with 「秘書室」 stays clean. An inline (as-character) frame stands on the line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

const DIR = join(__dirname, '../fixtures/anchored');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
const FILES = [
  ...['comment-between', 'comment-on-word', 'frame-between', 'shape-between'].flatMap((n) => [`${n}.odt`, `${n}.docx`]),
  // LibreOffice's RTF of the frame and the shape (make-rtf.sh): a \shp whose text sits in the line (the frame's was clean).
  'frame-between.rtf',
  'shape-between.rtf',
  // LibreOffice's HTML of the shape (make-html.sh): a picture floated left between the words (was clean).
  'shape-between.html',
];

describe('objects anchored inside the stamp are read apart from its line', () => {
  it.each(FILES)('%s → marked; its 秘書室 twin → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(name.replace(/\.(\w+)$/, '-twin.$1'))).toMatchObject({ verdict: 'clean' });
  });

  it("the object's own text is still read, after the line; an inline frame and a footnote's number stay on it", () => {
    const text = xmlToText('<text:p>秘<draw:frame text:anchor-type="char"><draw:text-box><text:p>注記</text:p></draw:text-box></draw:frame> Confidential</text:p>');
    expect(text).toMatch(/^秘 Confidential/);
    expect(text).toContain('注記');
    expect(xmlToText('<text:p>秘<draw:frame text:anchor-type="as-char"><draw:text-box><text:p>注記</text:p></draw:text-box></draw:frame> Confidential</text:p>')).not.toMatch(/秘 Confidential/);
    expect(xmlToText('<text:p>秘<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>注</text:p></text:note-body></text:note> Confidential</text:p>')).not.toMatch(/秘 Confidential/);
  });

  it('an HTML picture floated to a side leaves the line; one on the line stays between its words', () => {
    expect(xmlToText('<p>秘<img src="a.gif" alt="図" style="float: right"> Confidential</p>')).toMatch(/^秘 Confidential/);
    expect(xmlToText('<p>秘<IMG SRC="a.gif" ALT="図" ALIGN=left> Confidential</p>')).toMatch(/^秘 Confidential/);
    expect(xmlToText('<p>秘<img src="a.gif" alt="図"> Confidential</p>')).not.toMatch(/秘\s*Confidential/);
  });
});
