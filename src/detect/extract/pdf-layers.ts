/**
 * Optional content (layers): text inside marked content `/OC /name BDC … EMC`, or a form XObject with
 * an `/OC` entry, is drawn only while its layer (optional content group) is on. A layer the document's
 * default configuration turns off (`/OCProperties << /D << /OFF [...] >> >>`, or `/BaseState /OFF`)
 * is not shown by Acrobat, pdf.js, mutool or pdftotext: 「秘」, 「書室」 on a layer that is off, then
 * 「 Confidential」 shows 「秘 Confidential」 (a pdf-lib drawing with its layers, a CAD or map export).
 * The page is read both ways: with every layer (as before) and, when a layer is off, without the
 * layers that are off.
 */
import { Dict, Ref, type Obj, type PdfDoc } from './pdf-parse.js';

/** Object numbers of the optional content groups that the default configuration turns off; empty when none. */
export function hiddenLayers(doc: PdfDoc): Set<number> {
  const hidden = new Set<number>();
  const props = doc.dict(doc.dict(doc.trailer.get('Root'))?.get('OCProperties'));
  const d = doc.dict(props?.get('D'));
  if (!props || !d) return hidden;
  const nums = (o: Obj | undefined): number[] => {
    const a = doc.resolve(o);
    return Array.isArray(a) ? a.flatMap((x) => (x instanceof Ref ? [x.num] : [])) : [];
  };
  if (doc.resolve(d.get('BaseState')) === 'OFF') {
    const on = new Set(nums(d.get('ON')));
    for (const n of nums(props.get('OCGs'))) if (!on.has(n)) hidden.add(n);
  }
  for (const n of nums(d.get('OFF'))) hidden.add(n);
  return hidden;
}

/**
 * Whether optional content named by `ref` (an optional content group, or a membership dictionary of
 * groups) is off. A membership dictionary's policy: /AnyOn (the default) is off when all its groups are,
 * /AllOn when any is, /AnyOff when none is, /AllOff when all are on. A visibility expression (/VE) is
 * taken as shown (read as before).
 */
export function layerOff(doc: PdfDoc, ref: Obj | undefined, hidden: ReadonlySet<number>): boolean {
  if (!(ref instanceof Ref)) return false;
  if (hidden.has(ref.num)) return true;
  const md = doc.resolve(ref);
  if (!(md instanceof Dict) || doc.resolve(md.get('Type')) !== 'OCMD' || md.has('VE')) return false;
  const g = doc.resolve(md.get('OCGs'));
  const groups = (Array.isArray(g) ? g : [md.get('OCGs')]).filter((x): x is Ref => x instanceof Ref);
  if (groups.length === 0) return false;
  const off = groups.filter((x) => hidden.has(x.num)).length;
  switch (doc.resolve(md.get('P'))) {
    case 'AllOn':
      return off > 0;
    case 'AnyOff':
      return off === 0;
    case 'AllOff':
      return off < groups.length;
    default:
      return off === groups.length;
  }
}
