/**
 * The well-formedness check (src/detect/extract/xml-syntax.ts) reads most tags in its quick loops
 * (quickRun, quickTag) and leaves the rest to its byte-by-byte state machine. Fed one byte at a time,
 * no tag lies whole in a chunk and the state machine reads everything: the verdict (and the byte it
 * names) must be the same either way, on well-formed parts and on each kind of damage, at every chunk
 * size in between.
 */
import { describe, expect, it } from 'vitest';
import { XmlSyntax } from '../../src/detect/extract/xml-syntax.js';
import { prng } from '../support/fuzz.js';

function check(bytes: Uint8Array, chunk: number): string | null {
  const x = new XmlSyntax();
  for (let i = 0; i < bytes.length; i += chunk) x.push(bytes.subarray(i, i + chunk));
  return x.damage();
}


const NAMES = ['row', 'c', 'v', 'x:row', 'w:p', 'r', 'sheetData', 'a1', 'é'];
const ATTRS = ['r', 'spans', 'ht', 'x:id', 'xmlns:x', 'xmlns:w', 'xmlns', 'xml:space', 'w:val', 'customHeight'];

/** A part of nested elements, mostly well-formed; `damage` in [0, 1]: how often a piece is written wrong. */
function part(r: () => number, damage: number): string {
  const pick = <T>(xs: T[]) => xs[(r() * xs.length) | 0];
  const bad = () => r() < damage;
  // Now and then the w prefix is used undeclared.
  const out: string[] = ['<root xmlns:x="u"', r() < 0.9 ? ' xmlns:w="v"' : '', '>'];
  const open: string[] = ['root'];
  for (let k = 0; k < 200; k++) {
    const roll = r();
    if (roll < 0.45) {
      const name = pick(NAMES);
      let tag = '<' + name;
      const n = (r() * 4) | 0;
      for (let a = 0; a < n; a++) {
        const q = bad() ? '' : r() < 0.8 ? '"' : "'";
        const value = pick(['1', '1:1', 'a>b', "it's", 'x y', bad() ? 'a<b' : 'v', bad() ? 'a\0b' : 'v']);
        tag += (bad() ? '' : r() < 0.9 ? ' ' : '\n\t ') + pick(ATTRS) + (r() < 0.1 ? ' = ' : '=') + q + (q === "'" ? value.replace("'", '"') : value) + q;
      }
      if (r() < 0.4) out.push(tag + (r() < 0.2 ? ' />' : '/>'));
      else {
        out.push(tag + (r() < 0.1 ? ' >' : '>'));
        open.push(name);
      }
    } else if (roll < 0.75 && open.length > 1) {
      const name = open.pop()!;
      out.push('</' + (bad() ? pick(NAMES) : name) + (r() < 0.1 ? ' >' : '>'));
    } else if (roll < 0.9) out.push(pick(['text', ' 秘 Confidential ', '&amp;', '1:2', bad() ? '<' : '', bad() ? '< x' : '']));
    else out.push(pick(['<!-- note -->', '<?pi x?>', '<![CDATA[<a>]]>', bad() ? '<!x>' : '', bad() ? '</>' : '', bad() ? '<:a/>' : '', bad() ? '<a b/>' : '']));
  }
  while (open.length) out.push('</' + open.pop() + '>');
  return out.join('');
}

describe('XmlSyntax: the quick loops read as the state machine does', () => {
  it('generated parts, well-formed and damaged, whole and in chunks of 1, 2, 3, 7, 64 and 4096 bytes', () => {
    let damaged = 0;
    let whole = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = prng(seed);
      const bytes = new TextEncoder().encode(part(r, [0, 0.001, 0.005, 0.02][seed % 4]));
      const want = check(bytes, 1);
      if (want) damaged++;
      else whole++;
      for (const size of [bytes.length, 2, 3, 7, 64, 4096]) expect(check(bytes, size), `seed ${seed}, chunks of ${size}`).toBe(want);
    }
    // Both outcomes are exercised.
    expect(damaged).toBeGreaterThan(50);
    expect(whole).toBeGreaterThan(50);
  });

  it('the kinds of damage it names, whole or a byte at a time', () => {
    const cases: [string, string | null][] = [
      ['<a><b r="1" s="2"/><c>x</c></a>', null],
      ['<a><b r="1"></c></a>', 'an end tag that does not match'],
      ['<a b="1" c="2></a>', 'a < in an attribute value'],
      ['<a b="1"c="2"></a>', 'attributes not parted by a blank'],
      ['<a b=1></a>', 'without its opening quote'],
      ['<a b></a>', 'an attribute without a value'],
      ['<a><x:b/></a>', 'an element whose prefix no xmlns declares'],
      ['<a xmlns:x="u"><x:b/></a>', null],
      ['<a><b x:c="1"/></a>', 'an attribute whose prefix no xmlns declares'],
      ['<a>< b/></a>', 'a < that starts no tag'],
      ['<a></a x>', 'an end tag with more than a name'],
      ['<a><b/ ></a>', 'a / inside a tag'],
      ['<a><b>', 'never closed'],
      ['<a b="&quot;1&amp;2&#x79D8;&#31192;">&lt;x&gt; &apos;</a>\0\0', null],
      ['<a>秘&bogus; Confidential</a>', 'an entity XML does not define (&bogus;)'],
      ['<a>R&D</a>', 'a & that starts no entity'],
      ['<a b="x & y"/>', 'a & that starts no entity'],
      ['<a>&#xD800;</a>', 'a character XML forbids (&#xD800;)'],
      ['<a b="&#0;"/>', 'a character XML forbids'],
      ['<a>x\0y</a>', 'a NUL byte'],
      ['<a><c t="s\0"><v>4</v></c></a>', 'a NUL byte in an attribute value'],
      ["<a b='\0'/>", 'a NUL byte in an attribute value'],
      ['<a><c\0 t="s"/></a>', 'a NUL byte inside a tag'],
      ['<a><c t\0="s"/></a>', 'a NUL byte inside a tag'],
      ['<a><c t="s" \0/></a>', 'a NUL byte inside a tag'],
      ['<a><c t="s"\0/></a>', 'a NUL byte inside a tag'],
      ['<a></a\0>', 'a NUL byte inside a tag'],
      ['<!DOCTYPE a [<!ENTITY s "x">]><a>&s;</a>', null],
    ];
    for (const [xml, want] of cases) {
      const bytes = new TextEncoder().encode(xml);
      for (const size of [bytes.length, 1]) {
        const got = check(bytes, size);
        if (want === null) expect(got, `${xml} in chunks of ${size}`).toBeNull();
        else expect(got, `${xml} in chunks of ${size}`).toContain(want);
      }
    }
  });
});
