/**
 * The dialog says where the stamp is in the words a person uses, from the real _locales files
 * (chrome.i18n's substitution: $1, $2) and real verdicts: a stamp printed in a sheet's header or
 * footer is said to be there, not merely on the sheet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lang } from '../support/locales.js';
import { scanBlob } from '../../src/detect/index.js';

vi.mock('webextension-polyfill', async () => (await import('../support/locales.js')).polyfill);
const { reasonText } = await import('../../extension/ui/warning/text.js');

const FIXTURES = join(__dirname, '../fixtures');
const reason = async (file: string, l: 'ja' | 'en') => {
  const name = file.split('/').pop() ?? file;
  const v = await scanBlob(new Blob([readFileSync(join(FIXTURES, file))]), name);
  lang.current = l;
  return reasonText(v, null, name, false);
};

describe("the dialog says a sheet's header or footer, not only the sheet", () => {
  it.each([
    ['sheet-areas/明細-footer.xlsx', 'シート「明細」のフッターに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the footer of sheet “明細”'],
    ['sheet-areas/first-header.xlsx', 'シート「Sheet1」のヘッダーに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the header of sheet “Sheet1”'],
    ['print-header/font-codes.xlsx', 'シート「様式」のヘッダーに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the header of sheet “様式”'],
    ['print-header/font-codes.xls', 'シート「様式」のヘッダーに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the header of sheet “様式”'],
    ['xlsb/xlsb-header.xlsb', 'シート「一覧」のヘッダーに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the header of sheet “一覧”'],
    ['xml-spreadsheet/月次報告-footer.xls', 'シート「月次報告」のフッターに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the footer of sheet “月次報告”'],
    // A cell is still a cell.
    ['office/calc-sheet2.xlsx', 'シート「明細」のセル C3に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in cell C3 of sheet “明細”'],
  ])('%s', async (file, ja, en) => {
    expect(await reason(file, 'ja')).toBe(ja);
    expect(await reason(file, 'en')).toBe(en);
  });

});

describe('the dialog names the spot a person would look for', () => {
  it.each([
    // A Word footnote is no speaker note; a slide layout is edited in the master view.
    ['office/writer-footnote.docx', '脚注に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in a footnote'],
    ['shape-positions/m_pgj-master-split.pptx', 'スライドマスターに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the slide master'],
    // Shapes on a sheet, and a chart: said, where before the dialog said nothing of where.
    // A drawing's master page (ODF styles.xml) holds no header or footer, and Draw calls it マスターページ.
    ['shape-positions/m_draw-master-split.odg', 'マスターページに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is on the master page'],
    // An ODF spreadsheet's page header is said with the sheet printed with that page style, as xlsx's is.
    ['print-header/font-codes.ods', 'シート「様式」のヘッダーに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the header of sheet “様式”'],
    ['shape-positions/m_calc-two-shapes.xlsx', 'シート「Sheet1」の図形または透かしに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in a shape or watermark on sheet “Sheet1”'],
    ['shape-positions/m_xw-chart-title-axis.xlsx', 'グラフに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in a chart'],
    ['pdf/round4/m-js-openaction-alert.pdf', 'ファイルを開いたときに表示されるメッセージに「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in a message shown when the file is opened'],
    ['pdf/round4/m-pagelabel-prefix.pdf', 'ページ番号の表示に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the page numbering'],
  ])('%s', async (file, ja, en) => {
    expect(await reason(file, 'ja')).toBe(ja);
    expect(await reason(file, 'en')).toBe(en);
  });
});

describe('a member the engine read out of a file is said for what it is, never by an internal name', () => {
  it.each([
    ['ole-objects/object-package.bin', 'object-package.bin の中の 埋め込まれたオブジェクト の本文に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the body of an embedded object in object-package.bin'],
    ['ole-objects/object-contents.bin', 'object-contents.bin の中の 埋め込まれたオブジェクト の3ページ目に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is on page 3 of an embedded object in object-contents.bin'],
    ['sealed/cms-signed-marked-pdf.p7m', 'cms-signed-marked-pdf.p7m の中の 署名された内容 の1ページ目に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is on page 1 of the signed content in cms-signed-marked-pdf.p7m'],
    ['text/encoded/ticket-with-source-stamp.txt', 'ticket-with-source-stamp.txt の中の テキストに埋め込まれたデータ に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in data encoded in the text in ticket-with-source-stamp.txt'],
    ['text/readings/marked-gmail-api-attachment.json', 'marked-gmail-api-attachment.json の中の テキストに埋め込まれたデータ の本文に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the body of data encoded in the text in marked-gmail-api-attachment.json'],
    ['mail/more/python-mailbox.mmdf', 'python-mailbox.mmdf の中の 2 通目のメール の本文に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in the body of message 2 in python-mailbox.mmdf'],
    // A file that is itself compressed (Gnumeric writes gzip; makeself compresses its archive) is not a member of itself.
    ['formula/concat-gnumeric.gnumeric', 'シート「様式」のセル B2に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in cell B2 of sheet “様式”'],
    ['archives/makeself/mk-compress-stamp.run', 'mk-compress-stamp.run の中の ./notes.txt に「秘 Confidential」の表示があります', 'The 秘 Confidential stamp is in ./notes.txt in mk-compress-stamp.run'],
  ])('%s', async (file, ja, en) => {
    expect(await reason(file, 'ja')).toBe(ja);
    expect(await reason(file, 'en')).toBe(en);
  });
});

describe('the member a reason is about, in brackets after it', () => {
  it.each([
    ['mail/truncated.eml', 'ファイルが壊れているため、中身を確認できません（truncated.eml の中の report.docx）', 'It is damaged, so its contents could not be checked (in report.docx in truncated.eml)'],
    ['archives/containers/smime_encrypted.eml', 'パスワードで保護されているため、中身を確認できません（smime_encrypted.eml の中の smime.p7m）', 'It is password-protected, so its contents could not be checked (in smime.p7m in smime_encrypted.eml)'],
  ])('%s', async (file, ja, en) => {
    expect(await reason(file, 'ja')).toBe(ja);
    expect(await reason(file, 'en')).toBe(en);
  });
});
