/**
 * Display names of services, from the collector's own list (the shipped catalogue). Never from events:
 * any holder of the ingest token can put any serviceName in an event. A service the catalogue does not
 * know (an admin's own) is shown by its id.
 */
import { DEFAULT_SERVICES } from '../policy/defaults.js';

const NAMES = new Map(DEFAULT_SERVICES.map((s) => [s.id, s.name]));

export function serviceName(id: string | null | undefined): string | null {
  return (id && NAMES.get(id)) || null;
}

/** Lower-cased id and display name → id: what an admin types finds the service either way. */
const BY_WORD = new Map<string, string>(DEFAULT_SERVICES.flatMap((s) => [[s.id.toLowerCase(), s.id], [s.name.normalize('NFKC').toLowerCase(), s.id]] as [string, string][]));

/**
 * Service filters as ids: `Gmail`, `gmail` and `GMAIL` are all `gmail`. A word the catalogue does not
 * know stays as given (an admin's own service id).
 */
export function resolveServices(words: readonly string[]): string[] {
  return [...new Set(words.map((w) => BY_WORD.get(w.normalize('NFKC').toLowerCase()) ?? w))];
}

/** The catalogue's services (id, display name, category), for the admin page's picker. */
export function knownServices(): { id: string; name: string; category: string }[] {
  return DEFAULT_SERVICES.map((s) => ({ id: s.id, name: s.name, category: s.category }));
}
