import { XmlSyntax } from './xml-syntax.js';

/**
 * Whether an Office 2003 XML document (Excel's "XML Spreadsheet", Word's "XML Document": one XML file)
 * is whole: it ends with its root element's end tag. Cut short (a copy interrupted, a report writer that
 * failed half-way), it still read as markup up to the cut, and what stood past it (the later sheets, the
 * page setup's header and footer) was lost in silence: clean. Excel and Word refuse such a file; it is
 * damaged, as a cut flat OpenDocument file is (html.ts) and a package's part (xml-ends.ts).
 */

/**
 * What may stand before a one-file XML document's root element (group 1): a byte-order mark, blanks, the XML
 * declaration and other processing instructions (Office's `<?mso-application …?>`), comments. Each ends at its
 * first `?>` or `-->`, and the expression says so (no lazy run that could also cross one): a lazy one
 * backtracked through every way to split a run of them, and 30 took minutes.
 */
const PROLOG = String.raw`^\uFEFF?\s*((?:<\?[^?]*(?:\?(?!>)[^?]*)*\?>\s*|<!--[^-]*(?:-(?!->)[^-]*)*-->\s*)*)`;
/** A one-file XML document whose root start tag matches `root` (a pattern) after the prolog; the prolog is group 1. */
export const afterProlog = (root: string): RegExp => new RegExp(PROLOG + root);

const ROOT = afterProlog(String.raw`<((?:[\w.-]+:)?(?:Workbook|wordDocument))\b([^>]*)(>?)`);
/** The namespaces that make the root an Office 2003 one (a `<Workbook>` of another vocabulary is not). */
const OFFICE_2003 = /urn:schemas-microsoft-com:office:spreadsheet|schemas\.microsoft\.com\/office\/word\/2003\/wordml/;
/** Or the instruction Excel and Word write before the root, for a root start tag cut before its namespaces. */
const MSO_APPLICATION = /<\?mso-application\s+progid="(?:Excel\.Sheet|Word\.Document)"/;

/** The root element's name of an Office 2003 XML document (`Workbook`, `w:wordDocument`), or null for any other markup. */
export function office2003Root(markup: string): string | null {
  const m = ROOT.exec(markup.slice(0, 4096));
  return m && (OFFICE_2003.test(m[3]) || MSO_APPLICATION.test(m[1])) ? m[2] : null;
}

/**
 * Whether one-file XML ends with the end tag of its root `root` (prefixed as written): only blanks, a writer's
 * NUL padding and comments may follow it. Looked for in the last 4 KiB.
 */
export function endsWithRoot(markup: string, root: string): boolean {
  return new RegExp(`</${root}\\s*>(?:[\\s\\0]|<!--(?:[^-]|-(?!->))*-->)*$`).test(markup.slice(-4096));
}

/** Why an Office 2003 XML document is not whole, or null (also for any other markup). */
export function office2003XmlCut(markup: string): string | null {
  const root = office2003Root(markup);
  if (!root) return null;
  if (endsWithRoot(markup, root)) return null;
  return `the ${/Workbook$/.test(root) ? 'XML Spreadsheet' : 'Word XML'} file ends before </${root}> (cut short)`;
}

/**
 * Why a one-file XML office document (flat OpenDocument, XML Spreadsheet, Word XML) is not well-formed, or
 * null: an end tag dropped or misspelt, a quote lost, a broken reference (xml-syntax.ts), as a package's
 * part is checked. LibreOffice and Excel refuse such a file; read leniently, a dropped end tag let a hidden
 * cell's or a deleted run's text join the visible text, or lost a formula's cell.
 */
export function flatXmlDamage(markup: string): string | null {
  const syntax = new XmlSyntax();
  syntax.push(new TextEncoder().encode(markup));
  return syntax.damage();
}
