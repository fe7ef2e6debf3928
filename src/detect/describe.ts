/** Where a verdict was found, in words for the employee and the admin (Japanese or English). */
import type { Location } from './types.js';

export type Lang = 'ja' | 'en';

const AREA: Record<string, Record<Lang, string>> = {
  body: { ja: '本文', en: 'body' },
  header: { ja: 'ヘッダー', en: 'header' },
  footer: { ja: 'フッター', en: 'footer' },
  'header/footer': { ja: 'ヘッダー/フッター', en: 'header/footer' },
  comments: { ja: 'コメント', en: 'comments' },
  notes: { ja: 'ノート', en: 'notes' },
  properties: { ja: '文書のプロパティ', en: 'document properties' },
  cells: { ja: 'セル', en: 'cells' },
  slide: { ja: 'スライド', en: 'slide' },
  binary: { ja: 'データ', en: 'data' },
  'sheet names': { ja: 'シート名', en: 'sheet names' },
  drawing: { ja: '図形・透かし', en: 'drawing or watermark' },
  escaped: { ja: 'エスケープされた文字列', en: 'escaped strings' },
  bookmarks: { ja: 'しおり', en: 'bookmarks' },
  'alternative text': { ja: '代替テキスト', en: 'alternative text' },
  'page labels': { ja: 'ページ番号ラベル', en: 'page labels' },
  scripts: { ja: 'スクリプトのメッセージ', en: 'script messages' },
  form: { ja: 'フォームの入力値', en: 'form fields' },
  attachments: { ja: '添付ファイル', en: 'attachments' },
  subject: { ja: '件名', en: 'subject' },
  headers: { ja: 'メールヘッダー', en: 'mail headers' },
  attachment: { ja: '添付', en: 'attachment' },
  'text boxes': { ja: 'テキストボックス', en: 'text boxes' },
  footnotes: { ja: '脚注', en: 'footnotes' },
  endnotes: { ja: '文末脚注', en: 'endnotes' },
  master: { ja: 'スライドマスター', en: 'slide master' },
  chart: { ja: 'グラフ', en: 'chart' },
};

/** Areas of a sheet said with the sheet's name (シート「Sheet1」のヘッダー). */
const SHEET_AREAS = new Set(['header', 'footer', 'header/footer', 'drawing', 'comments']);

export function describeLocation(loc: Location | undefined, lang: Lang = 'ja'): string {
  if (!loc) return '';
  const ja = lang === 'ja';
  const parts: string[] = [...loc.path];
  if (loc.page) parts.push(ja ? `${loc.page}ページ目` : `page ${loc.page}`);
  if (loc.sheet) {
    // A sheet's printed header, its shapes, its comments: not its cells (a stamp there is not in any cell).
    const area = !loc.cell && loc.area && SHEET_AREAS.has(loc.area) ? AREA[loc.area][lang] : '';
    if (area) parts.push(ja ? `シート「${loc.sheet}」の${area}` : `${area} of sheet "${loc.sheet}"`);
    else parts.push(ja ? `シート「${loc.sheet}」${loc.cell ? `セル ${loc.cell}` : ''}` : `sheet "${loc.sheet}"${loc.cell ? ` cell ${loc.cell}` : ''}`);
  }
  if (loc.slide) {
    parts.push(loc.notes ? (ja ? `スライド${loc.slide}のノート` : `speaker notes of slide ${loc.slide}`) : ja ? `スライド${loc.slide}` : `slide ${loc.slide}`);
  } else if (loc.area && !loc.sheet && !loc.page) {
    parts.push(AREA[loc.area]?.[lang] ?? loc.area);
  }
  const where = parts.join(' › ');
  return loc.part && !loc.page ? `${where}${where ? ' ' : ''}(${loc.part})` : where;
}
