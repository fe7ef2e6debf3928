/**
 * The key a client's budgets and refusal counts are kept under: its address, and for IPv6 the /64 it
 * belongs to. One IPv6 subscriber (a home line, a cloud machine) gets a whole /64 and may send from any
 * of its 2^64 addresses, so keyed by the full address every bucket and every per-address allowance was
 * fresh at each new address: sign-ins past the per-address count, refused tokens each written as a new
 * first entry of the audit log (red team coll7 F15). An IPv4-mapped address is its IPv4 address. The
 * audit log still writes the full address of each request.
 */
import { isIPv6 } from 'node:net';

export function clientKey(ip: string | undefined): string {
  if (!ip) return '';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bare = ip.replace(/%.*$/, '');
  if (!isIPv6(bare)) return ip;
  const [head = '', tail] = bare.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  // A dotted IPv4 tail (64:ff9b::192.0.2.1) stands for two groups; only the first four groups are kept.
  const width = (g: string[]) => g.reduce((n, x) => n + (x.includes('.') ? 2 : 1), 0);
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - width(groups(head)) - width(groups(tail))).fill('0'), ...groups(tail)];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
