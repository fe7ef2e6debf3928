import { describe, expect, it } from 'vitest';
import { arrowIifes } from '../../scripts/arrow-iifes.js';

/** Runs `code` (an expression) in a fresh function with a `this` of its own, and returns its value. */
const run = (code: string): unknown => new Function(`return ${code};`).call({ own: 'outer' });
/** The rewrite of an expression (parenthesised: a statement cannot start with `function(`). */
const rewrite = (code: string) => arrowIifes(`(${code})`);

describe('arrowIifes: calls of function expressions made where they are called', () => {
  it('turns one that reads no this/arguments into an arrow, keeping what it returns', () => {
    const code = 'function(t,{a:e}={a:2}){let n=t*e;return n+function(r){return r}(1)}(20)';
    const out = rewrite(code);
    expect(out).not.toContain('function');
    expect(out.length).toBeLessThan(code.length + 8);
    expect(run(out)).toBe(run(`(${code})`));
  });

  it('leaves one that reads its own this, arguments, new.target, or a name of its own', () => {
    for (const code of [
      'function(){return this.own}()',
      'function(){return (()=>this)()}()',
      'function(){return arguments.length}(1,2)',
      'function(t=this){return t}()',
      'function(){return new.target}()',
      'function f(n){return n<1?0:f(n-1)}(3)',
      'function*(){yield 1}().next().value',
      'async function(){return 1}()',
    ]) {
      expect(rewrite(code), code).toContain('function');
    }
  });

  it('rewrites calls nested in one another and in sequences, and a nested function keeps its own this', () => {
    const code = '[function(t){return function(e){return e+t+function(){return this}.call(5)}(1)}(2),!function(){return 0}()]';
    const out = rewrite(code);
    expect(out.match(/function/g)).toHaveLength(1);
    expect(String(run(out))).toBe(String(run(`(${code})`)));
  });
});
