/**
 * How a multipart body (an HTTP form upload) is recognised by its content alone, whatever
 * Content-Type it was sent under: a delimiter line `--boundary` followed by a part's header. A page can
 * send a multipart payload as `text/plain` or `application/octet-stream`, and the server can still read
 * it as a form; so the part names it carries are judged wherever one is found. Tiny and dependency-free:
 * the page hooks import it too.
 */

/**
 * A delimiter line at the start of the text or of a line (RFC 2046 §5.1.1; a preamble may come first),
 * then at most eight header lines before a Content-Disposition or Content-Type header. The boundary
 * is captured without the transport padding (spaces) that may follow it on its line.
 */
export const FORM_DATA_LINE = /(?:^|\n)--([^\r\n]{0,199}[^\s])[ \t]*\r?\n(?:[^\r\n:]{1,80}:[^\r\n]*\r?\n){0,8}?content-(?:disposition|type)[ \t]*:/i;

export interface FormDataStart {
  /** Offset of the first delimiter line's `--`. */
  at: number;
  boundary: string;
}

/** Where the multipart body in `text` starts, or null when it holds none. `exec` lets the page hooks pass their captured RegExp#exec. */
export function formDataStart(text: string, exec: (re: RegExp, s: string) => RegExpExecArray | null = (re, s) => re.exec(s)): FormDataStart | null {
  const m = exec(FORM_DATA_LINE, text);
  if (m === null) return null;
  return { at: m.index + (text[m.index] === '\n' ? 1 : 0), boundary: m[1] };
}
