/**
 * SHA-256 of a Blob with bounded memory. crypto.subtle.digest needs the whole input in one
 * buffer, so it is used only for small blobs; larger ones stream through @noble/hashes' incremental hash.
 */
import { sha256 } from '@noble/hashes/sha2.js';

const SUBTLE_MAX = 16 * 1024 * 1024;
const SLICE = 4 * 1024 * 1024;

export async function sha256Blob(blob: Blob): Promise<string> {
  if (blob.size <= SUBTLE_MAX && globalThis.crypto?.subtle) {
    return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())));
  }
  const h = sha256.create();
  for (let at = 0; at < blob.size; at += SLICE) {
    h.update(new Uint8Array(await blob.slice(at, at + SLICE).arrayBuffer()));
  }
  return hex(h.digest());
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
