/**
 * Whether an Office 2003 XML document (Excel's "XML Spreadsheet", Word's "XML Document": one XML file)
 * is whole: it ends with its root element's end tag. Cut short (a copy interrupted, a report writer that
 * failed half-way), it still read as markup up to the cut, and what stood past it (the later sheets, the
 * page setup's header and footer) was lost in silence: clean. Excel and Word refuse such a file; it is
 * damaged, as a cut flat OpenDocument file is (html.ts) and a package's part (xml-ends.ts).
 */

// What may stand before the root element: a byte-order mark, blanks, the XML declaration and the
// `<?mso-application …?>` instruction, comments. Each ends at its first `?>` or `-->` (no lazy run).
const ROOT = /^\uFEFF?\s*((?:<\?[^?]*(?:\?(?!>)[^?]*)*\?>\s*|<!--[^-]*(?:-(?!->)[^-]*)*-->\s*)*)<((?:[\w.-]+:)?(?:Workbook|wordDocument))\b([^>]*)(>?)/;
/** The namespaces that make the root an Office 2003 one (a `<Workbook>` of another vocabulary is not). */
const OFFICE_2003 = /urn:schemas-microsoft-com:office:spreadsheet|schemas\.microsoft\.com\/office\/word\/2003\/wordml/;
/** Or the instruction Excel and Word write before the root, for a root start tag cut before its namespaces. */
const MSO_APPLICATION = /<\?mso-application\s+progid="(?:Excel\.Sheet|Word\.Document)"/;

/** Why an Office 2003 XML document is not whole, or null (also for any other markup). */
export function office2003XmlCut(markup: string): string | null {
  const m = ROOT.exec(markup.slice(0, 4096));
  if (!m || !(OFFICE_2003.test(m[3]) || MSO_APPLICATION.test(m[1]))) return null;
  const root = m[2];
  const end = new RegExp(`</${root}\\s*>(?:[\\s\\0]|<!--(?:[^-]|-(?!->))*-->)*$`);
  if (end.test(markup.slice(-4096))) return null;
  return `the ${/Workbook$/.test(root) ? 'XML Spreadsheet' : 'Word XML'} file ends before </${root}> (cut short)`;
}
