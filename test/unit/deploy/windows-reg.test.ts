/**
 * The .reg writer's value encodings (REG_SZ escapes, hex(1) for control characters, dword range) read
 * back through the strict parser in test/support/reg-file.ts, and that parser rejecting malformed files.
 */
import { describe, expect, it } from 'vitest';
import { chromePolicies, type BrowserPolicies } from '../../../src/deploy/chrome.js';
import { DeployError, resolveOptions } from '../../../src/deploy/options.js';
import { encodeRegFile, regText, regValueLines } from '../../../src/deploy/windows-reg.js';
import { EXTENSION_ID } from '../../../src/policy/index.js';
import { HOSTILE } from '../../support/deploy.js';
import { parseRegFile, RegParseError } from '../../support/reg-file.js';

const ROOT = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome';
const KEY = `${ROOT}\\3rdparty\\extensions\\${EXTENSION_ID}\\policy`;
const options = resolveOptions({}, { updateUrl: 'https://u.example/updates.xml' }, ['windows']);

/** A .reg with the given extension-policy values, bypassing policy validation (to reach every encoding). */
function regWith(extensionPolicy: BrowserPolicies['extensionPolicy']): Uint8Array {
  return encodeRegFile(regText({ ...chromePolicies('chrome', {}, options), extensionPolicy }));
}

const valuesOf = (bytes: Uint8Array) => parseRegFile(bytes).keys.get(KEY)!;

describe('.reg values', () => {
  it('strings with quotes, backslashes, brackets, %, ; and non-ASCII stay one quoted REG_SZ and read back exactly', () => {
    const values = valuesOf(regWith({ user: HOSTILE, policyVersion: '\\\\server\\share\\"x"\\' }));
    expect(values.get('user')).toEqual({ type: 'REG_SZ', data: HOSTILE });
    expect(values.get('policyVersion')).toEqual({ type: 'REG_SZ', data: '\\\\server\\share\\"x"\\' });
    expect(regValueLines('user', 'a"b\\c', 'user')).toEqual(['"user"="a\\"b\\\\c"']);
  });

  it('strings with control characters become hex(1) UTF-16LE with a NUL terminator, continued over lines', () => {
    const s = `line one\r\nline two\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil]\n"x"=dword:00000001\ttab\u0085\u2028 秘😀 ${'long '.repeat(30)}`;
    const lines = regValueLines('user', s, 'user');
    expect(lines[0].startsWith('"user"=hex(1):')).toBe(true);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines.slice(0, -1)) expect(l.endsWith(',\\')).toBe(true);
    expect(lines.at(-1)!.endsWith('00,00')).toBe(true);
    const values = valuesOf(regWith({ user: s, policyVersion: 'a\nb' }));
    expect(values.get('user')).toEqual({ type: 'REG_SZ', data: s });
    expect(values.get('policyVersion')).toEqual({ type: 'REG_SZ', data: 'a\nb' });
    // Nothing the string held became a key or a value of its own.
    expect([...parseRegFile(regWith({ user: s })).keys.keys()]).toEqual([ROOT, KEY]);
  });

  it('objects and arrays are REG_SZ JSON text, with C1 controls and line separators escaped inside', () => {
    const messages = { ja: 'a\u0085b\u2028c\u007f', en: `x\ny "${HOSTILE}"` };
    const line = regValueLines('messages', messages, 'messages');
    expect(line).toHaveLength(1);
    expect(line[0]).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    const values = valuesOf(regWith({ messages, allow: ['a.example', '*.b.example'] }));
    const m = values.get('messages')!;
    expect(m.type).toBe('REG_SZ');
    expect(JSON.parse((m as { data: string }).data)).toEqual(messages);
    expect(values.get('allow')).toEqual({ type: 'REG_SZ', data: '["a.example","*.b.example"]' });
  });

  it('integers and booleans are dwords; values a dword cannot hold for Chrome are errors naming the field', () => {
    expect(regValueLines('heartbeatMinutes', 15, 'heartbeatMinutes')).toEqual(['"heartbeatMinutes"=dword:0000000f']);
    expect(regValueLines('BrowserGuestModeEnabled', false, 'x')).toEqual(['"BrowserGuestModeEnabled"=dword:00000000']);
    expect(regValueLines('BlockExternalExtensions', true, 'x')).toEqual(['"BlockExternalExtensions"=dword:00000001']);
    expect(regValueLines('n', 0x7fffffff, 'n')).toEqual(['"n"=dword:7fffffff']);
    for (const bad of [0x80000000, 2 ** 32, -1, 1.5]) {
      expect(() => regValueLines('heartbeatMinutes', bad, 'limits.maxBytes')).toThrow(DeployError);
      expect(() => regValueLines('heartbeatMinutes', bad, 'limits.maxBytes')).toThrow(/^limits\.maxBytes: .*dword/);
    }
  });

  it('a NUL in a string is an error (every reader would cut the string there)', () => {
    expect(() => regValueLines('user', 'a\u0000b', 'user')).toThrow(/user: .*NUL/);
    expect(() => regValueLines('x', null, 'x')).toThrow(DeployError);
  });

  it('the file is a BOM, UTF-16LE and CRLF only', () => {
    const bytes = regWith({ user: 'x' });
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const text = Buffer.from(bytes.subarray(2)).toString('utf16le');
    expect(text.startsWith('Windows Registry Editor Version 5.00\r\n\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });
});

describe('the strict .reg parser', () => {
  const CRLF = '\r\n';
  const file = (...lines: string[]) => encodeRegFile(lines.join(CRLF) + CRLF);
  const good = ['Windows Registry Editor Version 5.00', '', '; c', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]', '"a"="b \\"q\\" \\\\"', '"n"=dword:0000002a'];

  it('reads a well-formed file', () => {
    const reg = parseRegFile(file(...good, '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Y]', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Y]', '"h"=hex(1):41,00,\\', '  42,00,00,00', '@="d"', '"gone"=-'));
    expect(reg.keys.get('HKEY_LOCAL_MACHINE\\SOFTWARE\\X')).toEqual(
      new Map([
        ['a', { type: 'REG_SZ', data: 'b "q" \\' }],
        ['n', { type: 'REG_DWORD', data: 42 }],
      ]),
    );
    expect(reg.deletedKeys).toEqual(['HKEY_LOCAL_MACHINE\\SOFTWARE\\Y']);
    expect(reg.keys.get('HKEY_LOCAL_MACHINE\\SOFTWARE\\Y')).toEqual(
      new Map<string, unknown>([
        ['h', { type: 'REG_SZ', data: 'AB' }],
        ['', { type: 'REG_SZ', data: 'd' }],
        ['gone', { type: 'DELETE' }],
      ]),
    );
  });

  const bad: [string, () => Uint8Array, RegExp][] = [
    ['no BOM', () => new Uint8Array(Buffer.from(good.join(CRLF) + CRLF, 'utf16le')), /byte-order mark/],
    ['UTF-8', () => new Uint8Array(Buffer.from('\uFEFF' + good.join(CRLF) + CRLF, 'utf8')), /byte-order mark/],
    ['odd length', () => new Uint8Array([...file(...good), 0x41]), /odd number/],
    ['LF line ends', () => encodeRegFile(good.join('\n') + '\n'), /CRLF/],
    ['a lone CR', () => file(...good.slice(0, -1), '"x"="a\rb"'), /CRLF/],
    ['no final line end', () => encodeRegFile(good.join(CRLF)), /end with CRLF/],
    ['wrong header', () => file('REGEDIT4', ...good.slice(1)), /line 1/],
    ['unknown escape', () => file(...good, '"x"="a\\nb"'), /unknown escape/],
    ['unterminated string', () => file(...good, '"x"="abc'), /unterminated/],
    ['text after a string', () => file(...good, '"x"="a" "b"'), /after the closing quote/],
    ['unquoted name', () => file(...good, 'x="a"'), /not a comment, key or value/],
    ['missing =', () => file(...good, '"x" "a"'), /expected =/],
    ['short dword', () => file(...good, '"x"=dword:2a'), /8 lowercase hex/],
    ['long dword', () => file(...good, '"x"=dword:000000002a'), /8 lowercase hex/],
    ['upper-case dword', () => file(...good, '"x"=dword:0000002A'), /8 lowercase hex/],
    ['odd hex(1) bytes', () => file(...good, '"x"=hex(1):41,00,00'), /whole UTF-16LE/],
    ['hex(1) without terminator', () => file(...good, '"x"=hex(1):41,00'), /NUL terminator/],
    ['NUL inside hex(1)', () => file(...good, '"x"=hex(1):00,00,41,00,00,00'), /NUL inside/],
    ['bad hex byte', () => file(...good, '"x"=hex(1):4g,00,00,00'), /lowercase hex/],
    ['bad continuation', () => file(...good, '"x"=hex(1):41,00,\\', '42,00,00,00'), /continuation/],
    ['unsupported type', () => file(...good, '"x"=hex(2):41,00,00,00'), /unsupported/],
    ['value before any key', () => file('Windows Registry Editor Version 5.00', '', '"x"="a"'), /outside a key/],
    ['value under a deleted key', () => file(...good, '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\X]', '"x"="a"'), /outside a key/],
    ['unknown root', () => file(...good, '[HKEY_NOWHERE\\X]'), /unknown root/],
    ['empty key name', () => file(...good, '[HKEY_LOCAL_MACHINE\\\\X]'), /empty key name/],
    ['unclosed key', () => file(...good, '[HKEY_LOCAL_MACHINE\\X'), /end with \]/],
    ['a value twice', () => file(...good, '"A"="again"'), /set twice/],
    ['a control character in a string', () => file(...good, '"x"="a\tb"'), /control character/],
    ['stray text', () => file(...good, 'hello'), /not a comment, key or value/],
  ];
  it.each(bad)('rejects %s', (_, make, why) => {
    const bytes = make();
    expect(() => parseRegFile(bytes)).toThrow(RegParseError);
    expect(() => parseRegFile(bytes)).toThrow(why);
  });
});
