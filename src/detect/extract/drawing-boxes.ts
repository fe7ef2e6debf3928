/**
 * The drawing objects of a part with their boxes, for the reading by position (shape-pairs.ts): DrawingML
 * shapes of slides and sheet drawings (a:xfrm, inside group transforms), Word's floating shapes
 * (wp:anchor, and VML text boxes in w:pict), and OpenDocument's drawing objects (svg:x, svg:y, svg:width,
 * svg:height). Each returns groups of shapes whose boxes share one frame of reference; a shape without a
 * box (a placeholder that takes its place from the layout, an aligned rather than offset Word shape) is
 * left to the storage reading alone.
 */
import type { ShapeBox } from './shape-pairs.js';
import { attr, xmlToText } from './xml-text.js';

/** Shapes read from one part at most (the pairing keeps fewer: shape-pairs.ts). */
const MAX_SHAPES = 4000;

/** Where the element whose start tag ends at `from` closes (its end tag's end), counting nested ones of the same name. */
function closeOf(xml: string, name: string, from: number): number {
  const re = new RegExp(`<(/?)${name.replace(/[.:]/g, '\\$&')}(?=[\\s/>])[^>]*>`, 'g');
  re.lastIndex = from;
  let depth = 1;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[1]) depth--;
    else if (!m[0].endsWith('/>')) depth++;
    if (depth === 0) return m.index + m[0].length;
  }
  return xml.length;
}

const num = (s: string | null | undefined): number => (s == null ? NaN : Number(s));

interface Transform {
  x: number;
  y: number;
  sx: number;
  sy: number;
}

/** A group's first child: its own properties (and transform) come before it. */
const FIRST_CHILD = /<(?:p|xdr|wpg|wps):(?:sp|grpSp|wsp|wgp|cxnSp|pic|graphicFrame)(?=[\s/>])/g;
const DRAWINGML = /<(\/?)(?:p|xdr|wpg|wps):(sp|grpSp|wsp|wgp|cxnSp)(?=[\s/>])[^>]*>/g;

/** The first a:xfrm's offset and extent (and a group's child frame) in this markup, or null. */
function xfrmOf(xml: string): { x: number; y: number; w: number; h: number; cx: number; cy: number; cw: number; ch: number } | null {
  const m = /<a:xfrm(?=[\s/>])[^>]*>([\s\S]*?)<\/a:xfrm>/.exec(xml);
  if (!m) return null;
  const tag = (name: string) => new RegExp(`<a:${name}\\b[^>]*>`).exec(m[1])?.[0] ?? '';
  const off = tag('off');
  const ext = tag('ext');
  const chOff = tag('chOff');
  const chExt = tag('chExt');
  return {
    x: num(attr(off, 'x')),
    y: num(attr(off, 'y')),
    w: num(attr(ext, 'cx')),
    h: num(attr(ext, 'cy')),
    cx: num(attr(chOff, 'x')),
    cy: num(attr(chOff, 'y')),
    cw: num(attr(chExt, 'cx')),
    ch: num(attr(chExt, 'cy')),
  };
}

/** A DrawingML shape as read: its box (NaN where it has no a:xfrm of its own) and, for a placeholder, its keys (placeholderKeys). */
export interface DrawingShape extends ShapeBox {
  placeholder?: string[];
}

/**
 * A PowerPoint placeholder's keys (p:ph), by which a slide's placeholder finds the layout's and the
 * master's it takes its place from: its index, then its type (a centred title is a title, a subtitle a
 * body, as the master has them). Null for a shape that is no placeholder.
 */
function placeholderKeys(inner: string): string[] | null {
  const tag = /<p:ph(?=[\s/>])[^>]*>/.exec(inner)?.[0];
  if (!tag) return null;
  const type = attr(tag, 'type') ?? 'body';
  const idx = attr(tag, 'idx');
  return [...(idx ? [`idx:${idx}`] : []), `type:${type === 'ctrTitle' ? 'title' : type === 'subTitle' ? 'body' : type}`];
}

/**
 * DrawingML shapes (PowerPoint's p:sp, a sheet drawing's xdr:sp, inside groups) with their boxes in EMU,
 * on the slide or sheet: a shape in a group is placed through the group's child frame (chOff/chExt).
 * Shapes without text, and placeholders without a box, are kept too (a slide's layout gives their place).
 */
export function drawingMlShapes(xml: string): DrawingShape[] {
  const out: DrawingShape[] = [];
  const groups: Transform[] = [];
  const ends: number[] = [];
  DRAWINGML.lastIndex = 0;
  for (let m = DRAWINGML.exec(xml); m && out.length < MAX_SHAPES; m = DRAWINGML.exec(xml)) {
    if (m[1]) {
      if ((m[2] === 'grpSp' || m[2] === 'wgp') && ends.length) {
        groups.pop();
        ends.pop();
      }
      continue;
    }
    if (m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    if (m[2] === 'grpSp' || m[2] === 'wgp') {
      // The group's own properties come before its first child.
      FIRST_CHILD.lastIndex = start;
      const firstChild = FIRST_CHILD.exec(xml);
      const f = xfrmOf(xml.slice(start, firstChild ? firstChild.index : Math.min(xml.length, start + 4096)));
      const t: Transform = { x: 0, y: 0, sx: 1, sy: 1 };
      if (f && Number.isFinite(f.x) && Number.isFinite(f.y)) {
        const sx = f.cw > 0 && f.w >= 0 ? f.w / f.cw : 1;
        const sy = f.ch > 0 && f.h >= 0 ? f.h / f.ch : 1;
        t.sx = sx;
        t.sy = sy;
        t.x = f.x - (Number.isFinite(f.cx) ? f.cx : 0) * sx;
        t.y = f.y - (Number.isFinite(f.cy) ? f.cy : 0) * sy;
      }
      groups.push(t);
      ends.push(start);
      continue;
    }
    const end = closeOf(xml, m[0].slice(1, m[0].search(/[\s/>]/)), start);
    const inner = xml.slice(start, end);
    DRAWINGML.lastIndex = end;
    const f = xfrmOf(inner);
    const placeholder = placeholderKeys(inner);
    if (!f && !placeholder) continue;
    let { x, y, w, h } = f ?? { x: NaN, y: NaN, w: NaN, h: NaN };
    for (let i = groups.length - 1; i >= 0; i--) {
      const g = groups[i];
      x = g.x + x * g.sx;
      y = g.y + y * g.sy;
      w *= g.sx;
      h *= g.sy;
    }
    out.push({ x, y, w, h, text: xmlToText(inner), ...(placeholder ? { placeholder } : {}) });
  }
  return out;
}

/** The DrawingML shapes of a part that have a box and text (drawingMlShapes). */
export const drawingMlBoxes = (xml: string): ShapeBox[] =>
  drawingMlShapes(xml)
    .filter((s) => Number.isFinite(s.x) && s.text.trim())
    .map(({ x, y, w, h, text }) => ({ x, y, w, h, text }));

/** A slide layout or master as its slides use it: its shapes, and whether it hides its master's (showMasterSp="0"). */
export interface SlideLayer {
  shapes: DrawingShape[];
  hidesMaster: boolean;
}

/** Whether a slide's or a layout's root hides what its layout and master show (showMasterSp="0"). */
const hidesMaster = (xml: string): boolean =>
  /^\s*(?:0|false)\s*$/i.test(attr(/<p:(?:sld|sldLayout)(?=[\s>])[^>]*>/.exec(xml)?.[0] ?? '', 'showMasterSp') ?? '1');

/** A layout's or master's markup read once for all the slides that use it. */
export const slideLayer = (xml: string): SlideLayer => ({ shapes: drawingMlShapes(xml), hidesMaster: hidesMaster(xml) });

/**
 * What a slide shows, by position: its own shapes, a placeholder without a box placed where its layout's
 * (or else its master's) placeholder of the same index or type stands, and the layout's and the master's
 * own shapes that are no placeholders (a logo text, a stamp drawn on the layout), which every slide shows
 * unless it or its layout hides them (showMasterSp="0"). The layout's and master's placeholders are not
 * added: their prompt text is not shown on a slide.
 */
export function slideBoxes(slide: string, layout: SlideLayer | null, master: SlideLayer | null): ShapeBox[] {
  const layers = [layout?.shapes ?? [], master?.shapes ?? []];
  const placed = (keys: string[]): ShapeBox | undefined => {
    for (const layer of layers)
      for (const key of keys) {
        const found = layer.find((s) => s.placeholder?.includes(key) && Number.isFinite(s.x));
        if (found) return found;
      }
    return undefined;
  };
  const out: ShapeBox[] = [];
  for (const s of drawingMlShapes(slide)) {
    const at = Number.isFinite(s.x) || !s.placeholder ? s : placed(s.placeholder);
    if (at && s.text.trim()) out.push({ x: at.x, y: at.y, w: at.w, h: at.h, text: s.text });
  }
  const hidden = hidesMaster(slide);
  const shown = [!hidden && layout ? layers[0] : [], !hidden && layout && !layout.hidesMaster ? layers[1] : []];
  for (const layer of shown) for (const s of layer) if (!s.placeholder && Number.isFinite(s.x) && s.text.trim()) out.push({ x: s.x, y: s.y, w: s.w, h: s.h, text: s.text });
  return out;
}

/** EMU in a VML length's unit (VML's own default unit is the pixel). */
const VML_EMU: Record<string, number> = { pt: 12700, in: 914400, cm: 360000, mm: 36000, pc: 152400, px: 9525, emu: 1 };

/** A VML style length ("12.5pt", "1in", "-3cm") in EMU; 0 when absent, NaN when unreadable. */
function vmlLength(style: string, name: string): number {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]*)`, 'i').exec(style);
  if (!m) return 0;
  const v = /^(-?[\d.]+(?:e-?\d+)?)\s*([a-z]*)\s*$/i.exec(m[1].trim());
  const k = v && VML_EMU[(v[2] || 'px').toLowerCase()];
  return v && k ? Number(v[1]) * k : NaN;
}

/** A VML style property's keyword ("page", "absolute"), lower case, or ''. */
const vmlWord = (style: string, name: string) => new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([\\w-]+)`, 'i').exec(style)?.[1].toLowerCase() ?? '';

/** VML's names for what a shape's offsets are measured from, as DrawingML's (wp:positionH/V relativeFrom). */
const VML_FROM: Record<string, string> = { text: 'column', char: 'character' };
const VML_FROM_V: Record<string, string> = { text: 'paragraph', char: 'line' };

/** A VML shape element: the ones that hold a text box. */
const VML_SHAPE = /<(v:shape|v:rect|v:roundrect|v:oval|v:group)(?=[\s/>])[^>]*>/g;

/**
 * The text boxes of one w:pict (Word 2007-compatible files and converters write text boxes as VML only:
 * v:shape > v:textbox > w:txbxContent), placed by their style: position:absolute with left/top and
 * margin-left/margin-top (Word's own), in EMU like wp:anchor's offsets, measured from what
 * mso-position-horizontal-relative / -vertical-relative name (column and paragraph when absent). A shape
 * aligned rather than offset (mso-position-horizontal:center), one in a v:group (its own coordinate
 * space), and an inline one are left to the storage reading.
 */
function vmlBoxes(pict: string): { hFrom: string; vFrom: string; box: ShapeBox }[] {
  const out: { hFrom: string; vFrom: string; box: ShapeBox }[] = [];
  VML_SHAPE.lastIndex = 0;
  for (let m = VML_SHAPE.exec(pict); m; m = VML_SHAPE.exec(pict)) {
    if (m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    const end = closeOf(pict, m[1], start);
    VML_SHAPE.lastIndex = end;
    const style = attr(m[0], 'style') ?? '';
    if (m[1] === 'v:group' || vmlWord(style, 'position') !== 'absolute') continue;
    const aligned = (p: string) => !['', 'absolute'].includes(vmlWord(style, p));
    if (aligned('mso-position-horizontal') || aligned('mso-position-vertical')) continue;
    const inner = pict.slice(start, end);
    const box = inner.search(/<v:textbox\b/);
    const text = box < 0 ? '' : xmlToText(inner.slice(box));
    if (!text.trim()) continue;
    const h = vmlWord(style, 'mso-position-horizontal-relative') || 'text';
    const v = vmlWord(style, 'mso-position-vertical-relative') || 'text';
    out.push({
      hFrom: VML_FROM[h] ?? h,
      vFrom: VML_FROM_V[v] ?? v,
      box: {
        x: vmlLength(style, 'left') + vmlLength(style, 'margin-left'),
        y: vmlLength(style, 'top') + vmlLength(style, 'margin-top'),
        w: vmlLength(style, 'width'),
        h: vmlLength(style, 'height'),
        text,
      },
    });
  }
  return out;
}

/**
 * Word's floating shapes (wp:anchor with offsets, their text in wps:txbx; and VML text boxes, w:pict, when
 * they are not the fallback copy of a DrawingML one), grouped by frame of reference: what the offsets are
 * measured from (page, margin, column, paragraph…), and for a paragraph or a line the paragraph itself.
 * Shapes inside text boxes are not followed.
 */
export function wordAnchorGroups(xml: string): ShapeBox[][] {
  const groups = new Map<string, ShapeBox[]>();
  const re = /<(\/?)(w:p|w:txbxContent|wp:anchor|mc:Fallback|w:pict)(?=[\s/>])[^>]*>/g;
  let paragraph = -1;
  let count = 0;
  const add = (hFrom: string, vFrom: string, box: ShapeBox) => {
    const key = `${hFrom}|${vFrom}|${vFrom === 'paragraph' || vFrom === 'line' ? paragraph : ''}`;
    const list = groups.get(key) ?? [];
    list.push(box);
    groups.set(key, list);
    count++;
  };
  for (let m = re.exec(xml); m && count < MAX_SHAPES; m = re.exec(xml)) {
    if (m[1] || m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    if (m[2] === 'w:p') {
      paragraph = m.index;
      continue;
    }
    // A text box's own paragraphs, and the VML copy of a shape, are skipped.
    const end = closeOf(xml, m[2], start);
    re.lastIndex = end;
    const inner = xml.slice(start, end);
    if (m[2] === 'w:pict') for (const b of vmlBoxes(inner)) add(b.hFrom, b.vFrom, b.box);
    if (m[2] !== 'wp:anchor') continue;
    const h = /<wp:positionH\b([^>]*)>([\s\S]*?)<\/wp:positionH>/.exec(inner);
    const v = /<wp:positionV\b([^>]*)>([\s\S]*?)<\/wp:positionV>/.exec(inner);
    const ext = /<wp:extent\b[^>]*>/.exec(inner)?.[0] ?? '';
    const off = (s: string) => num(/<wp:posOffset>\s*(-?\d+)\s*<\/wp:posOffset>/.exec(s)?.[1]);
    if (!h || !v) continue;
    const hFrom = attr(`<x ${h[1]}>`, 'relativeFrom') ?? '';
    const vFrom = attr(`<x ${v[1]}>`, 'relativeFrom') ?? '';
    const box = inner.search(/<wps:txbx\b/);
    const text = box < 0 ? '' : xmlToText(inner.slice(box));
    if (!text.trim()) continue;
    add(hFrom, vFrom, { x: off(h[2]), y: off(v[2]), w: num(attr(ext, 'cx')), h: num(attr(ext, 'cy')), text });
  }
  return [...groups.values()];
}

/** A chart's size when its frame is not looked up: Excel's default chart, 5 by 3 inches, in points. */
const CHART_W = 360;
const CHART_H = 216;

/** A text's box in points, from its font size: a full-width character a font size wide, any other about half that. */
function textBox(x: number, y: number, size: number, text: string): ShapeBox {
  let w = 0;
  for (const c of text.trim()) w += (c.codePointAt(0) ?? 0) >= 0x2e80 ? size : size * 0.55;
  return { x, y, w, h: size * 1.2, text };
}

/**
 * A chart's texts that a user places (chartN.xml): the chart's title and its axes' titles where a manual
 * layout puts them (c:manualLayout, x and y as fractions of the chart, measured from its edge), and the
 * text boxes drawn over the chart (its user shapes: cdr:relSizeAnchor from/to as fractions, or
 * cdr:absSizeAnchor's EMU extent), in points on a chart of Excel's default size (the frame holding the chart
 * is not looked up: only the ratio of the chart's sides matters, and the default's is the common one). A
 * title the chart places itself (no manual layout, or one measured from that place) is left to the storage
 * reading, which has it next to the chart's other texts.
 */
export function chartBoxes(chart: string, userShapes: string | null): ShapeBox[] {
  const out: ShapeBox[] = [];
  for (const m of chart.matchAll(/<c:title(?=[\s>])[^>]*>/g)) {
    const start = m.index + m[0].length;
    const inner = chart.slice(start, closeOf(chart, 'c:title', start));
    const layout = /<c:manualLayout\b[^>]*>([\s\S]*?)<\/c:manualLayout>/.exec(inner)?.[1] ?? '';
    const val = (name: string) => attr(new RegExp(`<c:${name}\\b[^>]*>`).exec(layout)?.[0] ?? '', 'val');
    if (!layout || (val('xMode') ?? 'factor') !== 'edge' || (val('yMode') ?? 'factor') !== 'edge') continue;
    const body = /<c:(rich|strCache)\b[\s\S]*?<\/c:\1>/.exec(inner)?.[0] ?? '';
    const text = xmlToText(body);
    const sz = num(/\bsz="(\d+)"/.exec(body)?.[1]) / 100;
    if (text.trim()) out.push(textBox(num(val('x')) * CHART_W, num(val('y')) * CHART_H, sz > 0 ? sz : 12, text));
  }
  if (!userShapes) return out;
  const re = /<cdr:(relSizeAnchor|absSizeAnchor)(?=[\s>])[^>]*>/g;
  for (let m = re.exec(userShapes); m && out.length < MAX_SHAPES; m = re.exec(userShapes)) {
    const start = m.index + m[0].length;
    const end = closeOf(userShapes, `cdr:${m[1]}`, start);
    re.lastIndex = end;
    const inner = userShapes.slice(start, end);
    const at = (name: string) => {
      const p = new RegExp(`<cdr:${name}>([\\s\\S]*?)</cdr:${name}>`).exec(inner)?.[1] ?? '';
      return [num(/<cdr:x>\s*([^<]*)</.exec(p)?.[1]), num(/<cdr:y>\s*([^<]*)</.exec(p)?.[1])];
    };
    const [x, y] = at('from');
    let w: number;
    let h: number;
    if (m[1] === 'relSizeAnchor') {
      const [x2, y2] = at('to');
      [w, h] = [(x2 - x) * CHART_W, (y2 - y) * CHART_H];
    } else {
      const ext = /<cdr:ext\b[^>]*>/.exec(inner)?.[0] ?? '';
      [w, h] = [num(attr(ext, 'cx')) / 12700, num(attr(ext, 'cy')) / 12700];
    }
    // The shape's text, not the anchor's numbers.
    const body = inner.search(/<cdr:txBody\b/);
    const text = body < 0 ? '' : xmlToText(inner.slice(body));
    if (text.trim()) out.push({ x: x * CHART_W, y: y * CHART_H, w, h, text });
  }
  return out;
}

const ODF_SHAPE = /<(\/?)(draw:frame|draw:custom-shape|draw:rect|draw:ellipse|draw:circle|draw:polygon|draw:path|draw:regular-polygon|draw:caption|draw:g|text:p|text:h)(?=[\s/>])[^>]*>/g;

/** An ODF length in millimetres ("1.5cm", "0.6in", "12pt"), or NaN. */
function mm(s: string | null): number {
  const m = s && /^\s*(-?[\d.]+(?:e-?\d+)?)\s*(cm|mm|in|pt|pc|px)?\s*$/i.exec(s);
  if (!m) return NaN;
  const k = { cm: 10, mm: 1, in: 25.4, pt: 25.4 / 72, pc: 25.4 / 6, px: 25.4 / 96 }[(m[2] ?? 'mm').toLowerCase() as 'mm'];
  return Number(m[1]) * k;
}

/**
 * OpenDocument drawing objects with their boxes (mm), grouped by frame of reference: the page (or the
 * drawing page, the sheet) for shapes anchored there, and the paragraph for shapes anchored to one.
 */
export function odfShapeGroups(xml: string, keep: (tag: string) => boolean = () => true): ShapeBox[][] {
  const groups = new Map<string, ShapeBox[]>();
  let paragraph = -1;
  let count = 0;
  ODF_SHAPE.lastIndex = 0;
  for (let m = ODF_SHAPE.exec(xml); m && count < MAX_SHAPES; m = ODF_SHAPE.exec(xml)) {
    if (m[1] || m[0].endsWith('/>') || m[2] === 'draw:g') continue;
    if (m[2] === 'text:p' || m[2] === 'text:h') {
      paragraph = m.index;
      continue;
    }
    const start = m.index + m[0].length;
    const end = closeOf(xml, m[2], start);
    ODF_SHAPE.lastIndex = end;
    const tag = m[0];
    if (!keep(tag)) continue;
    let x = mm(attr(tag, 'svg:x'));
    let y = mm(attr(tag, 'svg:y'));
    // A turned shape gives its place in draw:transform (… translate(x y)).
    const t = /translate\s*\(\s*([^\s,)]+)[\s,]+([^\s,)]+)\s*\)/.exec(attr(tag, 'draw:transform') ?? '');
    if (t && !Number.isFinite(x)) [x, y] = [mm(t[1]), mm(t[2])];
    const text = xmlToText(xml.slice(start, end));
    if (!text.trim()) continue;
    const anchor = attr(tag, 'text:anchor-type') ?? '';
    const key = `${anchor}|${anchor === 'paragraph' || anchor === 'char' || anchor === 'as-char' ? paragraph : ''}`;
    const list = groups.get(key) ?? [];
    list.push({ x, y, w: mm(attr(tag, 'svg:width')), h: mm(attr(tag, 'svg:height')), text });
    groups.set(key, list);
    count++;
  }
  return [...groups.values()];
}

const MASTER_PAGE = /<style:master-page\b[^>]*>/g;

/**
 * The shapes of each master page (by name) that show on the pages using it: a slide master's or Draw
 * master page's own shapes, not its placeholders (`presentation:class`: the title, outline, footer… frames
 * are the slides' templates, and print the slide's own text) nor its notes page.
 */
export function odfMasterShapes(styles: string): Map<string, ShapeBox[]> {
  const out = new Map<string, ShapeBox[]>();
  for (const m of styles.matchAll(MASTER_PAGE)) {
    if (m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    const end = styles.indexOf('</style:master-page>', start);
    if (end < 0) continue;
    const body = styles.slice(start, end).replace(/<presentation:notes\b[\s\S]*?<\/presentation:notes>/g, '');
    const shapes = odfShapeGroups(body, (tag) => attr(tag, 'presentation:class') === null).flat();
    if (shapes.length) out.set(attr(m[0], 'style:name') ?? '', shapes);
  }
  return out;
}

const SVG_TEXT = /<(?:svg:)?text(?=[\s>])[^>]*>/g;

/**
 * An SVG drawing's text elements (LibreOffice Draw's and Impress's export: one per shape), each placed at
 * its first x, y (a baseline) and as tall as its font size; its width is guessed from its characters (a
 * full-width one a font size wide, any other half that). Transforms are not followed.
 */
export function svgTextBoxes(xml: string): ShapeBox[] {
  const out: ShapeBox[] = [];
  SVG_TEXT.lastIndex = 0;
  for (let m = SVG_TEXT.exec(xml); m && out.length < MAX_SHAPES; m = SVG_TEXT.exec(xml)) {
    const start = m.index + m[0].length;
    const end = xml.indexOf('</', start) < 0 ? xml.length : closeOf(xml, m[0].startsWith('<svg:') ? 'svg:text' : 'text', start);
    SVG_TEXT.lastIndex = end;
    const whole = xml.slice(m.index, end);
    const text = xmlToText(whole);
    if (!text.trim()) continue;
    const x = num(/\bx\s*=\s*["']\s*(-?[\d.]+)/.exec(whole)?.[1]);
    const y = num(/\by\s*=\s*["']\s*(-?[\d.]+)/.exec(whole)?.[1]);
    const size = num(/font-size\s*[=:]\s*["']?\s*([\d.]+)/.exec(whole)?.[1] ?? '16');
    if (!(size > 0)) continue;
    let w = 0;
    for (const c of text.trim()) w += (c.codePointAt(0) ?? 0) >= 0x2e80 ? size : size / 2;
    out.push({ x, y: y - size, w, h: size, text });
  }
  return out;
}
