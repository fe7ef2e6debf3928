/** UI strings from _locales (ja by default, en for English browsers) for the popup and options pages. */
import browser from 'webextension-polyfill';

export function t(key: string, ...subs: (string | number)[]): string {
  return browser.i18n.getMessage(key, subs.map(String)) || key;
}

/** The language of the translation in use (the same choice the background makes for the warning dialog). */
export function uiLang(): 'ja' | 'en' {
  return browser.i18n.getMessage('ui_lang') === 'en' ? 'en' : 'ja';
}

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  // English as 2026-12-05 15:18:53 (Swedish writes ISO 8601's order), as the admin page does: never a
  // month/day that an admin used to day/month misreads.
  return new Date(iso).toLocaleString(uiLang() === 'ja' ? 'ja-JP' : 'sv-SE');
}
