/**
 * vCard and iCalendar (extract/vobject.ts): fixtures from python3-icalendar 4.0.3 and python3-vobject 0.9.6
 * (test/fixtures/vobject/make.py), whose 75-character folds fall inside the stamp, and a vCard 2.1 in
 * Shift_JIS quoted-printable as phones write it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { contentLines } from '../../src/detect/extract/vobject.js';
import { mutants, prng } from '../support/fuzz.js';

const DIR = join(__dirname, '../fixtures/vobject');
const scan = (name: string, bytes: Uint8Array = readFileSync(join(DIR, name))) => scanBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), name);

describe('vCard and iCalendar', () => {
  it.each([
    ['stamp-folded.ics', 'a description folded inside 「Confidential」 (icalendar)'],
    ['stamp-folded.vcf', 'a note folded inside 「Confidential」 (vobject, vCard 3.0)'],
    ['stamp-qp-sjis.vcf', 'vCard 2.1: Shift_JIS quoted-printable with a soft line break inside the word'],
  ])('%s is marked: %s', async (name) => {
    const raw = readFileSync(join(DIR, name), 'latin1');
    expect(raw).not.toContain('Confidential'); // the stamp is not in the bytes as it reads
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, format: 'vobject' });
  });

  it('an invitation\'s attached file is read as the file it is, under its own name', async () => {
    expect(await scan('stamp-attach.ics')).toMatchObject({ verdict: 'marked', location: { path: ['議事メモ.txt'] } });
  });

  it('the trap words (秘書室, 秘密保持契約) in a folded description are clean', async () => {
    expect(await scan('trap-folded.ics')).toMatchObject({ verdict: 'clean', format: 'vobject' });
  });

  it('base64 text values in a named charset, and text escapes', async () => {
    const b64 = Buffer.from('秘 Confidential').toString('base64');
    const card = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:山田\r\nNOTE;ENCODING=b;CHARSET=UTF-8:${b64}\r\nEND:VCARD\r\n`;
    expect(await scan('b64.vcf', Buffer.from(card))).toMatchObject({ verdict: 'marked' });
    // `\N` is a line break: 「秘」 and 「Confidential」 on two lines, as the invitation shows them.
    const escaped = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:議題\\N秘\\NConfidential\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(await scan('e.ics', Buffer.from(escaped))).toMatchObject({ verdict: 'marked' });
    expect(await scan('e.txt', Buffer.from(escaped.replace('BEGIN:VCALENDAR', 'X')))).toMatchObject({ verdict: 'clean' });
  });

  it('folds are undone (a break and one space or tab), other breaks are kept', () => {
    expect([...contentLines('A:1\r\nB:ab\r\n c\r\n\td\r\nC:e\n')]).toEqual(['A:1', 'B:abcd', 'C:e']);
    expect([...contentLines('NOTE;ENCODING=QUOTED-PRINTABLE:x=\r\ny\r\nN:z')]).toEqual(['NOTE;ENCODING=QUOTED-PRINTABLE:x=\r\ny', 'N:z']);
  });

  it('one quoted-printable value of 100,000 soft-broken lines (1.2 MB) is read whole: the stamp at its end is found (it was joined in quadratic time and ran out of the scan\'s time)', async () => {
    const card = (end: string) => `BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:${'=E3=81=82=\r\n'.repeat(100_000)}${end}\r\nEND:VCARD\r\n`;
    expect(await scan('big.vcf', new TextEncoder().encode(card('=E7=A7=98 Confidential')))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('big.vcf', new TextEncoder().encode(card('=E7=A7=98=E6=9B=B8=E5=AE=A4')))).toMatchObject({ verdict: 'clean' });
  });

  it('damaged cards and calendars get a verdict, quickly (random mutations and cuts)', async () => {
    for (const name of ['stamp-folded.ics', 'stamp-attach.ics', 'stamp-qp-sjis.vcf']) {
      for (const m of mutants(new Uint8Array(readFileSync(join(DIR, name))), 60, prng(7))) {
        const t = performance.now();
        const r = await scan(name, m.bytes);
        expect(['marked', 'clean', 'unscannable'], m.what).toContain(r.verdict);
        expect(performance.now() - t, m.what).toBeLessThan(1000);
      }
    }
  });
});
