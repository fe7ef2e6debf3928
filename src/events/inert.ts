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

const visible = (c: string) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`;

/** Every control, bidi and separator character shown as `[U+XXXX]`. */
export function inertText(s: string): string {
  return s.replace(OBEYED, visible);
}

/** As inertText, but tab, LF and CR stay (the format quotes them). */
export function inertKeepLines(s: string): string {
  return s.replace(OBEYED_BUT_LINES, visible);
}
