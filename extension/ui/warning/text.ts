/**
 * The dialog's words, from the verdict the engine returned: which rule, and where, in the words a
 * person uses (ヘッダー, 3ページ目, シート「明細」のセル E1, スライド 2 のノート, 「2023年度.zip の中の
 * 引継ぎメモ.txt」), never a container's part names. Strings come from _locales (keys `warn_*`), so
 * Japanese by default and English for English browsers.
 */
import browser from 'webextension-polyfill';
import type { Location, Verdict } from '../../../src/detect/types.js';
import { AFTER_ARCHIVE, BEFORE_ARCHIVE, DATABASE_VALUE, EMBEDDED_OBJECT, ENCODED_IN_TEXT, MAILBOX_MESSAGE, SIGNED_CONTENT, UNLISTED_IN_ZIP } from '../../../src/detect/member-names.js';

export function t(key: string, subs?: string | string[]): string {
  return browser.i18n.getMessage(key, subs) || key;
}

export function lang(): 'ja' | 'en' {
  return t('warn_lang') === 'en' ? 'en' : 'ja';
}

/** Areas the engine names, and the words for them (other areas are not worth a word: the file is named). */
const AREAS: Record<string, string> = {
  header: 'warn_where_header',
  footer: 'warn_where_footer',
  'header/footer': 'warn_where_header_footer',
  body: 'warn_where_body',
  comments: 'warn_where_comments',
  notes: 'warn_where_notes',
  properties: 'warn_where_properties',
  drawing: 'warn_where_drawing',
  'text boxes': 'warn_where_text_boxes',
  footnotes: 'warn_where_footnotes',
  endnotes: 'warn_where_endnotes',
  subject: 'warn_where_subject',
  headers: 'warn_where_headers',
  attachment: 'warn_where_attachment',
  attachments: 'warn_where_attachment',
  bookmarks: 'warn_where_bookmarks',
  'alternative text': 'warn_where_alt_text',
  form: 'warn_where_form',
  'sheet names': 'warn_where_sheet_names',
  master: 'warn_where_master',
  chart: 'warn_where_chart',
  'page labels': 'warn_where_page_labels',
  scripts: 'warn_where_scripts',
};

/** Areas of one sheet worth naming with the sheet: a stamp in its printed header is not in its cells. */
const SHEET_AREAS: Record<string, string> = {
  header: 'warn_where_sheet_header',
  footer: 'warn_where_sheet_footer',
  'header/footer': 'warn_where_sheet_header_footer',
  drawing: 'warn_where_sheet_drawing',
  comments: 'warn_where_sheet_comments',
};

/** A member the engine named itself (bytes it read apart, a database value): in the employee's words. */
function shownMember(name: string): string {
  if (name === AFTER_ARCHIVE) return t('warn_member_after_archive');
  if (name === BEFORE_ARCHIVE) return t('warn_member_before_archive');
  if (name === UNLISTED_IN_ZIP) return t('warn_member_unlisted');
  if (name === SIGNED_CONTENT) return t('warn_member_signed_content');
  const message = MAILBOX_MESSAGE.exec(name);
  if (message) return t('warn_member_mailbox_message', message[1]);
  if (EMBEDDED_OBJECT.test(name)) return t('warn_member_embedded_object');
  if (ENCODED_IN_TEXT.test(name)) return t('warn_member_encoded_in_text');
  return DATABASE_VALUE.test(name) ? t('warn_member_database_value') : name;
}

/** 「2023年度.zip の中の 引継ぎメモ.txt」: an archive member by the chain of names that leads to it. */
export function memberName(outer: string | null, path: readonly string[]): string | null {
  const chain = [...(outer ? [outer] : []), ...path.map(shownMember)];
  if (chain.length === 0) return null;
  return chain.reduce((acc, inner) => t('warn_inside', [acc, inner]));
}

/** The spot inside one file: page, cell, slide, notes or a named area; empty when there is nothing to say. */
export function spotText(loc: Location): string {
  if (loc.page) return t('warn_where_page', String(loc.page));
  if (loc.sheet && loc.cell) return t('warn_where_cell', [loc.sheet, loc.cell]);
  if (loc.sheet) {
    const area = loc.area ? SHEET_AREAS[loc.area] : undefined;
    return t(area ?? 'warn_where_sheet', loc.sheet);
  }
  if (loc.slide) return t(loc.notes ? 'warn_where_slide_notes' : 'warn_where_slide', String(loc.slide));
  const area = loc.area ? AREAS[loc.area] : undefined;
  return area ? t(area) : '';
}

/** Where, for a file the dialog already names: the member (if any) and the spot in it. */
export function whereText(fileName: string | null, loc: Location | undefined): string {
  if (!loc) return '';
  const spot = spotText(loc);
  const member = loc.path.length > 0 ? memberName(fileName, loc.path) : null;
  if (member) return spot ? t('warn_where_in', [member, spot]) : t('warn_where_file', member);
  return spot;
}

/** One line saying why, e.g. 「ファイル名が「秘—」で始まっています」 / "The 秘 Confidential stamp is on page 3". */
export function reasonText(v: Verdict, namePrefix: string | null, fileName: string | null, passed: boolean): string {
  if (v.verdict === 'clean') return t(passed ? 'warn_reason_clean' : 'warn_reason_policy');
  const where = whereText(fileName, v.location);
  // In brackets after the reason: without the blank warn_where_file leaves before a following particle (「… の中の memo.txt に」).
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
