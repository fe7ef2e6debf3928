/**
 * Text files read as their readers show them (test/fixtures/text/readings/README.md): notebooks' HTML and
 * Markdown across lines, quoted replies and blockquotes, subtitle codes and cue timestamps; code that
 * mentions a PDF's header is the text it is named; a JSON too big to decode for its base64 files says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/text/readings');
const scan = (name: string, bytes: Uint8Array = readFileSync(join(DIR, name))) => scanBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
const marked = readdirSync(DIR).filter((n) => n.startsWith('marked-'));

describe('text as its reader shows it', () => {
  it.each(marked)('%s is marked, its trap twin clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked' });
    expect(await scan(name.replace('marked-', 'trap-'))).toMatchObject({ verdict: 'clean' });
  });

  it('code that mentions %PDF- is read as the text it is named, not as a damaged PDF', async () => {
    expect(await scan('trap-is-pdf.py')).toMatchObject({ verdict: 'clean', format: 'text' });
    // The same bytes named as a PDF are still read as one (and are no readable PDF).
    expect(await scan('x.pdf', readFileSync(join(DIR, 'trap-is-pdf.py')))).toMatchObject({ verdict: 'unscannable' });
  });

  it('a CSV whose quoted cells end and start two rows is not a string continued on the next line', async () => {
    const rows = '"Title","Class"\r\n"見積書","秘"\r\n"Confidential memo","社外秘"\r\n';
    const po = 'msgid ""\n"秘"\n"Confidential"\n';
    expect(await scan('register.csv', new TextEncoder().encode(rows))).toMatchObject({ verdict: 'clean' });
    expect(await scan('messages.po', new TextEncoder().encode(po))).toMatchObject({ verdict: 'marked' });
  });

  it('a CSV over 16 MiB with formulas says they were not computed; one without is read as text', async () => {
    const rows = 'A-100,数量\r\n'.repeat(1_700_000);
    expect(new TextEncoder().encode(rows).length).toBeGreaterThan(16 << 20);
    expect(await scan('big.csv', new TextEncoder().encode(rows + '"=""秘""&"" Confidential"""\r\n'))).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(await scan('big.csv', new TextEncoder().encode(rows + 'A-1,=SUM(1)\r\n'))).toMatchObject({ verdict: 'unscannable' });
    expect(await scan('big.csv', new TextEncoder().encode(rows))).toMatchObject({ verdict: 'clean' });
  });

  it('a CSV over 16 MiB whose only formula is its first field, or after CR line ends, says so too', async () => {
    const rows = 'A-100,数量\r\n'.repeat(1_700_000);
    const utf8 = (s: string) => new TextEncoder().encode(s);
    const unscannable = { verdict: 'unscannable', reason: 'unsupported' };
    expect(await scan('big.csv', utf8('=""&"秘"&" Confidential",x\r\n' + rows))).toMatchObject(unscannable);
    expect(await scan('big.csv', utf8('\ufeff"=""秘 ""&""Confidential""",x\r\n' + rows))).toMatchObject(unscannable);
    expect(await scan('big.csv', utf8(rows.replaceAll('\r\n', '\r') + '=1&"秘"&" Confidential"\r'))).toMatchObject(unscannable);
  });

  it('a UTF-16 tab-separated text over 16 MiB with a formula says so too', async () => {
    const utf16 = (s: string) => new Uint8Array(Buffer.from('\ufeff' + s, 'utf16le'));
    const unscannable = { verdict: 'unscannable', reason: 'unsupported' };
    const tsv = 'A-100\t数量\r\n'.repeat(900_000);
    expect(await scan('big.tsv', utf16(tsv + 'x\t="秘 "&"Confidential"\r\n'))).toMatchObject(unscannable);
    expect(await scan('big.tsv', utf16(tsv + 'x\ta=b\r\n'))).toMatchObject({ verdict: 'clean' });
  });

  it('a run of base64url letters of many MB is read in one pass, not refused (no matcher stack)', async () => {
    const json = new TextEncoder().encode(`{"blob":"${'x'.repeat(8 << 20)}-_"}`);
    expect(await scan('big.json', json)).toMatchObject({ verdict: 'clean' });
  });

  it('a JSON over 64 MiB carrying base64 is unscannable (not decoded), one without is read as text', async () => {
    const filler = '{"log":[' + '"ok",'.repeat(14_000_000);
    const withB64 = new TextEncoder().encode(filler + '"' + 'QUJD'.repeat(100) + '"]}');
    const without = new TextEncoder().encode(filler + '"end"]}');
    expect(withB64.length).toBeGreaterThan(64 << 20);
    expect(await scan('capture.har', withB64)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(await scan('capture.har', without)).toMatchObject({ verdict: 'clean' });
  });
});
