/**
 * The report as a PDF (A4), drawn with pdfkit from the same document as the HTML page: text is real
 * text (searchable, copyable, extractable), charts are vector bars with their figures written beside
 * them. Japanese needs a Japanese font: Noto Sans JP (SIL Open Font License 1.1, which allows
 * embedding and redistribution), shipped by the npm package @expo-google-fonts/noto-sans-jp, embedded
 * as a subset. UPLOAD_GUARD_REPORT_FONT (and …_FONT_BOLD) point at another TrueType/OpenType file.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { inertText } from '../../events/inert.js';
import type { BarChart, Kpi, ReportDoc, Section, Table } from './model.js';

const require = createRequire(import.meta.url);

/** The regular and bold font files: the environment's choice, else the packaged Noto Sans JP. */
export function reportFonts(env: NodeJS.ProcessEnv = process.env): { regular: string; bold: string } {
  const pkg = (weight: string) => require.resolve(`@expo-google-fonts/noto-sans-jp/${weight}/NotoSansJP_${weight}.ttf`);
  const regular = env.UPLOAD_GUARD_REPORT_FONT || pkg('400Regular');
  return { regular, bold: env.UPLOAD_GUARD_REPORT_FONT_BOLD || (env.UPLOAD_GUARD_REPORT_FONT ? regular : pkg('700Bold')) };
}

const A4 = { w: 595.28, h: 841.89 };
const M = 40;
const INK = '#1a1a1a';
const GREY = '#555555';
const BAR = '#9db7d5';
const PART = '#1f4e79';

/** One line of PDF text: controls and bidi overrides shown as [U+XXXX], line breaks as spaces. */
const line = (s: string) => inertText(s.replace(/[\r\n\t]+/g, ' '));

class Writer {
  y = M;
  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly fonts: { regular: string; bold: string },
  ) {}

  get width(): number {
    return A4.w - 2 * M;
  }

  /** Starts a new page when fewer than `h` points are left. */
  room(h: number): void {
    if (this.y + h > A4.h - M) {
      this.doc.addPage();
      this.y = M;
    }
  }

  text(s: string, o: { size?: number; bold?: boolean; color?: string; x?: number; width?: number; align?: 'left' | 'right' | 'center' } = {}): number {
    const { doc } = this;
    doc.font(o.bold ? this.fonts.bold : this.fonts.regular).fontSize(o.size ?? 10).fillColor(o.color ?? INK);
    const width = o.width ?? this.width;
    const h = doc.heightOfString(line(s), { width });
    doc.text(line(s), o.x ?? M, this.y, { width, align: o.align ?? 'left' });
    return h;
  }

  para(s: string, o: Parameters<Writer['text']>[1] = {}): void {
    this.room(14);
    this.y += this.text(s, o) + 4;
  }
}

function kpis(w: Writer, list: Kpi[]): void {
  const perRow = 4;
  const bw = (w.width - (perRow - 1) * 6) / perRow;
  for (let i = 0; i < list.length; i += perRow) {
    w.room(54);
    list.slice(i, i + perRow).forEach((k, j) => {
      const x = M + j * (bw + 6);
      w.doc.lineWidth(0.5).strokeColor('#ccccdd').rect(x, w.y, bw, 50).stroke();
      const y0 = w.y;
      w.text(k.label, { x: x + 5, width: bw - 10, size: 7.5, color: GREY });
      w.y = y0 + 18;
      w.text(k.value, { x: x + 5, width: bw - 10, size: 14, bold: true });
      w.y = y0 + 37;
      if (k.change) w.text(k.change, { x: x + 5, width: bw - 10, size: 7.5, color: GREY });
      w.y = y0;
    });
    w.y += 56;
  }
}

function rowsChart(w: Writer, c: BarChart): void {
  const labelW = 150;
  const barMax = w.width - labelW - 70;
  const max = Math.max(1, ...c.items.map((i) => i.value));
  for (const it of c.items) {
    w.room(14);
    const y0 = w.y;
    const label = it.label.length > 28 ? `${it.label.slice(0, 27)}…` : it.label;
    w.text(label, { x: M, width: labelW - 6, size: 8, align: 'right' });
    const bw = (it.value / max) * barMax;
    w.doc.rect(M + labelW, y0 + 1, Math.max(bw, 0.5), 9).fill(BAR);
    if (it.part) w.doc.rect(M + labelW, y0 + 1, (it.part / max) * barMax, 9).fill(PART);
    w.y = y0;
    w.text(`${it.value.toLocaleString('en-US')} / ${(it.part ?? 0).toLocaleString('en-US')}`, { x: M + labelW + bw + 4, width: 70, size: 8 });
    w.y = y0 + 13;
  }
  w.para(c.legend, { size: 8, color: GREY });
}

function columnsChart(w: Writer, c: BarChart): void {
  const height = 130;
  w.room(height + 30);
  const top = w.y + 10;
  const base = top + height - 20;
  const n = Math.max(1, c.items.length);
  const slot = (w.width - 20) / n;
  const max = Math.max(1, ...c.items.map((i) => i.value));
  const scale = (v: number) => (v / max) * (height - 30);
  w.doc.lineWidth(0.5).strokeColor('#888888').moveTo(M + 20, base).lineTo(M + w.width, base).stroke();
  const every = Math.ceil(n / 12);
  c.items.forEach((it, i) => {
    const x = M + 20 + i * slot;
    const h = scale(it.value);
    w.doc.rect(x + slot * 0.15, base - h, slot * 0.7, h).fill(BAR);
    if (it.part) w.doc.rect(x + slot * 0.15, base - scale(it.part), slot * 0.7, scale(it.part)).fill(PART);
    if (it.value > 0) {
      w.y = base - h - 9;
      w.text(String(it.value), { x: x - 6, width: slot + 12, size: 6, align: 'center' });
    }
    if (i % every === 0) {
      w.y = base + 3;
      w.text(it.label, { x: x - 10, width: slot + 20, size: 6.5, align: 'center' });
    }
  });
  w.y = base + 16;
  w.para(c.legend, { size: 8, color: GREY });
}

function table(w: Writer, t: Table): void {
  const n = t.head.length;
  const firstW = n > 5 ? w.width * 0.3 : w.width / n + 40;
  const restW = (w.width - firstW) / Math.max(1, n - 1);
  const widths = t.head.map((_, i) => (i === 0 ? firstW : restW));
  const size = n > 6 ? 7 : 8;
  const drawRow = (cells: string[], head: boolean) => {
    w.doc.font(head ? 'bold' : 'regular');
    const h = Math.max(...cells.map((c, i) => w.doc.fontSize(size).heightOfString(line(c), { width: widths[i]! - 6 }))) + 5;
    w.room(h);
    const y0 = w.y;
    let x = M;
    cells.forEach((c, i) => {
      if (head) w.doc.rect(x, y0, widths[i]!, h).fill('#eef2f7');
      w.doc.lineWidth(0.4).strokeColor('#ccccdd').rect(x, y0, widths[i]!, h).stroke();
      w.y = y0 + 2.5;
      w.text(c, { x: x + 3, width: widths[i]! - 6, size, bold: head, align: t.numeric[i] ? 'right' : 'left' });
      x += widths[i]!;
    });
    w.y = y0 + h;
  };
  drawRow(t.head, true);
  for (const r of t.rows) {
    if (w.y + 14 > A4.h - M) {
      w.room(A4.h); // new page, and the header again
      drawRow(t.head, true);
    }
    drawRow(r, false);
  }
  w.y += 6;
}

function section(w: Writer, s: Section): void {
  w.room(60);
  w.y += 8;
  w.para(s.heading, { size: 13, bold: true, color: PART });
  w.doc.lineWidth(1).strokeColor(PART).moveTo(M, w.y - 2).lineTo(M + w.width, w.y - 2).stroke();
  w.y += 4;
  if (s.note) w.para(s.note, { size: 8.5, color: GREY });
  if (s.kpis) kpis(w, s.kpis);
  if (s.chart && s.chart.items.length) (s.chart.layout === 'rows' ? rowsChart : columnsChart)(w, s.chart);
  if (s.table) {
    if (s.table.rows.length) table(w, s.table);
    else w.para(s.empty ?? '', { size: 9, color: GREY });
  }
}

export function reportPdf(doc: ReportDoc, fonts = reportFonts()): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: M,
    info: { Title: `${doc.title} ${doc.meta[0]![1]}`, Author: 'Upload Guard', Subject: doc.subtitle },
    lang: doc.lang === 'ja' ? 'ja-JP' : 'en-US',
    displayTitle: true,
    autoFirstPage: true,
  });
  pdf.registerFont('regular', fonts.regular);
  pdf.registerFont('bold', fonts.bold);
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const w = new Writer(pdf, { regular: 'regular', bold: 'bold' });
  w.para(doc.title, { size: 18, bold: true });
  w.para(doc.subtitle, { size: 9, color: GREY });
  for (const [k, v] of doc.meta) w.para(`${k}: ${v}`, { size: 9 });
  for (const s of doc.sections) section(w, s);
  pdf.end();
  return done;
}
