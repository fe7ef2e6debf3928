/**
 * PowerPoint 97-2003 "PowerPoint Document" stream: TextCharsAtom (UTF-16LE), TextBytesAtom
 * (8-bit, the low bytes of UTF-16) and CString atoms, grouped by slide, notes page and master.
 */
import { shapePairs, type ShapeBox } from './shape-pairs.js';
import { withPptBullets } from './ppt-bullets.js';

export interface PptGroup {
  area: string;
  slide?: number;
  notes?: boolean;
  text: string;
}

export interface PptResult {
  encrypted: boolean;
  /** What could not be read, when a record runs past its container or the stream. */
  damaged?: string;
  groups: PptGroup[];
  /** Embedded objects' storages (ExOleObjStg records): as stored, or zlib-compressed after their size. */
  objects: PptObject[];
}

export interface PptObject {
  compressed: boolean;
  data: Uint8Array;
}

const RT = {
  Slide: 0x03ee,
  Notes: 0x03f0,
  NotesAtom: 0x03f1,
  SlidePersistAtom: 0x03f3,
  MainMaster: 0x03f8,
  SlideListWithText: 0x0ff0,
  TextCharsAtom: 0x0fa0,
  TextBytesAtom: 0x0fa8,
  StyleTextPropAtom: 0x0fa1,
  CString: 0x0fba,
  CryptSession10Container: 0x2f14,
  ExOleObjStg: 0x1011,
  /** OfficeArt: a shape's container, its place on the slide (ClientAnchor), and its text's container. */
  SpContainer: 0xf004,
  ClientAnchor: 0xf010,
  /** A placeholder's 1-byte id (RoundTripHFPlaceholder12Atom), in the shape's OfficeArtClientData. */
  RoundTripHFPlaceholder12Atom: 0x0420,
  /** A placeholder shape's atom (OEPlaceholderAtom), in its OfficeArtClientData. */
  OEPlaceholderAtom: 0x0bc3,
};

const MAX_DEPTH = 64;
/** Shapes of a slide kept with their places; past them, the stream order alone. */
const MAX_SHAPES = 4000;

interface Group {
  area: string;
  slide?: number;
  /** Resolved at the end (NotesAtom.slideIdRef → slide number). */
  slideIdRef?: number;
  notes?: boolean;
  parts: string[];
  /** The shapes drawn on it with their places (master units) and text, for the reading by position. */
  shapes?: ShapeBox[];
  /** A main master's own shapes (not its placeholders, which are the slides' templates): drawn on its slides. */
  own?: ShapeBox[];
}

export function readPpt(b: Uint8Array, checkTime: () => void): PptResult {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const groups: Group[] = [];
  const slideIdToNo = new Map<number, number>();
  const other: Group = { area: 'body', parts: [] };
  const strings: Group = { area: 'other text', parts: [] };
  let slideCount = 0;
  let notesCount = 0;
  let encrypted = false;
  const objects: PptObject[] = [];
  let damaged: string | undefined;
  let steps = 0;
  const u16 = new TextDecoder('utf-16le');
  const clean = (s: string) => s.replace(/[\r\x0b]/g, '\n').replace(/[\x00-\x08\x0e-\x1f]/g, '');

  // SlideListWithText state: instance 0 slides, 1 masters, 2 notes.
  let slwtInstance = -1;
  let slwtGroup: Group | null = null;
  let slwtSlideNo = 0;
  let slwtNotesNo = 0;

  // The shape being read (OfficeArtSpContainer), for the reading by position (shape-pairs.ts).
  let shape: ShapeBox | null = null;
  let placeholder = false;
  // The last text atom read, for the StyleTextPropAtom that follows it (its paragraphs' bullets).
  let last: { raw: string; target: Group; index: number; shape: ShapeBox | null; shapeAt: number } | null = null;

  const walk = (start: number, end: number, depth: number, g: Group | null): void => {
    let p = start;
    while (p + 8 <= end) {
      if ((++steps & 8191) === 0) checkTime();
      const verInst = dv.getUint16(p, true);
      const type = dv.getUint16(p + 2, true);
      const len = dv.getUint32(p + 4, true);
      const body = p + 8;
      const stop = Math.min(end, body + len);
      const container = (verInst & 0x0f) === 0x0f;
      if (type === RT.CryptSession10Container) {
        encrypted = true;
        return;
      }
      // Containers nested past MAX_DEPTH are not walked: said (damage or a hostile file), not dropped.
      if (container && depth >= MAX_DEPTH) damaged ??= `records nest more than ${MAX_DEPTH} deep`;
      if (container && depth < MAX_DEPTH) {
        if (type === RT.Slide) {
          const ng: Group = { area: 'body', slide: ++slideCount, parts: [] };
          groups.push(ng);
          walk(body, stop, depth + 1, ng);
        } else if (type === RT.Notes) {
          const ng: Group = { area: 'notes', notes: true, slide: ++notesCount, parts: [] };
          groups.push(ng);
          walk(body, stop, depth + 1, ng);
        } else if (type === RT.MainMaster) {
          const ng: Group = { area: 'master', parts: [], own: [] };
          groups.push(ng);
          walk(body, stop, depth + 1, ng);
        } else if (type === RT.SlideListWithText) {
          const saved = [slwtInstance, slwtGroup] as const;
          slwtInstance = verInst >> 4;
          slwtGroup = null;
          walk(body, stop, depth + 1, g);
          [slwtInstance, slwtGroup] = saved;
        } else if (type === RT.SpContainer && g) {
          const saved = [shape, placeholder] as const;
          shape = { x: NaN, y: NaN, w: NaN, h: NaN, text: '' };
          placeholder = false;
          walk(body, stop, depth + 1, g);
          if (shape.text.trim() && Number.isFinite(shape.x) && (g.shapes ??= []).length < MAX_SHAPES) {
            g.shapes.push(shape);
            if (!placeholder) g.own?.push(shape);
          }
          [shape, placeholder] = saved;
        } else walk(body, stop, depth + 1, g);
      } else if (type === RT.ClientAnchor && shape && stop - body >= 8) {
        // SmallRectStruct (top, left, right, bottom as 16-bit numbers), or RectStruct in 32 bits.
        const wide = stop - body >= 16;
        const at = (i: number) => (wide ? dv.getInt32(body + 4 * i, true) : dv.getInt16(body + 2 * i, true));
        shape.y = at(0);
        shape.x = at(1);
        shape.w = at(2) - shape.x;
        shape.h = at(3) - shape.y;
      } else if (type === RT.OEPlaceholderAtom && shape) {
        placeholder = true;
      } else if (type === RT.SlidePersistAtom && slwtInstance >= 0) {
        const slideId = stop - body >= 16 ? dv.getUint32(body + 12, true) : 0;
        if (slwtInstance === 0) {
          slwtSlideNo++;
          slideIdToNo.set(slideId, slwtSlideNo);
          slwtGroup = { area: 'body', slide: slwtSlideNo, parts: [] };
        } else if (slwtInstance === 2) {
          slwtGroup = { area: 'notes', notes: true, slide: ++slwtNotesNo, parts: [] };
        } else slwtGroup = { area: 'master', parts: [] };
        groups.push(slwtGroup);
      } else if (type === RT.ExOleObjStg) {
        objects.push({ compressed: verInst >> 4 === 1, data: b.subarray(body, stop) });
      } else if (type === RT.NotesAtom && g?.notes && stop - body >= 4) {
        g.slideIdRef = dv.getUint32(body, true);
      } else if (type === RT.TextCharsAtom || type === RT.TextBytesAtom || type === RT.CString) {
        const raw = b.subarray(body, stop);
        const s = type === RT.TextBytesAtom ? latin1(raw) : u16.decode(raw.subarray(0, raw.length & ~1));
        const target = type === RT.CString && !g ? strings : (slwtInstance >= 0 ? slwtGroup : g) ?? other;
        target.parts.push(clean(s));
        last = type === RT.CString ? null : { raw: s, target, index: target.parts.length - 1, shape, shapeAt: shape?.text.length ?? 0 };
        if (shape && shape.text.length < 4096) shape.text += `${clean(s)}\n`;
      } else if (type === RT.StyleTextPropAtom && last) {
        // Its paragraphs' bullet characters, read before them as the slide shows them (ppt-bullets.ts).
        const labelled = withPptBullets(last.raw, b.subarray(body, stop));
        if (labelled !== last.raw) {
          last.target.parts[last.index] = clean(labelled);
          if (last.shape && last.shape.text.length > last.shapeAt) last.shape.text = `${last.shape.text.slice(0, last.shapeAt)}${clean(labelled)}\n`;
        }
        last = null;
      }
      if (len > end - body && !placeholderIdOverrun(type, container, end - body)) {
        damaged = 'a record runs past the end of its container';
        break;
      }
      p = body + len;
    }
  };
  walk(0, b.length, 0, null);
  if (encrypted) return { encrypted, groups: [], objects: [] };
  const result = (groups: PptGroup[]): PptResult => (damaged ? { encrypted, groups, objects, damaged } : { encrypted, groups, objects });

  const out: PptGroup[] = [];
  // A slide shows its master's own shapes under its own: 「秘」 on the slide beside 「Confidential」 on the
  // master (LibreOffice puts a PowerPoint layout's shapes there) reads as one. The slide's master is not
  // looked up (SlideAtom → persist directory): with several masters, each is tried.
  const masters = groups.filter((g) => g.own?.length).map((g) => g.own!);
  for (const g of groups) {
    if (g.slideIdRef !== undefined && slideIdToNo.has(g.slideIdRef)) g.slide = slideIdToNo.get(g.slideIdRef);
    else if (g.slideIdRef === 0) {
      // The notes master.
      g.area = 'master';
      g.slide = undefined;
      g.notes = undefined;
    }
    const text = g.parts.join('\n');
    // Shapes side by side or one under the other, their texts joined (shape-pairs.ts): a circle 「秘」 and
    // a text box 「Confidential」 beside it, with other shapes stored between them.
    const pairs = g.shapes ? shapePairs(g.shapes, checkTime) : '';
    const withMaster = g.shapes && g.area === 'body' && g.slide ? masters.map((m) => shapePairs([...g.shapes!, ...m], checkTime)) : [];
    for (const t of [text, pairs, ...withMaster]) {
      if (!t.trim()) continue;
      const r: PptGroup = { area: g.area, text: t };
      if (g.slide) r.slide = g.slide;
      if (g.notes) r.notes = true;
      out.push(r);
    }
  }
  if (other.parts.length) out.push({ area: other.area, text: other.parts.join('\n') });
  // Unrelated strings (comment text, names): one run each, so two of them never join into a stamp.
  for (const s of new Set(strings.parts)) if (s.trim()) out.push({ area: strings.area, text: s });
  return result(out);
}

/**
 * Apache POI (HSLF, 4.x and later) writes every placeholder's RoundTripHFPlaceholder12Atom, whose body is one
 * byte, with a record length of 8, so in each title or body placeholder it makes (slide.addTitle(), its
 * layouts) that atom claims 7 bytes past the end of its OfficeArtClientData container, whose own length
 * is right; PowerPoint and LibreOffice follow the container and show the slide. The atom holds a number,
 * never text, and the walk goes on at the container's end as written, so nothing is skipped: it is no damage
 * while its one byte is there. Any other record cut by its container's end still is.
 */
function placeholderIdOverrun(type: number, container: boolean, room: number): boolean {
  return type === RT.RoundTripHFPlaceholder12Atom && !container && room >= 1;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 65536) s += String.fromCharCode(...b.subarray(i, i + 65536));
  return s;
}
