/**
 * The dialog names a member the engine named itself (bytes read apart from an archive, a database value)
 * in the employee's words, from the real _locales files (chrome.i18n's substitution: $1, $2).
 */
import { describe, expect, it, vi } from 'vitest';
import { lang } from '../support/locales.js';
import { AFTER_ARCHIVE, BEFORE_ARCHIVE, UNLISTED_IN_ZIP, databaseValue } from '../../src/detect/member-names.js';

vi.mock('webextension-polyfill', async () => (await import('../support/locales.js')).polyfill);
const { memberName } = await import('../../extension/ui/warning/text.js');

describe("members the engine named itself, in the dialog's words", () => {
  it('Japanese', () => {
    lang.current = 'ja';
    expect(memberName('写真.jpg', [AFTER_ARCHIVE])).toBe('写真.jpg の中の アーカイブの末尾より後ろのデータ');
    expect(memberName('setup.exe', [BEFORE_ARCHIVE])).toBe('setup.exe の中の アーカイブの前にあるデータ');
    expect(memberName('資料.zip', [UNLISTED_IN_ZIP, 'メモ.txt'])).toBe('資料.zip の中の アーカイブの一覧に載っていないデータ の中の メモ.txt');
    expect(memberName('顧客.db', [databaseValue(12)])).toBe('顧客.db の中の データベースに保存された長い値');
    expect(memberName('資料.zip', ['(value on page x).txt'])).toBe('資料.zip の中の (value on page x).txt'); // a real file's name stays
  });
  it('English', () => {
    lang.current = 'en';
    expect(memberName('photo.jpg', [AFTER_ARCHIVE])).toBe('the data after the end of the archive in photo.jpg');
    expect(memberName('customers.db', [databaseValue(3)])).toBe('a long value stored in the database in customers.db');
  });
});
