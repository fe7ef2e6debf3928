/**
 * release.json: what `npm run package` produced, read by the collector to serve the packages.
 * One schema for writer and reader, so the two cannot drift.
 */
import { z } from 'zod';

const fileName = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'a plain file name').refine((s) => s !== '.' && s !== '..');

export const ReleaseSchema = z.strictObject({
  name: z.literal('upload-guard'),
  version: z.string().regex(/^\d{1,9}(\.\d{1,9}){0,3}$/, 'a Chrome version: 1 to 4 dot-separated integers'),
  chrome: z.strictObject({
    id: z.string().regex(/^[a-p]{32}$/, '32 letters a–p'),
    crx: fileName.nullable(),
    zip: fileName.nullable(),
  }),
  firefox: z.strictObject({
    id: z.string().min(1).max(80).regex(/^[\w.@{}-]+$/),
    xpi: fileName.nullable(),
  }),
  sha256: z.record(fileName, z.string().regex(/^[0-9a-f]{64}$/)),
  builtAt: z.iso.datetime(),
});

export type Release = z.infer<typeof ReleaseSchema>;

export const RELEASE_FILE = 'release.json';
