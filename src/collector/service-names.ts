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
