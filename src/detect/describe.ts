/**
 * Where a verdict was found, in the words a person uses, for every screen: the employee's dialog
 * (extension/ui/warning/text.ts), the admin page and CSV (events/location-words.ts) and the CLI. One home,
 * so the admin reads the place the employee was told: 「2023年度.zip の中の 引継ぎメモ.docx のヘッダー」,
 * 「シート「明細」のセル C3」, 「スライド 2 のノート」. Never a container's part path or an area's key:
 * a place with no words says nothing (the file is named beside it).
 */
import type { Location } from './types.js';
import { AFTER_ARCHIVE, BEFORE_ARCHIVE, DATABASE_VALUE, EMBEDDED_OBJECT, ENCODED_IN_TEXT, MAILBOX_MESSAGE, SIGNED_CONTENT, UNLISTED_IN_ZIP } from './member-names.js';

export type Lang = 'ja' | 'en';

/** Japanese, and English as the dialog's sentence takes it ("The 秘 Confidential stamp is in the header"). */
type Words = Record<Lang, string>;

/**
 * The areas the extractors name (`Where.area`), in words. An area absent here (`binary`, `escaped`: bytes
 * or escapes the file is searched for) is said by the file's name alone.
 */
export const AREA_WORDS: Readonly<Record<string, Words>> = {
  header: { ja: 'ヘッダー', en: 'in the header' },
  footer: { ja: 'フッター', en: 'in the footer' },
  'header/footer': { ja: 'ヘッダーまたはフッター', en: 'in the header or footer' },
  body: { ja: '本文', en: 'in the body' },
  cells: { ja: 'セル', en: 'in a cell' },
  'shared strings': { ja: 'セル', en: 'in a cell' },
  formulas: { ja: 'セルの数式', en: 'in a cell formula' },
  'sheet names': { ja: 'シート名', en: 'in a sheet name' },
  comments: { ja: 'コメント', en: 'in a comment' },
  notes: { ja: 'ノート', en: 'in the notes' },
  properties: { ja: '文書のプロパティ（タイトルなど）', en: 'in the document properties (title and so on)' },
  drawing: { ja: '図形または透かし', en: 'in a shape or watermark' },
  'text boxes': { ja: 'テキストボックス', en: 'in a text box' },
  'other text': { ja: '図形やテキストボックスの文字', en: 'in the text of a shape or text box' },
  footnotes: { ja: '脚注', en: 'in a footnote' },
  endnotes: { ja: '文末脚注', en: 'in an endnote' },
  slide: { ja: 'スライド', en: 'on a slide' },
  master: { ja: 'スライドマスター', en: 'in the slide master' },
  sections: { ja: 'セクション名', en: 'in a section name' },
  // A drawing's (Draw, Visio) master page: Draw calls it マスターページ, not a slide master.
  'master page': { ja: 'マスターページ', en: 'on the master page' },
  chart: { ja: 'グラフ', en: 'in a chart' },
  'embedded object': { ja: '埋め込まれたオブジェクト', en: 'in an embedded object' },
  subject: { ja: 'メールの件名', en: 'in the mail subject' },
  headers: { ja: 'メールのヘッダー', en: 'in the mail headers' },
  attachment: { ja: '添付ファイル', en: 'in an attachment' },
  attachments: { ja: '添付ファイル', en: 'in an attachment' },
  bookmarks: { ja: 'しおり', en: 'in a bookmark' },
  'alternative text': { ja: '図の代替テキスト', en: 'in the alternative text of a picture' },
  form: { ja: 'フォームの入力欄', en: 'in a form field' },
  'page labels': { ja: 'ページ番号の表示', en: 'in the page numbering' },
  scripts: { ja: 'ファイルを開いたときに表示されるメッセージ', en: 'in a message shown when the file is opened' },
};

/** Areas of one sheet said with the sheet: a stamp in its printed header is not in its cells. */
const SHEET_AREA_WORDS: Readonly<Record<string, Words>> = {
  header: { ja: 'シート「$1」のヘッダー', en: 'in the header of sheet “$1”' },
  footer: { ja: 'シート「$1」のフッター', en: 'in the footer of sheet “$1”' },
  'header/footer': { ja: 'シート「$1」のヘッダーまたはフッター', en: 'in the header or footer of sheet “$1”' },
  drawing: { ja: 'シート「$1」の図形または透かし', en: 'in a shape or watermark on sheet “$1”' },
  comments: { ja: 'シート「$1」のコメント', en: 'in a comment on sheet “$1”' },
  formulas: { ja: 'シート「$1」のセルの数式', en: 'in a cell formula on sheet “$1”' },
};

const SPOT_WORDS = {
  page: { ja: '$1ページ目', en: 'on page $1' },
  sheet: { ja: 'シート「$1」', en: 'in sheet “$1”' },
  cell: { ja: 'シート「$1」のセル $2', en: 'in cell $2 of sheet “$1”' },
  // A Numbers sheet holds several tables, each with its own A1; a Pages or Keynote table stands alone.
  table: { ja: 'シート「$1」の表「$2」', en: 'in table “$2” on sheet “$1”' },
  tableCell: { ja: 'シート「$1」の表「$2」のセル $3', en: 'in cell $3 of table “$2” on sheet “$1”' },
  loneTable: { ja: '表「$1」', en: 'in table “$1”' },
  loneTableCell: { ja: '表「$1」のセル $2', en: 'in cell $2 of table “$1”' },
  slide: { ja: 'スライド $1', en: 'on slide $1' },
  slideNotes: { ja: 'スライド $1 のノート', en: 'in the notes of slide $1' },
} satisfies Record<string, Words>;

/** Members the engine named itself (bytes read apart, an object with no name): what they are, never those names. */
const MEMBER_WORDS = {
  afterArchive: { ja: 'アーカイブの末尾より後ろのデータ', en: 'the data after the end of the archive' },
  beforeArchive: { ja: 'アーカイブの前にあるデータ', en: 'the data before the archive' },
  unlisted: { ja: 'アーカイブの一覧に載っていないデータ', en: 'data the archive does not list' },
  databaseValue: { ja: 'データベースに保存された長い値', en: 'a long value stored in the database' },
  embeddedObject: { ja: '埋め込まれたオブジェクト', en: 'an embedded object' },
  encodedInText: { ja: 'テキストに埋め込まれたデータ', en: 'data encoded in the text' },
  signedContent: { ja: '署名された内容', en: 'the signed content' },
  mailboxMessage: { ja: '$1 通目のメール', en: 'message $1' },
} satisfies Record<string, Words>;

/** 「A の中の B」: B inside A. */
const INSIDE: Words = { ja: '$1 の中の $2', en: '$2 in $1' };
/** The spot in a member: 「x.docx のヘッダー」, "in the header of x.docx". */
const SPOT_IN: Words = { ja: '$1 の$2', en: '$2 of $1' };

const fill = (w: string, ...subs: string[]): string => w.replace(/\$(\d)/g, (_, i: string) => subs[Number(i) - 1] ?? '');

/** A member as the employee knows it: its own name, or what it is when the engine named it. */
export function memberWord(name: string, lang: Lang): string {
  if (name === AFTER_ARCHIVE) return MEMBER_WORDS.afterArchive[lang];
  if (name === BEFORE_ARCHIVE) return MEMBER_WORDS.beforeArchive[lang];
  if (name === UNLISTED_IN_ZIP) return MEMBER_WORDS.unlisted[lang];
  if (name === SIGNED_CONTENT) return MEMBER_WORDS.signedContent[lang];
  const message = MAILBOX_MESSAGE.exec(name);
  if (message) return fill(MEMBER_WORDS.mailboxMessage[lang], message[1]);
  if (EMBEDDED_OBJECT.test(name)) return MEMBER_WORDS.embeddedObject[lang];
  if (ENCODED_IN_TEXT.test(name)) return MEMBER_WORDS.encodedInText[lang];
  return DATABASE_VALUE.test(name) ? MEMBER_WORDS.databaseValue[lang] : name;
}

/** 「2023年度.zip の中の 引継ぎメモ.txt」: a member by the chain of names that leads to it; null for none. */
export function memberChain(outer: string | null, path: readonly string[], lang: Lang): string | null {
  const chain = [...(outer ? [outer] : []), ...path.map((n) => memberWord(n, lang))];
  if (chain.length === 0) return null;
  return chain.reduce((acc, inner) => fill(INSIDE[lang], acc, inner));
}

/** The spot inside one file (page, cell, slide, notes, a named area), as the dialog says it; '' for nothing to say. */
export function spotWords(loc: Location, lang: Lang): string {
  if (loc.page) return fill(SPOT_WORDS.page[lang], String(loc.page));
  if (loc.table) {
    if (loc.sheet) return loc.cell ? fill(SPOT_WORDS.tableCell[lang], loc.sheet, loc.table, loc.cell) : fill(SPOT_WORDS.table[lang], loc.sheet, loc.table);
    return loc.cell ? fill(SPOT_WORDS.loneTableCell[lang], loc.table, loc.cell) : fill(SPOT_WORDS.loneTable[lang], loc.table);
  }
  if (loc.sheet && loc.cell) return fill(SPOT_WORDS.cell[lang], loc.sheet, loc.cell);
  if (loc.sheet) return fill((loc.area ? SHEET_AREA_WORDS[loc.area]?.[lang] : undefined) ?? SPOT_WORDS.sheet[lang], loc.sheet);
  if (loc.slide) return fill(loc.notes ? SPOT_WORDS.slideNotes[lang] : SPOT_WORDS.slide[lang], String(loc.slide));
  return loc.area && Object.hasOwn(AREA_WORDS, loc.area) ? AREA_WORDS[loc.area][lang] : '';
}

/**
 * Where, for a file that is named beside it: the member (if any) and the spot in it. English as the
 * dialog's sentence takes it ("in the header of memo.docx in 2023年度.zip"); Japanese with a blank after a
 * member's name, where a particle follows (「… の中の memo.txt に」).
 */
export function whereWords(fileName: string | null, loc: Location | undefined, lang: Lang): string {
  if (!loc) return '';
  const spot = spotWords(loc, lang);
  const member = loc.path.length > 0 ? memberChain(fileName, loc.path, lang) : null;
  if (!member) return spot;
  if (spot) return fill(SPOT_IN[lang], member, spot);
  return lang === 'ja' ? `${member} ` : `in ${member}`;
}

/** Where, on its own (a table's column, a CLI line): the same words, without the sentence's preposition. */
export function describeLocation(loc: Location | undefined, lang: Lang = 'ja'): string {
  const words = whereWords(null, loc, lang).trim();
  return lang === 'en' ? words.replace(/^(?:in|on) (?:(?:the|a|an) )?/, '') : words;
}
