/**
 * The shipped catalogue (src/policy/catalogue.ts): well-formed entries, and every entry added since
 * issue 14 names the page of the service's own documentation its hosts came from.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICES, defaultPolicy, findService } from '../../src/policy/index.js';

const SOURCE = readFileSync(new URL('../../src/policy/catalogue.ts', import.meta.url), 'utf8');

describe('the shipped catalogue', () => {
  it('has unique ids and plain host patterns', () => {
    const ids = DEFAULT_SERVICES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of DEFAULT_SERVICES) {
      expect(s.hosts.length, s.id).toBeGreaterThan(0);
      for (const h of s.hosts) expect(h, s.id).toMatch(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    }
  });

  it('gives every sourced entry an https page, right above it', () => {
    const lines = SOURCE.split('\n');
    const sourced = lines.flatMap((l, i) => (/^\s*\/\/ source:/.test(l) ? [i] : []));
    expect(sourced.length).toBeGreaterThanOrEqual(8);
    for (const i of sourced) {
      // The comment block runs until the entry it sources.
      let j = i;
      const block: string[] = [];
      while (j < lines.length && /^\s*\/\//.test(lines[j])) block.push(lines[j++]);
      expect(block.join(' '), lines[i]).toMatch(/https?:\/\/[^\s)]+/);
      expect(lines[j], lines[i]).toMatch(/^\s*\{ id: '/);
    }
  });

  it('guards the note services it lists, as data sharing', () => {
    const p = defaultPolicy();
    expect(findService(p, 'https://www.notion.so/acme/Plan-123')?.category).toBe('sharing');
    expect(findService(p, 'https://notion.so/')?.id).toBe('notion');
    expect(findService(p, 'https://notion.so.example.com/')).toBeNull();
  });
});
