/**
 * A strict parser for the `.reg` files `upload-guard policy files` writes (regedit's "Version 5.00"
 * format): a UTF-16LE byte-order mark, CRLF line ends only, the header line, then comment lines (`;`),
 * key lines (`[KEY]`, or `[-KEY]` to delete a key) and value lines under a key: `"name"="text"` (REG_SZ,
 * escapes `\\` and `\"` only), `"name"=dword:xxxxxxxx` (8 lowercase hex digits), `"name"=hex(1):…`
 * (REG_SZ as UTF-16LE bytes ending in a NUL, continued over lines with `,\` and a two-space indent) and
 * `"name"=-` (delete). Anything else is an error naming the line: the parser exists to catch output
 * that regedit would read differently from what we meant.
 */

export type RegValue = { type: 'REG_SZ'; data: string } | { type: 'REG_DWORD'; data: number } | { type: 'DELETE' };

export interface RegFile {
  /** Keys deleted with `[-KEY]`, in file order. */
  deletedKeys: string[];
  /** Values per key (key paths as written; a key listed twice collects both blocks). */
  keys: Map<string, Map<string, RegValue>>;
  /** Every line in order, classified; for checking what comes before what. */
  lines: { kind: 'header' | 'blank' | 'comment' | 'key' | 'delete-key' | 'value'; text: string }[];
}

export class RegParseError extends Error {
  constructor(
    readonly line: number,
    why: string,
  ) {
    super(`line ${line}: ${why}`);
  }
}

export const REG_HEADER = 'Windows Registry Editor Version 5.00';
const ROOTS = ['HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER', 'HKEY_CLASSES_ROOT', 'HKEY_USERS', 'HKEY_CURRENT_CONFIG'];
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A quoted string at `s[start]` (which must be `"`): its value and the index after the closing quote. */
function quoted(s: string, start: number, line: number): { value: string; end: number } {
  if (s[start] !== '"') throw new RegParseError(line, 'expected "');
  let value = '';
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '"') return { value, end: i + 1 };
    if (CONTROL.test(c)) throw new RegParseError(line, `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0')} in a quoted string`);
    if (c === '\\') {
      const n = s[i + 1];
      if (n !== '\\' && n !== '"') throw new RegParseError(line, `unknown escape \\${n ?? '(end of line)'}`);
      value += n;
      i++;
    } else {
      value += c;
    }
  }
  throw new RegParseError(line, 'unterminated string');
}

function keyPath(text: string, line: number): string {
  if (text.length === 0 || text.startsWith('\\') || text.endsWith('\\')) throw new RegParseError(line, `bad key path "${text}"`);
  const parts = text.split('\\');
  if (!ROOTS.includes(parts[0])) throw new RegParseError(line, `unknown root key ${parts[0]}`);
  for (const p of parts) {
    if (!p) throw new RegParseError(line, 'empty key name in path');
    if (/[[\]]/.test(p) || CONTROL.test(p)) throw new RegParseError(line, `bad key name "${p}"`);
  }
  return text;
}

function decodeHexSz(list: string, line: number): string {
  if (!/^[0-9a-f]{2}(,[0-9a-f]{2})*$/.test(list)) throw new RegParseError(line, 'hex(1) data must be comma-separated pairs of lowercase hex digits');
  const bytes = list.split(',').map((b) => parseInt(b, 16));
  if (bytes.length % 2) throw new RegParseError(line, 'hex(1) data must be whole UTF-16LE code units');
  if (bytes.length < 2 || bytes[bytes.length - 1] !== 0 || bytes[bytes.length - 2] !== 0) throw new RegParseError(line, 'hex(1) data must end with a NUL terminator (00,00)');
  let s = '';
  for (let i = 0; i < bytes.length - 2; i += 2) {
    const unit = bytes[i] | (bytes[i + 1] << 8);
    if (unit === 0) throw new RegParseError(line, 'NUL inside hex(1) data: the string would end there');
    s += String.fromCharCode(unit);
  }
  return s;
}

export function parseRegFile(bytes: Uint8Array): RegFile {
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xfe) throw new RegParseError(0, 'no UTF-16LE byte-order mark');
  if (bytes.length % 2) throw new RegParseError(0, 'odd number of bytes for UTF-16LE');
  let text: string;
  try {
    text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(2));
  } catch {
    throw new RegParseError(0, 'not valid UTF-16LE');
  }
  if (text.includes('\uFEFF')) throw new RegParseError(0, 'a second byte-order mark');
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) throw new RegParseError(0, 'a line end that is not CRLF');
  if (!text.endsWith('\r\n')) throw new RegParseError(0, 'the file must end with CRLF');
  const raw = text.slice(0, -2).split('\r\n');

  const out: RegFile = { deletedKeys: [], keys: new Map(), lines: [] };
  if (raw[0] !== REG_HEADER) throw new RegParseError(1, `expected "${REG_HEADER}"`);
  out.lines.push({ kind: 'header', text: raw[0] });
  let current: Map<string, RegValue> | undefined;
  let seen = new Set<string>();

  for (let i = 1; i < raw.length; i++) {
    const n = i + 1;
    let line = raw[i];
    if (line === '') {
      out.lines.push({ kind: 'blank', text: line });
      continue;
    }
    if (line.startsWith(';')) {
      out.lines.push({ kind: 'comment', text: line });
      continue;
    }
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) throw new RegParseError(n, 'key line must end with ]');
      const del = line[1] === '-';
      const path = keyPath(line.slice(del ? 2 : 1, -1), n);
      if (del) {
        out.deletedKeys.push(path);
        current = undefined;
        out.lines.push({ kind: 'delete-key', text: path });
      } else {
        current = out.keys.get(path) ?? new Map();
        out.keys.set(path, current);
        seen = new Set();
        out.lines.push({ kind: 'key', text: path });
      }
      continue;
    }
    if (!line.startsWith('"') && !line.startsWith('@=')) throw new RegParseError(n, `not a comment, key or value line: ${JSON.stringify(line.slice(0, 40))}`);
    if (!current) throw new RegParseError(n, 'a value line outside a key');
    let name = '';
    let pos: number;
    if (line.startsWith('@=')) pos = 1;
    else {
      const q = quoted(line, 0, n);
      name = q.value;
      pos = q.end;
    }
    if (line[pos] !== '=') throw new RegParseError(n, 'expected = after the value name');
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw new RegParseError(n, `value "${name}" set twice in one key`);
    seen.add(lower);
    const rhs = line.slice(pos + 1);
    let value: RegValue;
    if (rhs.startsWith('"')) {
      const q = quoted(rhs, 0, n);
      if (q.end !== rhs.length) throw new RegParseError(n, 'text after the closing quote');
      value = { type: 'REG_SZ', data: q.value };
    } else if (rhs.startsWith('dword:')) {
      const hex = rhs.slice(6);
      if (!/^[0-9a-f]{8}$/.test(hex)) throw new RegParseError(n, 'dword needs exactly 8 lowercase hex digits');
      value = { type: 'REG_DWORD', data: parseInt(hex, 16) };
    } else if (rhs.startsWith('hex(1):')) {
      let list = rhs.slice(7);
      while (list.endsWith('\\')) {
        if (!list.endsWith(',\\')) throw new RegParseError(n, 'a continued hex line must end with ",\\"');
        i++;
        line = raw[i];
        if (line === undefined || !/^ {2}[0-9a-f]/.test(line)) throw new RegParseError(i + 1, 'a hex continuation line starts with two spaces and a hex byte');
        list = list.slice(0, -1) + line.slice(2);
      }
      value = { type: 'REG_SZ', data: decodeHexSz(list, n) };
    } else if (rhs === '-') {
      value = { type: 'DELETE' };
    } else {
      throw new RegParseError(n, `unsupported value ${JSON.stringify(rhs.slice(0, 20))}`);
    }
    current.set(name, value);
    out.lines.push({ kind: 'value', text: name });
  }
  return out;
}
