/**
 * An EPUB (a ZIP whose `mimetype` member says application/epub+zip) is read as the archive it is, each
 * member on its own. Its package document (the OPF that META-INF/container.xml names: title, subject,
 * the list of chapters) and the chapters that document lists are the book: one missing is a book that
 * lost text (readers refuse it, or show a chapter empty), not an archive that happens to hold less. The
 * container and package documents are XML that must be whole (xml-ends.ts): read as a member, a package
 * document cut before its subject was an archive member that held no stamp.
 */
import { readZipEntry, type ZipEntry } from './zip-reader.js';
import { resolvePath } from './xlsb.js';
import { attr } from './xml-text.js';
import { XmlEnds } from './xml-ends.js';
import type { ExtractContext, Extracted } from './types.js';

const EPUB = 'application/epub+zip';
/** Members larger than this are not parsed for names (a container or package document is a few KB). */
const MAX_LIST = 4 << 20;

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The package documents and chapters of an EPUB that its lists name and the archive lacks. */
export async function* missingBookParts(blob: Blob, entries: ZipEntry[], ctx: ExtractContext): AsyncGenerator<Extracted> {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const mimetype = byName.get('mimetype');
  const container = byName.get('META-INF/container.xml');
  if (!mimetype || !container || mimetype.size > 64 || container.size > MAX_LIST) return;
  const text = async (e: ZipEntry) => new TextDecoder().decode(await readZipEntry(blob, e, ctx));
  if ((await text(mimetype)).trim() !== EPUB) return;
  /** An XML list's text, and why it is not whole markup (or null). */
  const list = async (e: ZipEntry): Promise<[string, string | null]> => {
    const bytes = await readZipEntry(blob, e, ctx);
    const ends = new XmlEnds();
    ends.push(bytes);
    return [new TextDecoder().decode(bytes), ends.damage()];
  };
  const damaged = (path: string, why: string): Extracted => ({ kind: 'unscannable', reason: 'corrupt', detail: `the part ${path} is damaged: ${why}`, where: { part: path } });
  const missing = (what: string, path: string, by: string): Extracted => ({
    kind: 'unscannable',
    reason: 'corrupt',
    detail: `the e-book's ${what} ${path} that ${by} names is missing`,
    where: { part: path },
  });
  const [rootfiles, containerDamage] = await list(container);
  if (containerDamage) yield damaged(container.name, containerDamage);
  for (const [tag] of rootfiles.matchAll(/<rootfile\b[^>]*>/g)) {
    const path = decoded(attr(tag, 'full-path') ?? '');
    if (!path) continue;
    const opf = byName.get(path);
    if (!opf) {
      yield missing('package document', path, 'META-INF/container.xml');
      continue;
    }
    if (opf.size > MAX_LIST) continue;
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    const [manifest, opfDamage] = await list(opf);
    if (opfDamage) yield damaged(path, opfDamage);
    for (const [item] of manifest.matchAll(/<item\b[^>]*>/g)) {
      const href = attr(item, 'href');
      if (!href || /^[a-z][\w+.-]*:/i.test(href) || !/xhtml|html|dtbncx/i.test(attr(item, 'media-type') ?? '')) continue;
      const target = resolvePath(dir + decoded(href.replace(/#.*$/, '')));
      if (!byName.has(target)) yield missing('chapter', target, path);
    }
  }
}

