/**
 * A multipart form sent as bytes whose first delimiter line comes late: the engine recognises a form
 * by its delimiter line in the body's first KiB (src/detect/sniff.ts), so a page that puts a longer
 * preamble first hides the form's parts (a file part named 「秘—…」, a .docx part) from it. The guard
 * looks further, to FORM_LOOKAHEAD, and has the form scanned from its first delimiter line on.
 */
import { formDataStart } from '../detect/form-data-line.js';

/** How far into a body the first delimiter line is looked for; a preamble is a line or two in practice. */
export const FORM_LOOKAHEAD = 1024 * 1024;
/** What the engine already looks at. */
const SNIFFED = 1024;

/** The form in `blob` from its first delimiter line, when a preamble comes first (past the first KiB, the engine misses it); else null. */
export async function lateFormData(blob: Blob): Promise<Blob | null> {
  if (blob.size <= SNIFFED) return null;
  const head = new TextDecoder('latin1').decode(await blob.slice(0, Math.min(blob.size, FORM_LOOKAHEAD)).arrayBuffer());
  const start = formDataStart(head);
  return start && start.at > 0 ? blob.slice(start.at) : null;
}
