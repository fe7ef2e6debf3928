import { readFileSync } from 'node:fs';

/** The shared developer corpus (MARKINGS.md examples made by real software). */
export const CORPUS = '/work/shared/corpus';
export function corpus(name: string): Buffer {
  return readFileSync(`${CORPUS}/${name}`);
}
