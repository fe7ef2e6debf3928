/**
 * Text from devices (file names, users, justifications) shown to people in other systems: terminals,
 * chat, SIEM consoles, the admin page. Control characters, bidirectional overrides and line separators
 * are made visible as `[U+XXXX]` so they are shown, not obeyed: an escape sequence cannot drive the
 * admin's terminal, a right-to-left override cannot make `exe.pdf` of `fdp.exe`, a line separator cannot
 * start a fake log line.
 */

/**
 * C0 and C1 controls and DEL, bidi embeddings/overrides/isolates/marks, Unicode line/paragraph separators,
 * and the characters of zero width (a zero-width space or joiner, the word joiner, the BOM): two names
 * that differ by one of those would look the same.
 */
const OBEYED = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
/** The same, but tab, LF and CR may stay (for formats that quote them, e.g. CSV cells). */
const OBEYED_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/**
 * Whether `s` holds a character inertText would show as `[U+XXXX]`: for names people type (an incident's
 * assignee), refused rather than shown inert, as the account and token names are.
 */
export const hasObeyed = (s: string): boolean => s.search(OBEYED) !== -1;

const visible = (c: string) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`;

/** Every control, bidi and separator character shown as `[U+XXXX]`. */
export function inertText(s: string): string {
  return s.replace(OBEYED, visible);
}

/** As inertText, but tab, LF and CR stay (the format quotes them). */
export function inertKeepLines(s: string): string {
  return s.replace(OBEYED_BUT_LINES, visible);
}

/** Letters of the scripts whose letters pass for Latin ones (Cyrillic а, Greek ο), and fullwidth Latin (ａ). */
const LOOK_ALIKE = /[\u0370-\u03ff\u0400-\u052f\uff21-\uff3a\uff41-\uff5a]/gu;

/**
 * A person's name as the admin page shows it (a device chose it: events, incidents, devices): inert as
 * inertText, and in a name that has Latin letters, every Cyrillic, Greek or fullwidth Latin letter shown
 * as `[U+XXXX]`, so 「t[U+0430]ro@example.co.jp」 (a Cyrillic а) is not read as taro's events, incidents or
 * device (red team coll7, look-alike user names). A name wholly in one such script stays as it is.
 */
export function inertName(s: string): string {
  const text = inertText(s);
  return /[A-Za-z]/.test(text) ? text.replace(LOOK_ALIKE, visible) : text;
}
