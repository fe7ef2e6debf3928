/**
 * XPS / OpenXPS (ECMA-388): pages draw text with Glyphs runs; runs on one baseline are one line. No
 * producer here writes Glyphs (Ghostscript's xpswrite draws every glyph as a path), so the packages are
 * built to the standard's layout, as Windows' XPS Document Writer lays them out.
 */
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { fixedPageText } from '../../src/detect/extract/xps.js';
import { zip } from '../support/zip-build.js';

const XPS = 'http://schemas.microsoft.com/xps/2005/06';
const OXPS = 'http://schemas.openxps.org/oxps/v1.0';

function glyphs(runs: [string, number, number][]): string {
  return runs.map(([text, x, y]) => `<Glyphs Fill="#ff000000" FontUri="/Resources/f.odttf" FontRenderingEmSize="12" OriginX="${x}" OriginY="${y}" UnicodeString="${text}" />`).join('\n');
}

function xps(page: string, ns = XPS): Uint8Array<ArrayBuffer> {
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="fdseq" ContentType="application/vnd.ms-package.xps-fixeddocumentsequence+xml"/><Default Extension="fdoc" ContentType="application/vnd.ms-package.xps-fixeddocument+xml"/><Default Extension="fpage" ContentType="application/vnd.ms-package.xps-fixedpage+xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="${ns.includes('openxps') ? 'http://schemas.openxps.org/oxps/v1.0' : 'http://schemas.microsoft.com/xps/2005/06'}/fixedrepresentation" Target="/FixedDocumentSequence.fdseq" Id="R0"/></Relationships>`,
    'FixedDocumentSequence.fdseq': `<FixedDocumentSequence xmlns="${ns}"><DocumentReference Source="/Documents/1/FixedDocument.fdoc"/></FixedDocumentSequence>`,
    'Documents/1/FixedDocument.fdoc': `<FixedDocument xmlns="${ns}"><PageContent Source="/Documents/1/Pages/1.fpage"/><PageContent Source="/Documents/1/Pages/2.fpage"/></FixedDocument>`,
    'Documents/1/Pages/1.fpage': `<FixedPage Width="816" Height="1056" xmlns="${ns}" xml:lang="ja-JP">${glyphs([['議事録', 96, 100]])}</FixedPage>`,
    'Documents/1/Pages/2.fpage': `<FixedPage Width="816" Height="1056" xmlns="${ns}" xml:lang="ja-JP">${page}</FixedPage>`,
  });
}

describe('XPS', () => {
  it('a stamp drawn as two runs on one baseline is marked, on its page', async () => {
    const v = await scanBlob(new Blob([xps(glyphs([['秘', 96, 120], [' Confidential', 110, 120]]))]), '報告書.xps');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1, location: { page: 2 } });
  });

  it('OpenXPS too, and a character reference spells the stamp as well', async () => {
    const v = await scanBlob(new Blob([xps(glyphs([['&#x79D8;', 96, 120], [' Confidential', 110, 120]]), OXPS)]), '報告書.oxps');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('runs on different lines stay apart, and a clean package is clean (not a damaged Office file)', async () => {
    expect(fixedPageText(glyphs([['秘書室', 96, 120], ['Confidential', 96, 140]]))).toBe('秘書室\nConfidential');
    expect(fixedPageText(glyphs([['{}{注}', 96, 120]]))).toBe('{注}');
    expect(await scanBlob(new Blob([xps(glyphs([['秘書室より', 96, 120], ['Confidential', 96, 140]]))]), 'x.xps')).toMatchObject({ verdict: 'clean' });
  });

  it('runs drawn by glyph index with no UnicodeString are text not read: unscannable, never clean; a stamp elsewhere still marks', async () => {
    const byIndex = '<Glyphs FontUri="/Resources/f.odttf" FontRenderingEmSize="12" OriginX="96" OriginY="120" Indices="1234;567;890" />';
    expect(await scanBlob(new Blob([xps(byIndex)]), 'x.xps')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', location: { page: 2 } });
    // Indices beside a UnicodeString (kerning, ligatures) are read through the string.
    const both = '<Glyphs FontUri="/Resources/f.odttf" FontRenderingEmSize="12" OriginX="96" OriginY="120" UnicodeString="Meeting" Indices=",50;,60" />';
    expect(await scanBlob(new Blob([xps(both)]), 'x.xps')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob([xps(byIndex + glyphs([['秘 Confidential', 96, 160]]))]), 'x.xps')).toMatchObject({ verdict: 'marked' });
  });
});
