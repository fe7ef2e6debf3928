/**
 * Rule 3: what the company designated confidential by other means, compiled once per policy.
 * Bad patterns from policy are dropped (and reported by policy validation), never thrown here.
 */
import type { Designated } from '../types.js';
import { normalize } from '../normalize.js';
import { baseName } from './name.js';
import { escapeRegExp } from '../regex-escape.js';

/** The content and name matchers alone: what the page hooks need (their bundle is size-bound). */
export interface DesignatedMatchers {
  /** Content matchers: keywords (as escaped literals) and patterns. */
  content: { source: string; re: RegExp }[];
  names: { source: string; re: RegExp }[];
}

export interface CompiledDesignated extends DesignatedMatchers {
  sha256: Set<string>;
  labels: Set<string>;
  /** True when content rules exist, so prefilters for 秘 must not skip any text. */
  fullText: boolean;
}

const cache = new WeakMap<Partial<Designated>, CompiledDesignated>();
const matcherCache = new WeakMap<Partial<Designated>, DesignatedMatchers>();
const EMPTY: Partial<Designated> = {};

export function compileMatchers(d: Partial<Designated> = EMPTY): DesignatedMatchers {
  const hit = matcherCache.get(d);
  if (hit) return hit;
  const compiled = {
    content: [
      ...(d.keywords ?? []).filter((k) => k.trim()).map((k) => tryRegExp(escapeRegExp(normalize(k)), 'iu', k)),
      ...(d.patterns ?? []).map((p) => tryRegExp(p, 'iu', p)),
    ].filter((x): x is { source: string; re: RegExp } => x !== null),
    names: (d.namePatterns ?? [])
      .map((p) => tryRegExp(p, 'u', p))
      .filter((x): x is { source: string; re: RegExp } => x !== null),
  };
  matcherCache.set(d, compiled);
  return compiled;
}

export function compileDesignated(d: Partial<Designated> = EMPTY): CompiledDesignated {
  const hit = cache.get(d);
  if (hit) return hit;
  const m = compileMatchers(d);
  const compiled: CompiledDesignated = {
    ...m,
    sha256: new Set((d.sha256 ?? []).map((h) => h.trim().toLowerCase())),
    labels: new Set((d.labels ?? []).map(normalizeLabel)),
    fullText: m.content.length > 0,
  };
  cache.set(d, compiled);
  return compiled;
}

function tryRegExp(source: string, flags: string, label: string): { source: string; re: RegExp } | null {
  try {
    return { source: label, re: new RegExp(source, flags) };
  } catch {
    return null;
  }
}

/** Label GUIDs appear with or without braces and in any case; names in any case. */
export function normalizeLabel(label: string): string {
  return label.trim().replace(/^\{|\}$/g, '').toLowerCase();
}

export function findDesignatedContent(
  text: string,
  d: DesignatedMatchers,
): { source: string; index: number; match: string; normalized: string } | null {
  if (d.content.length === 0) return null;
  const normalized = normalize(text);
  for (const { source, re } of d.content) {
    const m = re.exec(normalized);
    if (m) return { source, index: m.index, match: m[0], normalized };
  }
  return null;
}

export function findDesignatedName(path: string, d: DesignatedMatchers): string | null {
  if (d.names.length === 0) return null;
  const name = normalize(baseName(path));
  return d.names.find(({ re }) => re.test(name))?.source ?? null;
}
