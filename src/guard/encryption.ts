/**
 * Is this file encrypted, i.e. a password-protected archive, PDF or Office file? Asked only at a
 * sanctioned destination that requires encryption, about a marked file. Fail closed: whatever is not
 * shown to be encrypted counts as not encrypted (the condition is unmet, the admin's action applies).
 *
 * - A plain ZIP is encrypted when every member is (ZIP encryption leaves the member names readable, so
 *   a marked member name does not make the content readable: the flags in the directory decide).
 *   One plaintext member is enough to say no.
 * - Anything else is encrypted when its content scan, with the file's own name set aside (a name rule
 *   would end the scan before a byte is read), ends `unscannable: encrypted`: the engine found a password
 *   it could not pass (PDF /Encrypt, Office EncryptedPackage or RC4, ODF manifest encryption, 7z/RAR)
 *   and nothing readable was marked.
 */
import { readZipDirectory } from '../detect/extract/zip-reader.js';
import type { ExtractContext } from '../detect/extract/types.js';
import type { Limits } from '../detect/types.js';
import type { Scan } from './find.js';

/** `秘—見積.zip` → `file.zip`: the extension helps the sniffer, the name rule is left out. */
export function neutralName(name: string): string {
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name);
  return `file${ext ? ext[0].toLowerCase() : ''}`;
}

export async function isEncrypted(blob: Blob, name: string, scan: Scan, limits: Limits): Promise<boolean> {
  let r;
  try {
    r = await scan(blob, neutralName(name), { limits, designated: {} });
  } catch {
    return false;
  }
  if (r.format === 'zip') return allMembersEncrypted(blob, limits);
  return r.verdict === 'unscannable' && r.reason === 'encrypted';
}

async function allMembersEncrypted(blob: Blob, limits: Limits): Promise<boolean> {
  const ctx: ExtractContext = { limits, depth: 0, fullText: false, checkTime() {}, addExpanded() {}, addEntry() {} };
  try {
    const files = (await readZipDirectory(blob, ctx)).filter((e) => !e.isDir);
    return files.length > 0 && files.every((e) => e.encrypted);
  } catch {
    return false;
  }
}
