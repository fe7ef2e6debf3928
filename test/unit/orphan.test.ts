/** The orphaned guard's decision (extension/content/orphan.ts): refuse until a successor, then stand aside. */
import { describe, expect, it } from 'vitest';
import { orphanNotice, refuses, standAside } from '../../extension/content/orphan.js';

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

  it('says why in Japanese, or in English for other languages', () => {
    expect(orphanNotice('ja')).toBe('Upload Guard が更新されたため、ファイルを確認できません。再読み込みしてください。');
    expect(orphanNotice('ja-JP')).toContain('再読み込み');
    expect(orphanNotice('en-US')).toBe('Upload Guard was updated and cannot check files here. Reload the page.');
    expect(orphanNotice('de')).toContain('Reload the page');
  });
});
