/**
 * Rewrites `function(a){…}(x)` as `(a=>{…})(x)` in minified code, where the function is anonymous,
 * neither a generator nor async, and reads no `this`, `arguments`, `new.target` or `super` of its own:
 * for a function called where it is made, that is the same code. Terser inlines each hook installer
 * that is called once as such a call and keeps the `function` (its `unsafe_arrows` leaves calls
 * alone): about 6 bytes each, 170 B of page-hooks.js, which every frame parses (vite.config.ts).
 */
import { parseAst } from 'vite';
import { applyEdits, children, type Edit, type Node } from './ast-edits.js';

/** Whether `n` (a function's parameters or body) reads what only a non-arrow function of its own has. */
function readsOwnThis(n: Node): boolean {
  if (n.type === 'ThisExpression' || n.type === 'Super' || n.type === 'MetaProperty') return true;
  if (n.type === 'Identifier' && n.name === 'arguments') return true;
  // A nested function or class has its own `this` and `arguments`; an arrow shares its parent's.
  if (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ClassBody') return false;
  return children(n).some(readsOwnThis);
}

export function arrowIifes(code: string): string {
  const edits: Edit[] = [];
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
  return applyEdits(code, edits);
}
