/**
 * Rewrites `function(a){…}(x)` as `(a=>{…})(x)` in minified code, where the function is anonymous,
 * neither a generator nor async, and reads no `this`, `arguments`, `new.target` or `super` of its own:
 * for a function called where it is made, that is the same code. Terser inlines each hook installer
 * that is called once as such a call and keeps the `function` (its `unsafe_arrows` leaves calls
 * alone): about 6 bytes each, 170 B of page-hooks.js, which every frame parses (vite.config.ts).
 */
import { parseAst } from 'vite';

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(n)) {
    const v = n[key];
    if (Array.isArray(v)) for (const c of v) isNode(c) && out.push(c);
    else if (isNode(v)) out.push(v);
  }
  return out;
}

/** Whether `n` (a function's parameters or body) reads what only a non-arrow function of its own has. */
function readsOwnThis(n: Node): boolean {
  if (n.type === 'ThisExpression' || n.type === 'Super' || n.type === 'MetaProperty') return true;
  if (n.type === 'Identifier' && n.name === 'arguments') return true;
  // A nested function or class has its own `this` and `arguments`; an arrow shares its parent's.
  if (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ClassBody') return false;
  return children(n).some(readsOwnThis);
}

export function arrowIifes(code: string): string {
  const edits: { at: number; end: number; text: string }[] = [];
  const visit = (n: Node): void => {
    const f = n.callee as Node | undefined;
    if (n.type === 'CallExpression' && f?.type === 'FunctionExpression' && !f.id && !f.generator && !f.async) {
      const params = f.params as Node[];
      const body = f.body as Node;
      if (!params.some(readsOwnThis) && !readsOwnThis(body)) {
        const list = params.map((p) => code.slice(p.start, p.end)).join(',');
        edits.push({ at: f.start, end: body.start, text: `((${list})=>` }, { at: f.end, end: f.end, text: ')' });
      }
    }
    for (const c of children(n)) visit(c);
  };
  visit(parseAst(code) as unknown as Node);
  let out = code;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}
