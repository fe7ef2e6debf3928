/**
 * Text written as HTML character references: what a rich-text editor may post as an HTML body, and what
 * a browser sends for a character the form page's charset cannot encode (`&#31192;`, percent-encoded
 * once more in a urlencoded body).
 */
import type { Technique } from '../harness.js';


const rows: Technique[] = [
  {
    id: 'html-body-refs',
    title: 'an HTML body whose non-ASCII characters are hexadecimal references, spaces as &nbsp;',
    carries: ['text'],
    run: (p, t) => {
      const refs = p.text.replace(/[^\x20-\x7e]/g, (c) => `&#x${c.codePointAt(0)!.toString(16)};`).replace(/ /g, '&nbsp;');
      return t.settle(fetch(t.url('html-body-refs'), { method: 'POST', headers: { 'content-type': 'text/html' }, body: `<div><p>${refs}</p></div>` }));
    },
  },
  {
    id: 'form-body-refs',
    title: 'a urlencoded body as a windows-1252 form sends it: decimal references, percent-encoded',
    carries: ['text'],
    run: (p, t) => {
      const refs = p.text.replace(/[^\x20-\x7e]/g, (c) => `&#${c.codePointAt(0)};`);
      return t.settle(fetch(t.url('form-body-refs'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `body=${encodeURIComponent(refs)}` }));
    },
  },
];

export default rows;
