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
  return new Date(iso).toLocaleString(uiLang() === 'ja' ? 'ja-JP' : 'en-US');
}
