/**
 * The quick exit for text bodies (src/guard/text-prefilter.ts, extension/content/hooks/quick.ts): it may
 * pass only texts the scanner would call clean, whatever the body's encoding, and it must hold when the
 * page has replaced the realm's built-ins.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scanText } from '../../src/detect/index.js';
import { MAY_HOLD_STAMP_TEXT } from '../../src/guard/text-prefilter.js';
import type { Designated } from '../../src/detect/types.js';
import { cannotBeMarked as quick } from '../../extension/content/hooks/quick.js';
import { textsOf } from '../../extension/content/hooks/text.js';

const markedBody = (body: string) => textsOf(body).some((t) => scanText(t, config.designated).verdict === 'marked');

const config: { designated: Partial<Designated> | undefined } = { designated: undefined };
const cannotBeMarked = (text: string) => quick(text, config.designated);
afterEach(() => {
  config.designated = undefined;
});

describe('MAY_HOLD_STAMP_TEXT', () => {
  it('matches every code point that NFKC turns into something with 秘', () => {
    const missed: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (c.normalize('NFKC').includes('秘') && !MAY_HOLD_STAMP_TEXT.test(c)) missed.push(cp.toString(16));
    }
    expect(missed).toEqual([]);
  });

  it('keeps in every body the hooks would find marked, however it is escaped', () => {
    const bodies = [
      '秘 Confidential',
      '㊙　CONFIDENTIAL',
      JSON.stringify({ p: '設計\n秘\nConfidential' }),
      '{"t":"\\u79d8 Confidential"}',
      '{"t":"\\u3299confidential"}',
      `q=${encodeURIComponent('秘 Confidential')}`,
      `q=%e7%a7%98+confidential`,
      '<p>&#31192; Confidential</p>',
      '{"html":"&#x79D8;&nbsp;confidential"}',
      '&#12953;Confidential',
      // A form from a windows-1252 page: 秘 sent as &#31192;, then percent-encoded.
      'body=%26%2331192%3B+Confidential',
      '<p>秘&nbsp;Confidential</p>',
    ];
    for (const b of bodies) {
      expect(markedBody(b), b).toBe(true);
      expect(cannotBeMarked(b), b).toBe(false);
    }
  });

  it('lets clean ASCII and Japanese bodies without 秘 through', () => {
    for (const b of [
      JSON.stringify({ q: 'clean text, nothing marked', at: 1 }),
      '{"a":"no escapes","n":[1,2]}',
      'to=x&subject=hello+world',
      '来週の定例は水曜 10 時から。Confidential',
    ]) {
      expect(markedBody(b), b).toBe(false);
      expect(cannotBeMarked(b), b).toBe(true);
    }
    // Might hold the stamp (秘 without it, a \u escape, an escaped non-ASCII byte): scanned; a \n escape cannot.
    expect(cannotBeMarked('{"a":"\\n"}')).toBe(true);
    for (const b of ['秘書室', '{"a":"\\u0041"}', 'q=%E6%9D%A5', '&#39;']) expect(cannotBeMarked(b), b).toBe(false);
    // References to other characters, and ones past Unicode, read as what they are.
    for (const b of ['<p>&#31192;&#26360;&#23460; Confidential</p>', '&#x110000; &#99999999999; confidential', '&#X79D8 secret']) expect(markedBody(b), b).toBe(false);
  });
});

describe('cannotBeMarked', () => {
  it('scans every text once the policy designates keywords or patterns (they can be plain ASCII)', () => {
    config.designated = { keywords: ['Project Falcon'] };
    expect(cannotBeMarked('{"q":"Project Falcon budget"}')).toBe(false);
    expect(markedBody('{"q":"Project Falcon budget"}')).toBe(true);
    config.designated = { patterns: ['PF-\\d+'] };
    expect(cannotBeMarked('PF-12')).toBe(false);
    config.designated = { keywords: [], patterns: [] };
    expect(cannotBeMarked('PF-12')).toBe(true);
  });

  it('holds when the page replaced RegExp.prototype.exec or gave Object.prototype a keywords getter', () => {
    const exec = Object.getOwnPropertyDescriptor(RegExp.prototype, 'exec')!;
    Object.defineProperty(RegExp.prototype, 'exec', { ...exec, value: () => null });
    Object.defineProperty(Object.prototype, 'keywords', { get: () => [], configurable: true });
    config.designated = { patterns: ['x'] };
    let results: boolean[];
    try {
      results = [cannotBeMarked('秘 Confidential'), cannotBeMarked('x')];
    } finally {
      Object.defineProperty(RegExp.prototype, 'exec', exec);
      delete (Object.prototype as Record<string, unknown>).keywords;
    }
    expect(results).toEqual([false, false]);
  });
});
