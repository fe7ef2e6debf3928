/** What the collector's log may say about a request: its URL with every token-like parameter redacted. */

/** Query parameter names whose values are never logged (compared after decoding, case-insensitive). */
const SECRET_PARAMS = new Set(['token', 'access_token', 'auth', 'authorization']);

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * The URL with the value of each secret parameter replaced by [redacted]. Names are decoded first (and
 * repeatedly, for double encoding) so `?%74oken=`, `?TOKEN=` and `?to%2562en=` are caught as `token`.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split(/([&;])/)
    .map((part) => {
      if (part === '&' || part === ';') return part;
      const eq = part.indexOf('=');
      let name = eq < 0 ? part : part.slice(0, eq);
      for (let i = 0; i < 3; i++) name = decode(name);
      // Letters only: `token\0`, `token[]` or `token ` is still a token to a lenient parser, and to a reader of the log.
      return SECRET_PARAMS.has(name.toLowerCase().replace(/[^a-z_]/g, '')) ? `${part.slice(0, eq < 0 ? part.length : eq)}=[redacted]` : part;
    });
  return url.slice(0, q + 1) + params.join('');
}
