/**
 * E-mail benchmark: a 10 MB message with attachments (a QP text body, a base64 HTML body, a
 * docx, a CSV, a photo and a zip), scanned whole, beside the same body and attachments scanned
 * unwrapped (what the engine costs without the mail around them), as a ratio.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { scanBlob } from '../src/detect/index.js';
import { corpusPath, inCorpus } from '../test/support/corpus.js';
import { time } from './engine.js';
import { type Row } from './table.js';

const MiB = 1024 * 1024;
const DIR = join(tmpdir(), 'upload-guard-bench');
const LINES = [
  '本日の打合せでは、新ラインの立上げ計画と部品の調達状況について確認しました。',
  '秘密保持契約書は別途送付します。社外秘の資料は所定の手順で取り扱ってください。',
  'The supplier confirmed the delivery schedule for lot 42 and the revised drawings.',
];

function japanese(bytes: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `${i},${LINES[i % LINES.length]}\n`;
    out.push(l);
    n += Buffer.byteLength(l);
  }
  return out.join('');
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/.{76}/g, '$&\r\n');

/** Quoted-printable as mail writers produce it: 8-bit bytes escaped, lines broken softly at 76. */
function qp(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let cur = '';
    for (const byte of Buffer.from(line)) {
      const tok = byte >= 0x80 || byte === 0x3d ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
      if (cur.length + tok.length > 75) {
        out.push(cur + '=');
        cur = '';
      }
      cur += tok;
    }
    out.push(cur);
  }
  return out.join('\r\n');
}

interface Piece {
  name: string;
  type: string;
  data: Uint8Array;
}

function pieces(): Piece[] {
  const body = japanese(200 * 1024);
  const csv = new TextEncoder().encode(japanese(4 * MiB));
  const photo = new Uint8Array(2 * MiB);
  for (let i = 0; i < photo.length; i += 65536) crypto.getRandomValues(photo.subarray(i, i + 65536));
  photo.set([0xff, 0xd8, 0xff, 0xe0]);
  const out: Piece[] = [
    { name: 'body.txt', type: 'text/plain; charset=utf-8', data: new TextEncoder().encode(body) },
    { name: 'body.html', type: 'text/html; charset=utf-8', data: new TextEncoder().encode(`<html><body><p>${body.replace(/\n/g, '<br>\n')}</p></body></html>`) },
    { name: '測定結果.csv', type: 'text/csv; charset=utf-8', data: csv },
    { name: 'photo.jpg', type: 'image/jpeg', data: photo },
    { name: '資料.zip', type: 'application/zip', data: zipSync({ 'data/測定結果.csv': csv }, { level: 6 }) },
  ];
  if (inCorpus('export-note.docx')) {
    out.push({ name: 'report.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: new Uint8Array(readFileSync(corpusPath('export-note.docx'))) });
  }
  return out;
}

function message(ps: Piece[]): Uint8Array {
  const [text, html, ...attachments] = ps;
  const lines = [
    'From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@example.co.jp>',
    'To: tanaka@example.com',
    'Subject: =?ISO-2022-JP?B?GyRCOCtAUSRON28bKEI=?=',
    'Date: Tue, 01 Dec 2026 10:00:00 +0900',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    `Content-Type: ${text.type}`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp(new TextDecoder().decode(text.data)),
    '--alt',
    `Content-Type: ${html.type}`,
    'Content-Transfer-Encoding: base64',
    '',
    b64(html.data),
    '--alt--',
  ];
  for (const a of attachments) {
    lines.push('--mixed', `Content-Type: ${a.type}`, 'Content-Transfer-Encoding: base64');
    lines.push(`Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`, '', b64(a.data));
  }
  lines.push('--mixed--', '');
  return new TextEncoder().encode(lines.join('\r\n'));
}

export async function runMailBench(): Promise<Row[]> {
  mkdirSync(DIR, { recursive: true });
  const ps = pieces();
  const path = join(DIR, 'mail-10mb.eml');
  if (!existsSync(path)) writeFileSync(path, message(ps));
  const mail = new Blob([readFileSync(path)]);
  const blobs = ps.map((p) => [new Blob([p.data as Uint8Array<ArrayBuffer>]), p.name] as const);
  const r = await scanBlob(mail, 'mail-10mb.eml');
  const ours = await time(() => scanBlob(mail, 'mail-10mb.eml'), 9);
  const base = await time(async () => {
    for (const [b, n] of blobs) await scanBlob(b, n);
  }, 9);
  return [
    {
      area: 'engine',
      case: `eml ${(mail.size / MiB).toFixed(1)} MB, ${ps.length - 2} attachments [${r.verdict}]`,
      ours: `${ours.toFixed(1)} ms`,
      baseline: `same parts unwrapped ${base.toFixed(1)} ms`,
      ratio: ours / base,
      target: '≤ 2.0',
      met: ours / base <= 2,
    },
  ];
}
