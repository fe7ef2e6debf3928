/**
 * A multipart/form-data body read as what it is: an HTTP form upload a page built itself and sent
 * under any Content-Type (text/plain, application/octet-stream), or a file holding one. Each part is
 * read as a mail part would be: a file part is a member (its name checked by rule 2, its content scanned
 * recursively), a field's text is text. The boundary is the one on its first delimiter line.
 */
import { readBytes } from '../bytes.js';
import { formDataStart } from '../form-data-line.js';
import { walkMultipartBody } from './eml.js';
import type { Extractor } from './types.js';

/** How far into the body the first delimiter line is looked for (the sniffer looks at the first KiB). */
const HEAD = 64 * 1024;

export const extractFormData: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  ctx.checkTime();
  // latin1: one character per byte, so offsets and the boundary are the bytes' own.
  const start = formDataStart(new TextDecoder('latin1').decode(bytes.subarray(0, HEAD)));
  if (!start) {
    yield { kind: 'unscannable', reason: 'corrupt', detail: 'a form upload without a delimiter line', where: { area: 'body' } };
    return;
  }
  yield* walkMultipartBody(bytes, start.boundary, ctx);
};
