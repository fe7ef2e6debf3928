/**
 * A multipart form sent as bytes whose first delimiter line comes late: the engine recognises a form
 * by its delimiter line in the body's first KiB (src/detect/sniff.ts), so a page that puts a longer
 * preamble first hides the form's parts (a file part named 「秘—…」, a .docx part) from it. Page-made
 * bytes the scan does not find marked are looked at further, to FORM_LOOKAHEAD, and the form is
 * scanned from its first delimiter line on. Runs in the lazily loaded bundle (extension/content/ui-entry.ts),
 * beside the scanner, so the guard injected into every page stays small.
 */
import { formDataStart } from '../detect/form-data-line.js';
import type { ScanOptions, ScanResult } from '../detect/types.js';
import { BYTES_NAME } from './find.js';

/** How far into a body the first delimiter line is looked for; a preamble is a line or two in practice. */
export const FORM_LOOKAHEAD = 1024 * 1024;
/** What the engine already looks at. */
const SNIFFED = 1024;

type ScanFn = (blob: Blob, name: string, opts?: Omit<ScanOptions, 'signal'>, progress?: (read: number, total: number) => void) => Promise<ScanResult>;

/** The form in `blob` from its first delimiter line, when a preamble comes first; else null. */
export async function lateFormData(blob: Blob): Promise<Blob | null> {
  if (blob.size <= SNIFFED) return null;
  const head = new TextDecoder('latin1').decode(await blob.slice(0, Math.min(blob.size, FORM_LOOKAHEAD)).arrayBuffer());
  const start = formDataStart(head);
  return start && start.at > 0 ? blob.slice(start.at) : null;
}

/** `scan`, and for page-made bytes not found marked, the form behind a long preamble. */
export function withLateForm(scan: ScanFn): ScanFn {
  return async (blob, name, opts, progress) => {
    const r = await scan(blob, name, opts, progress);
    if (name !== BYTES_NAME || r.verdict === 'marked') return r;
    const form = await lateFormData(blob).catch(() => null);
    const f = form && (await scan(form, name, opts, progress));
    return f?.verdict === 'marked' ? f : r;
  };
}
