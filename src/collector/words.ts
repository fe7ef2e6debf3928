/**
 * The words admins read for the values events carry (verdict, action, outcome, category, channel), in
 * Japanese and English: one table for the admin page and the CSV export, so an enum value such as
 * `pending` never reaches a screen or a spreadsheet as is.
 */
import type { Action, Category, Channel, Outcome, Verdict } from '../events/schema.js';

export type Lang = 'ja' | 'en';

type Table<K extends string> = Record<K, { ja: string; en: string }>;

export const VERDICT_WORDS: Table<Verdict> = {
  marked: { ja: '「秘」区分', en: 'Marked 秘 Confidential' },
  unscannable: { ja: '確認できません', en: 'Could not be checked' },
  clean: { ja: '問題なし', en: 'Nothing marked' },
};

/** As the employee's popup and options page say them (extension/_locales: action_*). */
export const ACTION_WORDS: Table<Action> = {
  block: { ja: 'ブロック', en: 'Block' },
  warn: { ja: '警告', en: 'Warn' },
  audit: { ja: '記録のみ', en: 'Record only' },
  allow: { ja: '許可', en: 'Allow' },
};

export const OUTCOME_WORDS: Table<Outcome> = {
  blocked: { ja: '送信を阻止', en: 'Stopped' },
  allowed: { ja: '送信済み', en: 'Sent' },
  proceeded: { ja: '理由を記録して送信', en: 'Sent with a reason' },
  cancelled: { ja: '送信を中止', en: 'Not sent' },
  pending: { ja: '回答待ち', en: 'Awaiting answer' },
  disputed: { ja: '確認依頼（異議）', en: 'Review asked (disputed)' },
};

/** The guideline's own words (2-6-4: フリーメール, データ共有サービス), as the employee's dialog and popup say them. */
export const CATEGORY_WORDS: Table<Category> = {
  webmail: { ja: 'フリーメール', en: 'Free webmail' },
  sharing: { ja: 'データ共有サービス', en: 'Data sharing' },
  genai: { ja: '生成AI', en: 'Generative AI' },
  custom: { ja: '管理者が追加したサービス', en: 'Added by the administrator' },
  other: { ja: '一覧にないサイト', en: 'Sites not in the list' },
};

export const CHANNEL_WORDS: Table<Channel> = {
  'file-input': { ja: 'ファイル選択', en: 'File picker (input)' },
  'folder-input': { ja: 'フォルダー選択', en: 'Folder picker' },
  drop: { ja: 'ドラッグ＆ドロップ', en: 'Drag and drop' },
  paste: { ja: '貼り付け', en: 'Paste' },
  form: { ja: 'フォーム送信', en: 'Form submit' },
  'text-field': { ja: '入力欄', en: 'Text field' },
  fetch: { ja: 'ページからの送信（fetch）', en: 'Page request (fetch)' },
  xhr: { ja: 'ページからの送信（XHR）', en: 'Page request (XHR)' },
  beacon: { ja: 'ページからの送信（beacon）', en: 'Page request (beacon)' },
  websocket: { ja: 'WebSocket・WebRTC', en: 'WebSocket / WebRTC' },
  'form-data': { ja: 'フォームデータ', en: 'Form data' },
  'file-picker': { ja: 'ファイル選択（API）', en: 'File picker (API)' },
  url: { ja: 'URL', en: 'URL' },
  message: { ja: 'ページ間メッセージ', en: 'Cross-page message' },
  storage: { ja: 'ブラウザー内保存', en: 'Browser storage' },
  network: { ja: '通信の確認', en: 'Network check' },
};

/** Why a verdict was reached: the rule's cause for a marked one, the reason a file could not be checked. */
export const REASON_WORDS: Table<string> = {
  stamp: { ja: '「秘 Confidential」の表示', en: 'The 秘 Confidential stamp' },
  name: { ja: 'ファイル名が「秘—」「C—」で始まる', en: 'File name starts with 秘— or C—' },
  sha256: { ja: '会社が指定したファイル（SHA-256）', en: 'A file the company designated (SHA-256)' },
  keyword: { ja: '会社が指定したキーワード', en: 'A keyword the company designated' },
  pattern: { ja: '会社が指定したパターン', en: 'A pattern the company designated' },
  'name-pattern': { ja: '会社が指定したファイル名のパターン', en: 'A file name pattern the company designated' },
  label: { ja: '秘密度ラベル', en: 'A sensitivity label' },
  encrypted: { ja: 'パスワード付き（中身を確認できない）', en: 'Password-protected (contents not readable)' },
  corrupt: { ja: '壊れている・形式が名前と違う', en: 'Damaged, or not the format its name says' },
  'too-large': { ja: '大きすぎて確認できない', en: 'Too large to check' },
  'too-deep': { ja: '圧縮ファイルの入れ子が深すぎる', en: 'Archives nested too deep' },
  'too-many-entries': { ja: '圧縮ファイルの中身が多すぎる', en: 'Too many files inside the archive' },
  'expansion-ratio': { ja: '展開すると極端に大きくなる（圧縮爆弾の疑い）', en: 'Expands far too much (suspected archive bomb)' },
  'time-budget': { ja: '確認に時間がかかりすぎた', en: 'Took too long to check' },
  unsupported: { ja: '確認できない形式', en: 'A format that cannot be read' },
};

/** The three rules of the marking convention (MARKINGS.md), by number. */
export const RULE_WORDS: Table<'1' | '2' | '3'> = {
  '1': { ja: '1（表示）', en: '1 (stamp)' },
  '2': { ja: '2（ファイル名）', en: '2 (file name)' },
  '3': { ja: '3（会社の指定）', en: '3 (designated by the company)' },
};

/** A reason in words; one this table does not know (a newer extension's) as sent, made inert by the caller. */
export function reasonWord(value: string | null | undefined, lang: Lang): string {
  if (!value) return '';
  return REASON_WORDS[value]?.[lang] ?? value;
}

/** The word for `value` in `table`; a value the table does not know (a newer extension's) is shown as unknown. */
export function word<K extends string>(table: Table<K>, value: string | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '';
  const w = (table as Record<string, { ja: string; en: string } | undefined>)[value];
  return w ? w[lang] : lang === 'ja' ? '(不明)' : '(unknown)';
}
