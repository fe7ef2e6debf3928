/**
 * HTML kept as text inside other formats (test/fixtures/markup/escaped-html, make.py): a draw.io label, a
 * compressed draw.io page, an iCalendar description in HTML (Outlook, Google Calendar), an RSS, Atom or
 * KML description, an Outlook for Mac message body. The program that opens each shows it rendered, 「秘」
 * bold, then Confidential; the markup between the two kept the stamp from being read (red team mail3).
 * Each trap (秘書室) beside it stays clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/markup/escaped-html');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('HTML kept as text is read rendered', () => {
  it.each([
    ['a draw.io label (HTML in the value attribute)', 'drawio-label', 'drawio', 'xml'],
    ['a draw.io page in the compressed format (base64 of deflated, URL-encoded XML)', 'drawio-compressed', 'drawio', 'xml'],
    ["Outlook's X-ALT-DESC;FMTTYPE=text/html", 'outlook-altdesc', 'ics', 'vobject'],
    ["Google Calendar's HTML DESCRIPTION (with an escaped &nbsp\\;)", 'gcal-description', 'ics', 'vobject'],
    ['an RSS description', 'rss', 'xml', 'xml'],
    ['an Atom content of type html', 'atom', 'xml', 'xml'],
    ['a KML placemark description', 'placemark', 'kml', 'xml'],
    ["an Outlook for Mac archive's HTML message body", 'mac-outlook', 'olm', 'zip'],
  ])('%s: marked; its trap clean', async (_, base, ext, format) => {
    expect(await scan(`${base}-stamp.${ext}`)).toMatchObject({ verdict: 'marked', rule: 1, format });
    expect(await scan(`${base}-trap.${ext}`)).toMatchObject({ verdict: 'clean', format });
  });

  it('a compressed draw.io page that does not inflate is unscannable, never clean', async () => {
    const broken = '<mxfile host="app.diagrams.net" compressed="true"><diagram name="Page-1" id="x">bm90IGRlZmxhdGUgZGF0YSBhdCBhbGwsIGp1c3QgdGV4dA==</diagram></mxfile>\n';
    expect(await scanBlob(new Blob([broken]), 'x.drawio')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe("Android string resources: the build resolves \\uXXXX, the app shows the character (red team mail3 #11)", () => {
  it('\\u79D8 Confidential in strings.xml: marked; \\u79D8\\u66F8\\u5BA4 (秘書室) clean', async () => {
    const res = (s: string) => `<?xml version="1.0" encoding="utf-8"?>\n<resources>\n  <string name="label">${s}</string>\n</resources>\n`;
    expect(await scanBlob(new Blob([res('\\u79D8 Confidential')]), 'strings.xml')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([res('\\u79D8\\u66F8\\u5BA4 Confidential')]), 'strings.xml')).toMatchObject({ verdict: 'clean' });
  });
});
