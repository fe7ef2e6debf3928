/**
 * Where the compatibility and technique suites run, and under which policy.
 *
 * The guard runs on listed services (`scope: "listed"`, the default). When the policy schema knows
 * `scope`, the suites also run on a host no catalogue lists, with `scope: "everywhere"`; the control
 * host (where nothing is guarded, so every technique must work) is then an `allow` entry instead of an
 * unlisted host. One policy covers every target, so a suite needs one browser launch.
 */
import { readFileSync } from 'node:fs';

/** A listed service (Google Drive: category storage). */
export const LISTED_HOST = 'drive.google.com';
/** A host on no list: guarded only with scope "everywhere". */
export const UNLISTED_HOST = 'uploads.example.net';
/** Never guarded: unlisted under "listed", allowed under "everywhere". */
export const CONTROL_HOST = 'intranet.example.org';

function schemaKnowsScope(): boolean {
  const schema = JSON.parse(readFileSync(new URL('../../../extension/policy-schema.json', import.meta.url), 'utf8')) as {
    properties?: Record<string, unknown>;
  };
  return 'scope' in (schema.properties ?? {});
}

export const EVERYWHERE = schemaKnowsScope();

/** Hosts where the guard must stop marked uploads. */
export const GUARDED = EVERYWHERE ? [LISTED_HOST, UNLISTED_HOST] : [LISTED_HOST];

/** The managed policy the suites launch with (undefined: shipped defaults). */
export const POLICY: Record<string, unknown> | undefined = EVERYWHERE ? { scope: 'everywhere', allow: [CONTROL_HOST] } : undefined;
