/**
 * The dialog's words, from the verdict the engine returned: which rule, and where, in the words a
 * person uses (ヘッダー, 3ページ目, シート「明細」のセル E1, スライド 2 のノート, 「2023年度.zip の中の
 * 引継ぎメモ.txt」), never a container's part names. Sentences come from _locales (keys `warn_*`), so
 * Japanese by default and English for English browsers; the places are said by src/detect/describe.ts,
 * the one home of those words, so the admin reads what the employee was told.
 */
import browser from 'webextension-polyfill';
import type { Location, Verdict } from '../../../src/detect/types.js';
import { memberChain, whereWords } from '../../../src/detect/describe.js';

export function t(key: string, subs?: string | string[]): string {
  return browser.i18n.getMessage(key, subs) || key;
}

export function lang(): 'ja' | 'en' {
  return t('warn_lang') === 'en' ? 'en' : 'ja';
}

/** 「2023年度.zip の中の 引継ぎメモ.txt」: an archive member by the chain of names that leads to it (src/detect/describe.ts). */
export function memberName(outer: string | null, path: readonly string[]): string | null {
  return memberChain(outer, path, lang());
}

/** Where, for a file the dialog already names: the member (if any) and the spot in it, in the words every screen uses. */
export function whereText(fileName: string | null, loc: Location | undefined): string {
  return whereWords(fileName, loc, lang());
}

/** One line saying why, e.g. 「ファイル名が「秘—」で始まっています」 / "The 秘 Confidential stamp is on page 3". */
export function reasonText(v: Verdict, namePrefix: string | null, fileName: string | null, passed: boolean): string {
  if (v.verdict === 'clean') return t(passed ? 'warn_reason_clean' : 'warn_reason_policy');
  const where = whereText(fileName, v.location);
  // In brackets after the reason: without the blank whereWords leaves after a member before a following particle (「… の中の memo.txt に」).
  const withWhere = (s: string) => (where && v.location?.path.length ? `${s}${t('warn_member_of', where.trim())}` : s);
  if (v.verdict === 'unscannable') return withWhere(t(`warn_unscannable_${v.reason.replace(/-/g, '_')}`));
  switch (v.reason) {
    case 'name': {
      const member = v.location.path.length > 0 ? memberName(fileName, v.location.path) : null;
      if (!namePrefix) return withWhere(t('warn_rule_name_generic'));
      return member ? t('warn_rule_name_member', [member, namePrefix]) : t('warn_rule_name', namePrefix);
    }
    case 'stamp':
      return where ? t('warn_rule_stamp_at', where) : t('warn_rule_stamp');
    case 'sha256':
      return withWhere(t('warn_rule_sha256'));
    case 'keyword':
    case 'pattern':
      return withWhere(t('warn_rule_keyword'));
    case 'name-pattern':
      return withWhere(t('warn_rule_name_pattern'));
    case 'label':
      return withWhere(t('warn_rule_label'));
    default:
      return withWhere(t('warn_rule_other'));
  }
}
