/**
 * SIEM output: ArcSight Common Event Format (CEF) over syslog (RFC 5424 header), sent by UDP or TCP
 * (newline-framed, RFC 6587 "non-transparent framing"). Every event is forwarded, not only incidents:
 * the SIEM is where access logs are correlated and kept.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { Socket, connect } from 'node:net';
import { inertText } from '../../events/inert.js';
import type { KeptEvent, UploadEvent } from '../../events/schema.js';

const VERSION = '0.1.0';

/**
 * CEF header fields (CEF spec 25): backslash and pipe are escaped; line breaks are not allowed, so they
 * become spaces. Other controls, Unicode line separators (U+0085, U+2028, U+2029) and bidi overrides
 * show as [U+XXXX]: a SIEM console or a syslog file splits or reorders on them.
 */
export function cefHeader(s: string): string {
  return inertText(s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' '));
}

/** CEF extension values: backslash and equals are escaped; CR and LF are written as \r and \n (the spec's escapes); other controls and separators as [U+XXXX]. */
export function cefValue(s: string): string {
  return inertText(s.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}

function severity(e: UploadEvent): number {
  if (e.action === 'block') return 8;
  if (e.action === 'warn') return e.outcome === 'proceeded' ? 7 : 6;
  if (e.verdict === 'marked') return 5;
  return e.action === 'audit' ? 3 : 1;
}

function host(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return '';
  }
}

/**
 * The longest an extension value may be once escaped, per key (others: 256). Escaping can make a value
 * 8 times longer (a control or bidi character becomes [U+XXXX]), and a record past a receiver's line
 * limit (rsyslog 8 KiB by default, RFC 5426 2 KiB for UDP) loses its tail: bounded so, a record stays
 * under 8 KiB whatever the device sent, and the long free-text fields go last so a shorter limit cuts
 * them, never the ids, action and outcome.
 */
const VALUE_MAX: Record<string, number> = { fname: 1024, cs3: 1024, cs4: 1024, request: 512, reason: 512 };
const VALUE_MAX_DEFAULT = 256;

/** An escaped value cut to `max` characters, never inside an escape, a [U+XXXX] or a surrogate pair; "…" says it was cut. */
export function boundedValue(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  let cut = escaped.slice(0, max - 1).replace(/\[(U(\+[0-9A-F]{0,6})?)?$/, '').replace(/[\uD800-\uDBFF]$/, '');
  if (/(^|[^\\])(\\\\)*\\$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * The sender's address as CEF has it: `src` holds an IPv4 address (an IPv4-mapped IPv6 one is written as
 * IPv4), anything else goes in the custom IPv6 field.
 */
function sourceAddress(address: string | undefined): [string, string | null][] {
  if (!address) return [];
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return v4 ? [['src', v4[1]!]] : [['c6a1Label', 'source address'], ['c6a1', address]];
}

/** One CEF record (without the syslog header). */
export function toCef(e: KeptEvent): string {
  const name = `${e.verdict} upload ${e.outcome}`;
  const ext: [string, string | number | null][] = [
    ['rt', Date.parse(e.time)],
    ['externalId', e.id],
    ['suser', e.user],
    ['deviceExternalId', e.deviceId],
    ['requestClientApplication', e.browser],
    ['dhost', host(e.origin)],
    ['fsize', e.size],
    ['fileHash', e.sha256],
    ['act', e.action],
    ['outcome', e.outcome],
    ['cat', e.category],
    ['cs1Label', 'service'],
    ['cs1', e.service],
    ['cs2Label', 'verdict'],
    ['cs2', e.verdict],
    ['cn1Label', 'rule'],
    ['cn1', e.rule],
    ['cs5Label', 'channel'],
    ['cs5', e.channel],
    ['cs6Label', 'relatesTo'],
    ['cs6', e.relatesTo],
    // Who sent it, as the collector saw it (coll7 F10): a forgery from outside is found by its address.
    ...sourceAddress(e.receivedFrom),
    ['flexString1Label', e.ingestTokenId ? 'ingestTokenId' : null],
    ['flexString1', e.ingestTokenId ?? null],
    // The device's own time when it was implausible (rt is then the arrival, as stored: coll7 F12).
    ['deviceCustomDate1Label', e.claimedTime ? 'claimedTime' : null],
    ['deviceCustomDate1', e.claimedTime ? Date.parse(e.claimedTime) : null],
    ['reason', e.reason],
    ['fname', e.fileName],
    ['request', e.origin],
    ['cs3Label', 'location'],
    ['cs3', e.location],
    ['cs4Label', 'justification'],
    ['cs4', e.justification],
  ];
  const extension = ext
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}=${boundedValue(cefValue(String(v)), VALUE_MAX[k] ?? VALUE_MAX_DEFAULT)}`)
    .join(' ');
  const header = ['CEF:0', 'Upload Guard', 'Upload Guard', VERSION, `upload-${e.verdict}-${e.action}`, name, String(severity(e))]
    .map((f, i) => (i === 0 ? f : cefHeader(f)))
    .join('|');
  return `${header}|${extension}`;
}

/** What the outbox keeps for the SIEM: the syslog priority (facility local4, severity from the CEF severity) and the CEF record. */
export function toSyslogRecord(e: KeptEvent): string {
  const sev = severity(e) >= 8 ? 2 : severity(e) >= 6 ? 4 : 6; // critical / warning / informational
  return `<${20 * 8 + sev}>${toCef(e)}`;
}

/** RFC 5424 syslog line of a stored record (see toSyslogRecord), stamped when it is sent. */
export function toSyslog(record: string, host = hostname()): string {
  const end = record.indexOf('>') + 1;
  return `${record.slice(0, end)}1 ${new Date().toISOString()} ${host.replace(/\s/g, '') || '-'} upload-guard - - - ${record.slice(end)}`;
}

export interface SyslogTarget {
  protocol: 'udp' | 'tcp';
  host: string;
  port: number;
}

export function parseSyslogUrl(url: string): SyslogTarget {
  const u = new URL(url);
  const protocol = u.protocol.replace(':', '');
  if (protocol !== 'udp' && protocol !== 'tcp') throw new Error(`syslog URL must be udp://host:port or tcp://host:port, got ${url}`);
  return { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 514) };
}

/** A syslog sender that keeps one UDP socket or one TCP connection (reconnecting after errors). */
export class SyslogSender {
  private udp: UdpSocket | null = null;
  private tcp: Socket | null = null;
  private tcpReady: Promise<Socket> | null = null;

  constructor(private readonly target: SyslogTarget) {}

  /** Sends one stored record (see toSyslogRecord). */
  send = async (record: string): Promise<void> => {
    const line = toSyslog(record);
    if (this.target.protocol === 'udp') {
      if (!this.udp) {
        this.udp = createSocket(this.target.host.includes(':') ? 'udp6' : 'udp4');
        this.udp.unref();
        this.udp.on('error', () => {});
      }
      const sock = this.udp;
      await new Promise<void>((resolve, reject) =>
        sock.send(Buffer.from(line, 'utf8'), this.target.port, this.target.host, (err) => (err ? reject(err) : resolve())),
      );
      return;
    }
    const sock = await this.connectTcp();
    await new Promise<void>((resolve, reject) => sock.write(line + '\n', 'utf8', (err) => (err ? reject(err) : resolve())));
  };

  private connectTcp(): Promise<Socket> {
    if (this.tcpReady) return this.tcpReady;
    this.tcpReady = new Promise<Socket>((resolve, reject) => {
      const sock = connect({ host: this.target.host, port: this.target.port });
      sock.setTimeout(10_000);
      sock.once('connect', () => {
        sock.setTimeout(0);
        sock.unref();
        this.tcp = sock;
        resolve(sock);
      });
      const fail = (err: Error) => {
        this.tcp = null;
        this.tcpReady = null;
        sock.destroy();
        reject(err);
      };
      sock.once('error', fail);
      sock.once('timeout', () => fail(new Error('syslog TCP connect timeout')));
      sock.once('close', () => {
        this.tcp = null;
        this.tcpReady = null;
      });
    });
    // Swallow here; the caller of send() sees the rejection.
    this.tcpReady.catch(() => {});
    return this.tcpReady;
  }

  close(): void {
    this.udp?.close();
    this.udp = null;
    this.tcp?.destroy();
    this.tcp = null;
  }
}
