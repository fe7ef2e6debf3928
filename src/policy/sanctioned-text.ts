/**
 * What the warning says at a sanctioned destination whose condition a marked file does not meet: the
 * rule (confidential files leave only encrypted, guideline 2-2-2c) and how to meet it. Shown in the
 * dialog's guidance paragraph, in the extension's language.
 */
import type { Lang } from './snapshot.js';

export function encryptionGuidance(lang: Lang, host: string): string {
  return lang === 'en'
    ? `${host} accepts confidential (秘) files only encrypted: company rule (guideline 2-2-2c) says a confidential file sent by mail or transfer must be password-protected. ` +
        'Put the file in a password-protected ZIP (7-Zip: "Add to archive", encryption AES-256), or protect the document itself ' +
        '(Word, Excel, PowerPoint: File > Info > Protect > Encrypt with Password; PDF: Acrobat "Protect using password"), attach that file, ' +
        'and send the password by another route (phone, chat), not in the same mail.'
    : `${host} には、「秘」のファイルは暗号化したものしか送れません（社内規程 2-2-2c: 秘密情報をメールや転送で社外に送るときは、パスワードで保護する）。` +
        'ファイルをパスワード付き ZIP にする（7-Zip の「圧縮」で暗号化 AES-256 を選ぶ）か、文書そのものを保護してください' +
        '（Word・Excel・PowerPoint: ［ファイル］→［情報］→［文書の保護］→［パスワードを使用して暗号化］、PDF: Acrobat の「パスワードを使用して保護」）。' +
        '保護したファイルを添付し、パスワードは同じメールではなく電話やチャットなど別の経路で伝えてください。';
}
