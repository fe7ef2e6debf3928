/**
 * The guard's reading of a text the page hooks or a form hand it (extension/content/hook-items.ts): whole,
 * and as its receiving end decodes it, so that the guard's text check (one run of TEXT_CAP characters, as
 * it is) is given the run that is marked (red team web5 #1, #2, #3).
 */
import { describe, expect, it } from 'vitest';
import { itemsOf } from '../../extension/content/hook-items.js';
import { TEXT_CAP, textVerdictOf } from '../../src/guard/find.js';
import { RAW_TEXT_MAX } from '../../src/guard/request.js';

const LOG = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(68_000);
const STAMP = '来期の価格表です。秘 Confidential 取扱注意';
const TRAP = '秘書室と社外秘の件、秘密保持契約書を送ります。Confidential';

/** The guard's verdict on each text item itemsOf gives. */
async function verdicts(text: string): Promise<string[]> {
  const items = await itemsOf([{ kind: 'text', text }], {});
  return items.map((i) => (i.kind === 'text' ? textVerdictOf(i.text, {}).verdict : i.kind));
}

describe('itemsOf: a text subject', () => {
  it('longer than one scan: the run that holds the stamp, after 4 MiB of a log; the clean twin and traps stay clean', async () => {
    expect(LOG.length).toBeGreaterThan(TEXT_CAP);
    expect(await verdicts(LOG + STAMP)).toEqual(['marked']);
    expect(await verdicts(JSON.stringify({ log: LOG, note: STAMP }))).toEqual(['marked']);
    expect(await verdicts('a'.repeat(TEXT_CAP + 100) + ' ' + STAMP)).toEqual(['marked']);
    expect(await verdicts(LOG + TRAP)).toEqual(['clean']);
  });

  it('percent-escaped, once or more, in text/plain, a JSON value or a form value; traps escaped stay clean', async () => {
    expect(await verdicts(encodeURIComponent(STAMP))).toEqual(['marked']);
    expect(await verdicts(JSON.stringify({ q: encodeURIComponent(STAMP) }))).toEqual(['marked']);
    expect(await verdicts(`q=${encodeURIComponent(encodeURIComponent(encodeURIComponent(STAMP)))}`)).toEqual(['marked']);
    expect(await verdicts(JSON.stringify({ q: encodeURIComponent(TRAP) }))).toEqual(['clean']);
  });

  it('JSON \\u escapes in a form field', async () => {
    const json = JSON.stringify({ draft: STAMP }).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(await verdicts(json)).toEqual(['marked']);
  });

  it('longer than the network layer reads: handed to the engine whole, as a file', async () => {
    const items = await itemsOf([{ kind: 'text', text: 'x'.repeat(RAW_TEXT_MAX + 1) }], {});
    expect(items.map((i) => i.kind)).toEqual(['file']);
  });
});
