/** The orphaned guard's decision (extension/content/orphan.ts): refuse until a successor, then stand aside. */
import { describe, expect, it } from 'vitest';
import { isKey, keepKey, orphanNotice, refuses, standAside } from '../../extension/content/orphan.js';

describe('an orphaned guard', () => {
  it('refuses while no new guard is in the page, stands aside once one is, and is normal when not orphaned', () => {
    expect(refuses(true, false)).toBe(true);
    expect(refuses(true, true)).toBe(false);
    expect(refuses(false, false)).toBe(false);
    expect(refuses(false, true)).toBe(false);
  });

  it('follows the announcement of a new guard', () => {
    expect(refuses(true)).toBe(true);
    standAside();
    expect(refuses(true)).toBe(false);
  });

  it('stands aside only on the key its background told it: none before, and never on a missing one', () => {
    expect(isKey(undefined)).toBe(false);
    expect(isKey('')).toBe(false);
    const answer = { version: 'v1', key: 'k-of-this-document' };
    expect(keepKey(answer)).toBe(answer);
    expect(isKey('k-of-this-document')).toBe(true);
    expect(isKey('k-of-another-document')).toBe(false);
    expect(isKey(undefined)).toBe(false);
    keepKey({ version: 'v1' });
    expect(isKey(undefined)).toBe(false);
  });

  it('says why in Japanese, or in English for other languages', () => {
    expect(orphanNotice('ja')).toBe('Upload Guard が更新または再起動されたため、このページではファイルを確認できません。ページを再読み込みしてください。');
    expect(orphanNotice('ja-JP')).toContain('再読み込み');
    expect(orphanNotice('en-US')).toBe('Upload Guard was updated or restarted and cannot check files on this page. Reload the page.');
    expect(orphanNotice('de')).toContain('Reload the page');
  });
});
