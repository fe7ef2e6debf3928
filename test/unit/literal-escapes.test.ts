import { describe, expect, it } from 'vitest';
import { literalEscapes } from '../../scripts/literal-escapes.js';

/** Runs `code` (an expression) and returns its value. */
const run = (code: string): unknown => new Function(`return ${code};`)();

describe('literalEscapes: non-ASCII escapes in literals written as the characters', () => {
  it('rewrites strings and regexes (classes, ranges, the u flag) to the same values, shorter', () => {
    const code = String.raw`[/[\p{Cf}\u0085\u034F\u115F\u2800]/gu.source, /^([秘C])\s*[-\u2010-\u2015\u2212\u30FC]/u.test("秘\u2015x"), "\u79d8 Confidential", /[\u3164\uFFA0]/.test("\uFFA0"), /\xe7\xa7\x98|[\x80-\xff]{2}/.test("\xe7\xa7\x98"), /^[\x80-\xff]{2}$/.test("\xff\x80")]`;
    const out = literalEscapes(code);
    expect(out).not.toMatch(/\\u(?:0085|034F|115F|2800|2010|2015|2212|30FC|79d8|3164|FFA0)|\\x[89a-f]/i);
    expect(Buffer.byteLength(out)).toBeLessThan(Buffer.byteLength(code) - 30);
    const [src, ...rest] = run(out) as [string, ...unknown[]];
    const [srcBefore, ...restBefore] = run(code) as [string, ...unknown[]];
    expect(rest).toEqual(restBefore);
    expect(new RegExp(src, 'gu').test('\u034F')).toBe(new RegExp(srcBefore, 'gu').test('\u034F'));
  });

  it('leaves ASCII, surrogates, line terminators, a BOM, bidi controls, escaped backslashes and code outside literals', () => {
    const code = String.raw`["\u0022\u0041\x41\x7f", "\uD83D\uDE00", "\u2028\u2029\uFEFF", /\u202E|\u2066/.source, "\\u79d8\\xe7", /\\u3164/.source, \u0061bc]`;
    expect(literalEscapes(code)).toBe(code);
  });
});
