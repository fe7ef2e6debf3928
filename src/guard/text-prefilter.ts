/**
 * A text body that cannot be marked, told by one regex test, so the page hooks pass the clean bodies
 * nearly every page sends (JSON, form posts, telemetry) without scanning them.
 *
 * Rule 1 needs 秘 after NFKC, and 秘 (U+79D8) and ㊙ (U+3299) are the only code points NFKC turns into
 * it (src/detect/rules/stamp.ts takes the same exit). The hooks decode JSON `\u` escapes,
 * percent-escapes and character references (`&#31192;`) before scanning (extension/content/hooks/text.ts),
 * so any escape that could spell one keeps the text in; so do `escape()`'s `%u79D8` and a
 * percent-escaped `\u` (`%5Cu`), which a URL's or a cookie's check writes out (url-text.ts); and so
 * do the transfer encodings the guard decodes (TRANSCODED: quoted-printable, ISO-2022-JP's escapes,
 * also percent-escaped). Rule 3 (designated keywords and patterns) can match anything: with any of those
 * the hooks scan every text, whatever this says.
 */
export const MAY_HOLD_STAMP_TEXT = /[秘㊙]|\\u|%(?:25)*(?:[89a-f][0-9a-f]|u|5cu)|&#|%26%23|=[89a-f].=|\x1b|%1b/i;

/**
 * A text in a transfer encoding only the guard decodes (transcoded.ts), loosely (a text matched here
 * and holding nothing is read by the guard and passed): an escaped byte outside ASCII (percent-decoding
 * leaves those of a legacy Japanese page: `%94%E9` is 秘 in Shift_JIS), `escape()`'s `%u79D8`, two
 * quoted-printable escapes of such bytes in a row (a Japanese character is two or three: also in a Q
 * encoded-word), ISO-2022-JP's escapes. The page hooks test it on a text they decoded and found
 * unmarked, and hand that text to the guard.
 */
export const TRANSCODED = /%[89a-fu]|=[89a-f].=|\x1b/i;
