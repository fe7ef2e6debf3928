/**
 * Roles and the table that gives every admin route its minimum role. Enforced for every request by
 * plugins/sessions.ts; a route under /v1/admin/ or /v1/auth/ that is missing from the table is refused
 * (fail closed), and test/integration/accounts-routes.test.ts walks every registered route so a new one
 * without a row here fails the tests.
 */

/** viewer: aggregates only (no file names, users or event rows); investigator: events, export, triage; admin: everything. */
export type Role = 'viewer' | 'investigator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'investigator', 'admin'];

const RANK: Record<Role, number> = { viewer: 1, investigator: 2, admin: 3 };

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** Whether `role` may do what `min` may. */
export const atLeast = (role: Role, min: Role): boolean => RANK[role] >= RANK[min];

/** The highest of several roles (a person in two mapped groups), or null for none. */
export function highest(roles: readonly Role[]): Role | null {
  let best: Role | null = null;
  for (const r of roles) if (best === null || RANK[r] > RANK[best]) best = r;
  return best;
}

export interface RouteRule {
  /**
   * 'public': no sign-in (the sign-in routes themselves); 'signed-in': any role; otherwise the minimum role.
   */
  role: Role | 'public' | 'signed-in';
  /** An audit action recorded for every answered request (reads worth recording: searches, exports). */
  audit?: string;
  /**
   * With `audit`: recorded once per credential (a session, a token) and route in this many minutes, the
   * next entry saying how many views came between (`viewsBetween`): a list the admin page reloads after
   * every change would otherwise flood the log with the same fact.
   */
  auditOncePerMinutes?: number;
}

/**
 * `METHOD /path` as registered (Fastify's routeOptions.url) → rule. HEAD routes follow their GET.
 * Other helpers adding an admin route add its row here.
 */
export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  // Aggregates: what a viewer sees.
  'GET /v1/admin/summary': { role: 'viewer' },
  'GET /v1/admin/fleet': { role: 'viewer' },
  'GET /v1/admin/alerts': { role: 'viewer' },
  // Event rows, file names, users: investigators.
  'GET /v1/admin/events': { role: 'investigator', audit: 'search' },
  'GET /v1/admin/export': { role: 'investigator', audit: 'export' },
  'GET /v1/admin/devices': { role: 'investigator', audit: 'devices.view' },
  'GET /v1/admin/services': { role: 'viewer' },
  'GET /v1/admin/incident-settings': { role: 'viewer' },
  // Incidents name users and files; triage changes are recorded by the route with what changed.
  'GET /v1/admin/incidents': { role: 'investigator', audit: 'incidents.search' },
  'GET /v1/admin/incidents/:id': { role: 'investigator', audit: 'incidents.read' },
  'PATCH /v1/admin/incidents/:id': { role: 'investigator' },
  'PUT /v1/admin/incident-settings': { role: 'admin' },
  // The periodic report names users and files.
  'GET /v1/admin/report': { role: 'investigator', audit: 'report.download' },
  // Accounts, tokens, audit: admins.
  // Who looked at the list of people and their roles, or of API tokens (names, roles, creators, last
  // use, ends: no secrets), and when: once per session or token per 15 minutes.
  'GET /v1/admin/accounts': { role: 'admin', audit: 'accounts.view', auditOncePerMinutes: 15 },
  'POST /v1/admin/accounts': { role: 'admin' },
  'POST /v1/admin/accounts/invite': { role: 'admin' },
  'PATCH /v1/admin/accounts/:name': { role: 'admin' },
  'DELETE /v1/admin/accounts/:name': { role: 'admin' },
  'GET /v1/admin/tokens': { role: 'admin', audit: 'tokens.view', auditOncePerMinutes: 15 },
  'POST /v1/admin/tokens': { role: 'admin' },
  'DELETE /v1/admin/tokens/:id': { role: 'admin' },
  'GET /v1/admin/audit': { role: 'admin', audit: 'audit.view' },
  // Audit entries the database refused, set aside with its reason (audit-spool.ts).
  'GET /v1/admin/audit/refused': { role: 'admin', audit: 'audit.refused.view' },
  // Sign-in and the session itself.
  'POST /v1/auth/login': { role: 'public' },
  'GET /v1/auth/oidc/start': { role: 'public' },
  'GET /v1/auth/oidc/callback': { role: 'public' },
  'GET /v1/auth/methods': { role: 'public' },
  'GET /v1/auth/me': { role: 'public' }, // answers signedIn: false rather than 401 (see plugins/accounts.ts)
  'POST /v1/auth/logout': { role: 'signed-in' },
};

/** Paths whose routes must have a rule: everything that reads or changes what admins manage. */
export const GUARDED_PREFIXES = ['/v1/admin/', '/v1/auth/'] as const;

export const isGuarded = (url: string): boolean => GUARDED_PREFIXES.some((p) => url.startsWith(p));

export function ruleFor(method: string, url: string): RouteRule | undefined {
  return ROUTE_RULES[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
