/**
 * UTF-7 (RFC 2152), which mail still declares now and then (`charset=utf-7`) and TextDecoder does not
 * know: ASCII as it is, and everything else as `+` then modified base64 of UTF-16BE, ended by `-` (taken
 * away) or by any character that is not base64. `+-` is a plus sign.
 */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) VALUE[B64.charCodeAt(i)] = i;

export const UTF7_LABEL = /^(?:utf-7|unicode-1-1-utf-7|csunicode11utf7|x-unicode20utf7)$/i;

export function decodeUtf7(bytes: Uint8Array): string {
  const units: number[] = [];
  const out: string[] = [];
  const flush = () => {
    for (let i = 0; i < units.length; i += 8192) out.push(String.fromCharCode(...units.slice(i, i + 8192)));
    units.length = 0;
  };
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i++];
    if (c !== 0x2b) {
      units.push(c < 0x80 ? c : 0xfffd);
    } else if (bytes[i] === 0x2d) {
      units.push(0x2b); // `+-`
      i++;
    } else {
      let bits = 0;
      let n = 0;
      for (; i < bytes.length && bytes[i] < 0x80 && VALUE[bytes[i]] >= 0; i++) {
        bits = ((bits << 6) | VALUE[bytes[i]]) & 0xffffff;
        n += 6;
        if (n >= 16) {
          n -= 16;
          units.push((bits >> n) & 0xffff);
        }
      }
      if (bytes[i] === 0x2d) i++; // the run's end mark
    }
    if (units.length >= 65536) flush();
  }
  flush();
  return out.join('');
}
