/**
 * A Gnumeric workbook's sheets and cells, for the readings that place its text (gnumeric-shown.ts: a
 * cell through its style's format; gnumeric-objects.ts: text boxes by where they stand). Any namespace
 * prefix is taken, as Gnumeric's own `gnm:` or another a tool wrote.
 */
import { XML_TAGS, content, spans } from './markup-spans.js';
import { attr, decodeEntities } from './xml-text.js';

const GNUMERIC = /<(?:[\w.-]+:)?Workbook\b[^>]*gnumeric/;
const SHEET = /<(?:[\w.-]+:)?Sheet(?=[\s/>])/g;
const SHEET_END = /<\/(?:[\w.-]+:)?Sheet>/g;
const NAME = /<(?:[\w.-]+:)?Name>([^<]*)<\/(?:[\w.-]+:)?Name>/;
const CELL = /<(?:[\w.-]+:)?Cell\b([^<>]*)>([^<]*)<\/(?:[\w.-]+:)?Cell>/g;

/** Whether the markup is a Gnumeric workbook (its root element, in the first 4 KiB). */
export const isGnumericBook = (xml: string): boolean => GNUMERIC.test(xml.slice(0, 4096));

/** Each sheet's name and its markup. */
export function* gnumericSheets(xml: string): Generator<{ sheet: string; body: string }> {
  for (const s of spans(xml, SHEET, () => SHEET_END, XML_TAGS)) {
    const body = content(xml, s);
    yield { sheet: decodeEntities(NAME.exec(body)?.[1] ?? ''), body };
  }
}

/**
 * A sheet's cells with content: the start tag's attributes (as `<c …>`, for attr()), its row and column
 * as written (NaN when missing), and its content still escaped.
 */
export function* gnumericCells(body: string): Generator<{ tag: string; row: number; col: number; raw: string }> {
  for (const m of body.matchAll(CELL)) {
    const tag = `<c ${m[1]}>`;
    yield { tag, row: Number(attr(tag, 'Row')), col: Number(attr(tag, 'Col')), raw: m[2] };
  }
}
