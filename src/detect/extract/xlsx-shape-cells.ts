/**
 * A sheet's shape read with the cell beside it (xlsx): a circled 「秘」 text box floating over A1 and the
 * header cell B1 「Confidential」 make the stamp on screen, though one is a drawing and the other a cell.
 * For each shape anchored to cells (xdr:twoCellAnchor, xdr:oneCellAnchor) whose text may start or end the
 * stamp, the nearest cell left of it and the nearest cell right of it, on the rows it spans, are read
 * with it. Only the few rows a shape spans are looked at; a sheet or a string table too large to hold is
 * left to the other readings.
 */
import { mayBeStamp } from './byte-scan.js';
import { decodeXstring } from './xstring.js';
import { attr, xmlToText } from './xml-text.js';
import type { ZipArchive } from './zip-reader.js';
import { SEPARATOR } from './sheet-rows.js';

/** Parts larger than this are not read for it. */
const MAX_PART = 32 << 20;
/** Shapes looked at per drawing, and rows per shape. */
const MAX_SHAPES = 200;
const MAX_ROWS = 50;

interface Anchor {
  fromCol: number;
  fromColOff: number;
  fromRow: number;
  toCol: number;
  toColOff: number;
  toRow: number;
  text: string;
}

const ANCHOR = /<xdr:(twoCellAnchor|oneCellAnchor)(?=[\s>])[^>]*>([\s\S]*?)<\/xdr:\1>/g;
const n = (s: string | undefined) => (s === undefined ? NaN : Number(s));

/** The shapes anchored to cells, with the cells they span (0-based) and their text. */
function anchors(xml: string): Anchor[] {
  const out: Anchor[] = [];
  for (const m of xml.matchAll(ANCHOR)) {
    if (out.length >= MAX_SHAPES) break;
    const body = m[2];
    const text = xmlToText(body.replace(/<xdr:(from|to)>[\s\S]*?<\/xdr:\1>/g, ''));
    if (!mayBeStamp(text) && !/confidential/i.test(text)) continue;
    const pos = (which: string) => {
      const p = new RegExp(`<xdr:${which}>([\\s\\S]*?)</xdr:${which}>`).exec(body)?.[1] ?? '';
      const v = (tag: string) => n(new RegExp(`<xdr:${tag}>\\s*(-?\\d+)\\s*</xdr:${tag}>`).exec(p)?.[1]);
      return { col: v('col'), colOff: v('colOff'), row: v('row') };
    };
    const from = pos('from');
    const to = m[1] === 'twoCellAnchor' ? pos('to') : { col: from.col, colOff: from.colOff + 1, row: from.row };
    if (![from.col, from.row, to.col, to.row].every(Number.isFinite)) continue;
    out.push({ fromCol: from.col, fromColOff: from.colOff || 0, fromRow: from.row, toCol: to.col, toColOff: to.colOff || 0, toRow: to.row, text });
  }
  return out;
}

/** Column letters → 0-based index. */
function colIndex(ref: string): number {
  let c = 0;
  for (const ch of ref.toUpperCase()) {
    const k = ch.charCodeAt(0);
    if (k < 65 || k > 90) break;
    c = c * 26 + (k - 64);
  }
  return c - 1;
}

/** Whether any relationships part of the package names a drawings/`file` target. */
async function linkedFromAnyPart(zip: ZipArchive, file: string): Promise<boolean> {
  const target = new RegExp(`Target="[^"]*drawings/${file.replace(/[.]/g, '\\.')}"`);
  for (const e of zip.entries) {
    if (!/(?:^|\/)_rels\/[^/]*\.rels$/i.test(e.name)) continue; // every one, however large: a link missed is no damage
    const rels = await zip.text(e.name);
    if (rels && target.test(rels)) return true;
  }
  return false;
}

/**
 * Texts "cell shape" and "shape cell" for the shapes of drawing part `drawing` and the cells beside them,
 * with the sheet part they belong to; 'unlinked' when no part of the package links the drawing.
 */
export async function shapeCellPairs(zip: ZipArchive, drawing: string, xml: string): Promise<{ sheet: string; text: string } | 'unlinked' | null> {
  const list = anchors(xml);
  if (!list.length) return null;
  const file = drawing.slice(drawing.lastIndexOf('/') + 1);
  let sheetPart: string | null = null;
  for (const e of zip.entries) {
    const m = /^xl\/worksheets\/_rels\/([^/]+)\.rels$/i.exec(e.name);
    if (!m || e.size > 1 << 20) continue;
    const rels = await zip.text(e.name);
    if (rels && new RegExp(`Target="[^"]*drawings/${file.replace(/[.]/g, '\\.')}"`).test(rels)) {
      sheetPart = `xl/worksheets/${m[1]}`;
      break;
    }
  }
  // A drawing no relationship names at all (not a sheet's, not a chart sheet's): its sheet's relationships
  // part was lost, and the cells its shapes stand beside cannot be found. Excel repairs such a workbook.
  if (!sheetPart && !(await linkedFromAnyPart(zip, file))) return 'unlinked';
  const sheetEntry = sheetPart && zip.entries.find((e) => e.name === sheetPart);
  if (!sheetPart || !sheetEntry || sheetEntry.size > MAX_PART) return null;
  const sheet = await zip.text(sheetPart);
  if (!sheet) return null;
  let strings: string[] | null = null;
  const shared = async (): Promise<string[]> => {
    if (strings) return strings;
    const e = zip.entries.find((x) => /^xl\/sharedStrings\.xml$/i.test(x.name));
    const sst = e && e.size <= MAX_PART ? await zip.text(e.name) : null;
    strings = sst ? Array.from(sst.matchAll(/<si>([\s\S]*?)<\/si>/g), (m) => decodeXstring(xmlToText(m[1].replace(/<rPh\b[\s\S]*?<\/rPh>/g, '')))) : [];
    return strings;
  };
  // The rows the shapes span, found in one pass over the sheet's row tags.
  const wanted = new Set<number>();
  for (const a of list) for (let row = a.fromRow; row <= a.toRow && row - a.fromRow < MAX_ROWS; row++) wanted.add(row + 1);
  const rowXml = new Map<number, string>();
  for (const m of sheet.matchAll(/<row\b[^>]*>/g)) {
    const r = Number(attr(m[0], 'r'));
    if (!wanted.has(r) || m[0].endsWith('/>')) continue;
    const end = sheet.indexOf('</row>', m.index);
    rowXml.set(r, sheet.slice(m.index + m[0].length, end < 0 ? sheet.length : end));
    if (rowXml.size === wanted.size) break;
  }
  const rowCells = async (row: number): Promise<Map<number, string>> => {
    const cells = new Map<number, string>();
    const xmlOfRow = rowXml.get(row + 1);
    if (xmlOfRow === undefined) return cells;
    for (const c of xmlOfRow.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const tag = `<c ${c[1]}>`;
      const col = colIndex(attr(tag, 'r') ?? '');
      const inner = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      const t = attr(tag, 't');
      let text = '';
      if (t === 's' && v !== undefined) text = (await shared())[Number(v)] ?? '';
      else if (t === 'inlineStr') text = decodeXstring(xmlToText(inner));
      else if (v !== undefined) text = xmlToText(v);
      if (col >= 0 && text.trim()) cells.set(col, text);
    }
    return cells;
  };
  const out: string[] = [];
  for (const a of list) {
    // The column just right of the shape, and the one its left edge stands in (or the one before).
    const right = a.toColOff > 0 ? a.toCol + 1 : a.toCol;
    const left = a.fromColOff > 0 ? a.fromCol : a.fromCol - 1;
    for (let row = a.fromRow; row <= a.toRow && row - a.fromRow < MAX_ROWS; row++) {
      const cells = await rowCells(row);
      const r = cells.get(right);
      const l = left >= 0 ? cells.get(left) : undefined;
      if (r) out.push(`${a.text.trim()} ${r.trim()}`);
      if (l) out.push(`${l.trim()} ${a.text.trim()}`);
    }
  }
  return out.length ? { sheet: sheetPart, text: out.join(SEPARATOR) } : null;
}
