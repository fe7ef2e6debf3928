/**
 * chrome.i18n.getMessage over the real _locales files, for tests of the dialog's words without a browser:
 * the language is `lang.current`, and substitution follows chrome.i18n ($NAME$ placeholders, $1, $2).
 * A test mocks webextension-polyfill with it: `vi.mock('webextension-polyfill', async () => (await
 * import('../support/locales.js')).polyfill)`.
 */
import { readFileSync } from 'node:fs';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

export const lang = { current: 'ja' };

const messages = (l: string): Messages => JSON.parse(readFileSync(new URL(`../../extension/_locales/${l}/messages.json`, import.meta.url), 'utf8')) as Messages;

export function getMessage(key: string, subs?: string | string[]): string {
  const m = messages(lang.current)[key];
  if (!m) return '';
  const args = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
  return m.message.replace(/\$(\w+)\$/g, (_, name: string) => {
    const content = m.placeholders?.[name.toLowerCase()]?.content ?? '';
    return content.replace(/\$(\d)/g, (__, i: string) => args[Number(i) - 1] ?? '');
  });
}

export const polyfill = { default: { i18n: { getMessage } } };
