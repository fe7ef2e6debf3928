/**
 * The page hooks' pure parts, in Node: reading a body's texts with built-ins captured at load (so a
 * page replacing JSON.parse, String.prototype.includes or Array.prototype.push later changes nothing),
 * and the check that tells the hooks whether the shared scanner's built-ins are still the originals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { intact } from '../../extension/content/hooks/intact.js';
import { TEXT_CAP, textsOf } from '../../extension/content/hooks/text.js';

const STAMP_JSON = JSON.stringify({ messages: [{ content: { parts: ['設計レビュー結果\n秘\nCONFIDENTIAL\n以上'] } }] });
const FORM = `body=${encodeURIComponent('来期の価格表です。秘 Confidential')}&to=x`;

/** Replaces obj[key] for one test; afterEach puts every original back. */
const restore: (() => void)[] = [];
function replace<T extends object>(obj: T, key: PropertyKey, value: unknown): void {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, { value, writable: true, configurable: true, enumerable: false });
  // Index assignment, not push: push may be what was just replaced.
  restore[restore.length] = () => (d ? Object.defineProperty(obj, key, d) : delete (obj as Record<PropertyKey, unknown>)[key]);
}
afterEach(() => {
  while (restore.length) restore.pop()!();
});

describe('textsOf', () => {
  it('gives a plain body as is, once', () => {
    expect(textsOf('来週の打合せは 3 階で')).toEqual(['来週の打合せは 3 階で']);
    expect(textsOf('{"a":"no escapes"}')).toEqual(['{"a":"no escapes"}']);
  });

  it('adds the strings of a JSON body with escapes, and the names and values of a url-encoded body', () => {
    expect(textsOf(STAMP_JSON)).toEqual([STAMP_JSON, '設計レビュー結果\n秘\nCONFIDENTIAL\n以上']);
    expect(textsOf('{"t":"\\u79d8 Confidential","n":[1,{"x":"y"}]}')[1]).toBe('秘 Confidential\ny');
    expect(textsOf(FORM)).toEqual([FORM, 'body\n来期の価格表です。秘 Confidential\nto\nx']);
    expect(textsOf('{"broken\\n')).toEqual(['{"broken\\n']);
    // A URLSearchParams body is judged as the form text it is sent as: an empty key writes `=v`.
    const params = new URLSearchParams([['', '秘 Confidential'], ['k', 'x']]).toString();
    expect(textsOf(params)).toEqual([params, '\n秘 Confidential\nk\nx']);
    // The text as a field's name (red team web5 #4).
    const keyed = new URLSearchParams([['秘 Confidential', '1']]).toString();
    expect(textsOf(keyed)).toEqual([keyed, '秘 Confidential\n1']);
  });

  it('reads the whole body: a text longer than one scan goes to the guard whole (gates.ts)', () => {
    const big = 'あ'.repeat(TEXT_CAP + 10);
    expect(textsOf(big)[0]).toHaveLength(TEXT_CAP + 10);
  });

  it('still decodes JSON after the realm replaced JSON.parse, Array.prototype.push / join / iterator, Object.values, String and RegExp methods', () => {
    replace(JSON, 'parse', () => ({}));
    replace(Array.prototype, 'push', function (this: unknown[]) { return this.length; });
    replace(Array.prototype, 'join', () => '');
    replace(Array.prototype, Symbol.iterator, function* () {});
    replace(Object, 'values', () => []);
    replace(String.prototype, 'includes', () => false);
    replace(String.prototype, 'slice', () => '');
    replace(RegExp.prototype, 'exec', () => null);
    const json = textsOf(STAMP_JSON)[1];
    while (restore.length) restore.pop()!(); // before expect(), which needs a working realm
    expect(json).toBe('設計レビュー結果\n秘\nCONFIDENTIAL\n以上');
  });
});

describe('intact', () => {
  it('is true for the realm as loaded', () => {
    expect(intact()).toBe(true);
  });

  it.each([
    ['String.prototype.includes', String.prototype, 'includes'],
    ['String.prototype.normalize', String.prototype, 'normalize'],
    ['RegExp.prototype.exec', RegExp.prototype, 'exec'],
    ['RegExp.prototype[Symbol.replace]', RegExp.prototype, Symbol.replace],
    ['Array.prototype.map', Array.prototype, 'map'],
    ['the array iterator', Object.getPrototypeOf([][Symbol.iterator]()), 'next'],
    ['WeakMap.prototype.get', WeakMap.prototype, 'get'],
    ['Math.max', Math, 'max'],
    ['the global Set', globalThis, 'Set'],
  ] as [string, object, PropertyKey][])('turns false when %s is replaced, and true again when it is back', (_n, obj, key) => {
    replace(obj, key, function () { return null; });
    const replaced = intact();
    restore.pop()!();
    expect(replaced).toBe(false);
    expect(intact()).toBe(true);
  });

  it('turns false when Object.prototype gains a property (absent reads would find it) or Array.prototype changes', () => {
    replace(Object.prototype, 'keywords', ['x']);
    expect(intact()).toBe(false);
    restore.pop()!();
    replace(Array.prototype, 'flat', 'x');
    expect(intact()).toBe(false);
    restore.pop()!();
    expect(intact()).toBe(true);
  });

  it('turns false when a getter is redefined', () => {
    const flags = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags')!;
    Object.defineProperty(RegExp.prototype, 'flags', { ...flags, get: () => '' });
    restore.push(() => Object.defineProperty(RegExp.prototype, 'flags', flags));
    expect(intact()).toBe(false);
  });
});
