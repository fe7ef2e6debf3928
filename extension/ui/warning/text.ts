/**
 * The dialog's words: which rule, in plain language, from the verdict the engine returned.
 * Strings come from _locales (keys `warn_*`), so Japanese by default and English for English browsers.
 */
import browser from 'webextension-polyfill';
import { describeLocation } from '../../../src/detect/index.js';
import type { Verdict } from '../../../src/detect/types.js';

export function t(key: string, subs?: string | string[]): string {
  return browser.i18n.getMessage(key, subs) || key;
}

export function lang(): 'ja' | 'en' {
  return t('warn_lang') === 'en' ? 'en' : 'ja';
}

/** One line saying why, e.g. 「ファイル名が「秘—」で始まっています」 / "the 秘 Confidential stamp was found on page 3". */
export function reasonText(v: Verdict, namePrefix: string | null): string {
  if (v.verdict === 'clean') return t('warn_reason_policy');
  if (v.verdict === 'unscannable') return t(`warn_unscannable_${v.reason.replace(/-/g, '_')}`);
  switch (v.reason) {
    case 'name':
      return namePrefix ? t('warn_rule_name', namePrefix) : t('warn_rule_name_generic');
    case 'stamp': {
      const loc = v.location;
      if (loc.page && loc.path.length === 0) return t('warn_rule_stamp_page', String(loc.page));
      const where = describeLocation(loc, lang());
      return where ? t('warn_rule_stamp_at', where) : t('warn_rule_stamp');
    }
    case 'sha256':
      return t('warn_rule_sha256');
    case 'keyword':
    case 'pattern':
      return t('warn_rule_keyword');
    case 'name-pattern':
      return t('warn_rule_name_pattern');
    case 'label':
      return t('warn_rule_label');
    default:
      return t('warn_rule_other');
  }
}
