/** The developers' corpus (../shared/corpus) and its manifest of expected verdicts. */
import { openAsBlob } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS_DIR = resolve(process.env.UPLOAD_GUARD_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'));

export interface CorpusEntry {
  file: string;
  expect: 'marked' | 'clean' | 'unscannable';
  by: 'content' | 'name' | 'both' | 'archive-member' | null;
  where: string;
  note: string;
}

export function corpus(): CorpusEntry[] {
  return JSON.parse(readFileSync(join(CORPUS_DIR, 'MANIFEST.json'), 'utf8')) as CorpusEntry[];
}

export const corpusPath = (file: string): string => join(CORPUS_DIR, file);
export const inCorpus = (file: string): boolean => existsSync(corpusPath(file));
export const corpusBlob = (file: string): Promise<Blob> => openAsBlob(corpusPath(file));
