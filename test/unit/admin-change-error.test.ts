/** The admin page's message for a refused name: which existing name it looks like, or that a revoked token had it. */
import { describe, expect, it } from 'vitest';
import { nameRefusal } from '../../src/collector/name-refusal.js';

describe('nameRefusal', () => {
  it('names the look-alike, or says a revoked token had the name; other conflicts are null ("taken")', () => {
    expect(nameRefusal('name: looks like the existing account "ada" (case, …)')).toEqual({ lookAlike: 'ada' });
    expect(nameRefusal('name: looks like the existing token "ci-admin" (case, …)')).toEqual({ lookAlike: 'ci-admin' });
    expect(nameRefusal('name: a revoked token had this name, and the audit log names a token by its name: choose another (e.g. add -2)')).toEqual({ usedBefore: true });
    expect(nameRefusal('an account with this name exists')).toBeNull();
  });
});
