/**
 * Nesting limits of the RTF and PowerPoint readers end unread (with the reason), never clean: the
 * text past them used to be dropped in silence.
 */
import { describe, expect, it } from 'vitest';
import { readPpt } from '../../src/detect/extract/ole2-ppt.js';
import { extractRtf } from '../../src/detect/extract/rtf.js';
import { collect } from '../support/extract.js';

describe('RTF groups nested past 512', () => {
  it('the text inside them is not read: unscannable, not clean (the groups close: not truncated)', async () => {
    const rtf = (n: number) => `{\\rtf1\\ansi ${'{'.repeat(n)}\\u31192? Confidential${'}'.repeat(n)}}`;
    const deep = await collect(extractRtf, rtf(600));
    expect(deep.filter((i) => i.kind === 'unscannable')).toMatchObject([{ reason: 'corrupt', detail: expect.stringMatching(/512 deep/) }]);
    const shallow = await collect(extractRtf, rtf(100));
    expect(shallow.some((i) => i.kind === 'text' && i.text.includes('秘 Confidential'))).toBe(true);
    expect(shallow.filter((i) => i.kind === 'unscannable')).toEqual([]);
  });
});

describe('PowerPoint records nested past 64', () => {
  /** A record: version/instance, type, length, body. */
  const rec = (ver: number, type: number, body: number[]) => [ver, 0, type & 0xff, type >> 8, ...[0, 8, 16, 24].map((s) => (body.length >> s) & 0xff), ...body];
  const text = [...'秘 Confidential'].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]);
  const nested = (n: number) => {
    let body = rec(0, 0x0fa0, text);
    for (let i = 0; i < n; i++) body = rec(0x0f, 0x03e8, body);
    return new Uint8Array(body);
  };
  it('the records inside are not walked: damaged, said', () => {
    expect(readPpt(nested(70), () => {}).damaged).toMatch(/64 deep/);
    const shallow = readPpt(nested(10), () => {});
    expect(shallow.damaged).toBeUndefined();
    expect(shallow.groups.some((g) => g.text.includes('秘 Confidential'))).toBe(true);
  });
});

describe('PDF character map past 1,048,576 entries', () => {
  it('is too large, said (the codes past the limit would show nothing)', async () => {
    const { parseCMap } = await import('../../src/detect/extract/pdf-font.js');
    const ranges = (n: number) => Array.from({ length: n }, (_, i) => `<${(i * 0x10000).toString(16).padStart(8, '0')}> <${(i * 0x10000 + 0xffff).toString(16).padStart(8, '0')}> <0041>`).join('\n');
    const cmap = (n: number) => new TextEncoder().encode(`begincmap\n1 begincodespacerange <00000000> <ffffffff> endcodespacerange\n${n} beginbfrange\n${ranges(n)}\nendbfrange\nendcmap`);
    expect(() => parseCMap(cmap(17), () => {})).toThrow(/more than 1,048,576 entries/);
    expect(parseCMap(cmap(2), () => {}).map.size).toBe(2 * 0x10000);
  });
});
