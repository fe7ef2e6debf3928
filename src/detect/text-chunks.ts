/** Splitting long text into overlapping runs, so that no run is huge and no stamp is cut in two. */

export const CHUNK_CHARS = 1 << 20;
/** Longer than any stamp with generous whitespace between 秘 and confidential. */
export const OVERLAP_CHARS = 256;

export function* chunkText(text: string, size = CHUNK_CHARS, overlap = OVERLAP_CHARS): Generator<string> {
  if (text.length <= size) {
    yield text;
    return;
  }
  for (let start = 0; start < text.length; start += size - overlap) {
    yield text.slice(start, start + size);
    if (start + size >= text.length) return;
  }
}
