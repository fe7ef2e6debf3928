/**
 * The files under the folders of a drop (drop.ts), read through the entries taken while the drop was
 * dispatched. In the bundle loaded on first use (ui-entry.ts): a folder's files are scanned next, which
 * needs that bundle anyway, so no frame carries this walk at document_start.
 */

function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  return new Promise((resolve) => {
    const next = () =>
      reader.readEntries(
        (batch) => {
          if (batch.length === 0) return resolve(out);
          out.push(...batch);
          next();
        },
        () => resolve(out),
      );
    next();
  });
}

/** Every file under the dropped entries, named by its path inside the drop. */
export async function walk(entries: FileSystemEntry[]): Promise<{ file: File; path: string }[]> {
  const out: { file: File; path: string }[] = [];
  const visit = async (en: FileSystemEntry): Promise<void> => {
    if (en.isFile) {
      const file = await new Promise<File | null>((res) => (en as FileSystemFileEntry).file(res, () => res(null)));
      if (file) out.push({ file, path: en.fullPath.replace(/^\//, '') });
    } else if (en.isDirectory) {
      for (const child of await readAll(en as FileSystemDirectoryEntry)) await visit(child);
    }
  };
  for (const en of entries) await visit(en);
  return out;
}
