/**
 * The upload event: the one source of truth for what the extension sends, what the collector
 * validates and stores, and what docs/events.md documents (generated from these schemas).
 *
 * Design choices (see docs/events.md for the reader-facing version):
 * - Unknown fields are REJECTED, not stripped (`z.strictObject`). An extension that starts sending a
 *   field the collector does not know (an `excerpt`, say) fails loudly in its tests instead of having
 *   the data silently dropped or, worse, silently stored by a later collector. New fields come with a
 *   new `v`; the collector is upgraded before the extensions.
 * - Never file content. The engine's excerpt is document text, so there is no excerpt field at all.
 * - Ids are unique. A `warn` decision is sent at once with `outcome: 'pending'`; the employee's answer
 *   is a SEPARATE event (its own `id`) with `relatesTo` = the pending event's id, the same metadata,
 *   `outcome` 'proceeded' or 'cancelled' and the justification. Storage therefore stays append-only
 *   and exactly-once by id, and an admin sees both the attempt and the answer. A dispute ("this is not
 *   confidential" / "please review") is one more such event: `outcome: 'disputed'`, `relatesTo` = the
 *   decision disputed, the employee's optional comment in `justification`.
 * - Every string has a length cap. Identifiers (id, deviceId, service, versions) reject every control
 *   character; free text (file names, reasons, justification) keeps them (hostile names are evidence)
 *   except NUL, which PostgreSQL's text type cannot store.
 */
import { z } from 'zod';

export const EVENT_SCHEMA_VERSION = 1 as const;

/** How the data was about to leave the page. The extension's wire types (src/guard/protocol.ts) use these unions. */
export const CHANNELS = [
  'file-input',
  'folder-input',
  'drop',
  'paste',
  'form',
  'text-field',
  'fetch',
  'xhr',
  'beacon',
  'websocket',
  'form-data',
  'file-picker',
  'url',
  'message',
  'storage',
  // Stopped (or seen) by the request-level check behind the page hooks, not by a hook.
  'network',
] as const;
/** `other`: a page no listed service matches, guarded because policy `scope` is `everywhere`. */
export const CATEGORIES = ['webmail', 'sharing', 'genai', 'custom', 'other'] as const;
export const VERDICTS = ['marked', 'clean', 'unscannable'] as const;
export const ACTIONS = ['allow', 'block', 'warn', 'audit'] as const;
/** `disputed`: the employee reported the decision as a false positive or asked for a review (relatesTo = the decision). */
export const OUTCOMES = ['blocked', 'allowed', 'proceeded', 'cancelled', 'pending', 'disputed'] as const;
export const RULES = [1, 2, 3] as const;
/** management.ExtensionInstallType, in Chrome and Firefox alike. */
export const INSTALL_TYPES = ['admin', 'development', 'normal', 'sideload', 'other'] as const;

export type Channel = (typeof CHANNELS)[number];
export type Category = (typeof CATEGORIES)[number];
export type Verdict = (typeof VERDICTS)[number];
export type Action = (typeof ACTIONS)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type InstallType = (typeof INSTALL_TYPES)[number];

/** Length caps, exported so the extension can truncate before sending rather than be refused. */
export const LIMITS = {
  user: 256,
  deviceId: 128,
  deviceName: 128,
  department: 128,
  browser: 128,
  extensionVersion: 64,
  service: 64,
  serviceName: 128,
  origin: 2048,
  fileName: 1024,
  reason: 512,
  location: 2048,
  justification: 2000,
  policyVersion: 128,
  /** Events per ingest batch. */
  batch: 1000,
} as const;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NUL = '\u0000';

/** An identifier-like string: non-empty, capped, no control characters at all. */
function ident(max: number) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'control characters are not allowed');
}

/** Free text: capped, anything but NUL (PostgreSQL text cannot hold it). */
function text(max: number) {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !s.includes(NUL), 'NUL characters are not allowed');
}

const uuid = z.string().regex(
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  'expected a UUID',
);

/** ISO-8601 in UTC with a `Z` suffix, e.g. `2026-11-02T09:14:03.120Z`. */
const utcTime = z.iso.datetime({ offset: false, message: 'expected ISO-8601 UTC time ending in Z' });

/** Whether a string parses as an http(s) or file URL. */
function webOrFileUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'file:';
  } catch {
    return false;
  }
}

/**
 * The answers for origins seen lately: a fleet uploads to a few services, so nearly every event repeats
 * an origin, and parsing each as a URL was a tenth of an event's validation. Emptied when full, so a
 * sender of made-up origins costs the parse each time, as before, and no more memory.
 */
const ORIGIN_ANSWERS = new Map<string, boolean>();
const ORIGIN_ANSWERS_MAX = 1024;
function knownOrigin(s: string): boolean {
  let ok = ORIGIN_ANSWERS.get(s);
  if (ok === undefined) {
    if (ORIGIN_ANSWERS.size >= ORIGIN_ANSWERS_MAX) ORIGIN_ANSWERS.clear();
    ok = webOrFileUrl(s);
    ORIGIN_ANSWERS.set(s, ok);
  }
  return ok;
}

const origin = z
  .string()
  .max(LIMITS.origin, `at most ${LIMITS.origin} characters`)
  .refine((s) => !CONTROL.test(s), 'control characters are not allowed')
  .refine(knownOrigin, 'expected an http(s) or file URL origin');

const version = z.literal(EVENT_SCHEMA_VERSION, { message: `expected schema version ${EVENT_SCHEMA_VERSION}` });

export const UploadEventSchema = z
  .strictObject({
    v: version.describe('Schema version; always 1 for this schema.'),
    id: uuid.describe('Unique event id (UUID). The collector stores each id once; resends are ignored.'),
    relatesTo: uuid
      .nullable()
      .describe("For the employee's answer to a warning: the id of the 'pending' event it resolves; for a dispute: the id of the decision disputed; otherwise null."),
    time: utcTime.describe('When the decision was made, ISO-8601 UTC.'),
    user: ident(LIMITS.user).nullable().describe('User from policy or the browser profile, or null when unknown.'),
    deviceId: ident(LIMITS.deviceId).describe('Stable id of the browser installation.'),
    browser: ident(LIMITS.browser).describe('Browser and major version, e.g. "Chromium 156".'),
    extensionVersion: ident(LIMITS.extensionVersion).describe('Upload Guard extension version.'),
    service: ident(LIMITS.service).nullable().describe('Service id from policy, e.g. "gmail", or null.'),
    serviceName: text(LIMITS.serviceName).nullable().describe('Service display name, e.g. "Gmail", or null.'),
    category: z.enum(CATEGORIES).nullable().describe('Service category.'),
    origin: origin.describe('Origin of the page the upload was attempted on, e.g. "https://mail.google.com".'),
    channel: z.enum(CHANNELS).describe('How the data was about to leave the page (`websocket`: a WebSocket or a WebRTC data channel).'),
    fileName: text(LIMITS.fileName).nullable().describe('File base name as given by the page (may be hostile), or null for text.'),
    size: z
      .number()
      .int('expected an integer')
      .min(0, 'must be ≥ 0')
      .max(Number.MAX_SAFE_INTEGER)
      .nullable()
      .describe('Bytes (files) or characters (text).'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters')
      .nullable()
      .describe('Lowercase hex SHA-256 of the file, when computed.'),
    verdict: z.enum(VERDICTS).describe('What the engine found.'),
    rule: z
      .union([z.literal(1), z.literal(2), z.literal(3)], { message: 'expected 1, 2, 3 or null' })
      .nullable()
      .describe('Matched rule of docs/markings.md (1 stamp, 2 name, 3 designated); null unless verdict is marked.'),
    reason: text(LIMITS.reason).nullable().describe('Machine-readable cause: stamp, name, sha256, …, or the unscannable reason.'),
    location: text(LIMITS.location)
      .nullable()
      .describe(
        'Where in the file, language-neutral: archive members by their own names, then the container part and one qualifier as key=value (part, then page, sheet, slide or area), joined by " › ", e.g. "a.zip › part=word/header1.xml › area=header" or "page=3". Within a name or value a backslash escapes what would read as structure: "\\\\", "\\›", the "=" of a name that looks like a key ("page\\=3"), the "!" of a sheet name ("売上\\!B2!C3"); a backslash before any other character is itself. Said in words where shown, as the employee\'s dialog said it (「a.zip のヘッダー」), without the part; an older extension\'s events hold the part without its key ("a.zip › word/header1.xml").',
      ),
    action: z.enum(ACTIONS).describe('What policy decided.'),
    outcome: z
      .enum(OUTCOMES)
      .describe("What finally happened. A warn starts 'pending'; the answer is a separate event (relatesTo). 'disputed': the employee reported the decision (relatesTo) for review."),
    justification: text(LIMITS.justification)
      .nullable()
      .describe("The employee's justification when proceeding after a warning, or their comment on a dispute."),
    policyVersion: ident(LIMITS.policyVersion).nullable().describe('Version of the policy in force.'),
    // Added after the first release: optional, so events of older extensions still validate.
    deviceName: ident(LIMITS.deviceName)
      .nullable()
      .optional()
      .describe('The PC name the deployment set in policy (deviceName, e.g. %COMPUTERNAME%), or null/absent when unset.'),
    department: ident(LIMITS.department)
      .nullable()
      .optional()
      .describe('The department (organizational unit) the deployment set in policy (department, one value per OU), or null/absent when unset.'),
  })
  .superRefine((e, ctx) => {
    if (e.verdict !== 'marked' && e.rule !== null) {
      ctx.addIssue({ code: 'custom', path: ['rule'], message: 'must be null unless verdict is marked' });
    }
    if (e.verdict === 'marked' && e.rule === null) {
      ctx.addIssue({ code: 'custom', path: ['rule'], message: 'required when verdict is marked' });
    }
    if (e.relatesTo !== null && e.outcome !== 'proceeded' && e.outcome !== 'cancelled' && e.outcome !== 'disputed') {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: "must be 'proceeded', 'cancelled' or 'disputed' when relatesTo is set" });
    }
    if (e.outcome === 'disputed' && e.relatesTo === null) {
      ctx.addIssue({ code: 'custom', path: ['relatesTo'], message: 'required when outcome is disputed' });
    }
  });

export type UploadEvent = z.infer<typeof UploadEventSchema>;

export const HeartbeatSchema = z.strictObject({
  v: version.describe('Schema version; always 1.'),
  time: utcTime.describe('When the heartbeat was sent, ISO-8601 UTC.'),
  deviceId: ident(LIMITS.deviceId).describe('Stable id of the browser installation.'),
  user: ident(LIMITS.user).nullable().describe('User from policy or the browser profile.'),
  browser: ident(LIMITS.browser).describe('Browser and major version.'),
  extensionVersion: ident(LIMITS.extensionVersion).describe('Upload Guard extension version.'),
  policyVersion: ident(LIMITS.policyVersion).nullable().describe('Version of the policy in force.'),
  queueLength: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Events waiting in the local queue.'),
  dropped: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .describe('Events dropped because the local queue overflowed, counted since installation.'),
  // Optional fields, added after the first release: an older extension omits them and still validates.
  heartbeatMinutes: z
    .number()
    .int('expected an integer')
    .min(1, 'must be ≥ 1')
    .max(1440, 'must be ≤ 1440')
    .optional()
    .describe('The heartbeat interval the device runs with, minutes (policy heartbeatMinutes); the collector judges silence by it.'),
  installType: z
    .enum(INSTALL_TYPES)
    .optional()
    .describe('How the extension was installed (management.getSelf().installType): "admin" means force-installed by policy.'),
  managed: z.boolean().optional().describe('Whether a managed policy (Chrome/Edge policy, GPO, Firefox policies.json) is in force.'),
  incognitoAllowed: z
    .boolean()
    .nullable()
    .optional()
    .describe('Whether the extension may run in private/incognito windows; null when the browser does not say.'),
  deviceName: ident(LIMITS.deviceName)
    .nullable()
    .optional()
    .describe('The PC name the deployment set in policy (deviceName), or null/absent when unset.'),
  department: ident(LIMITS.department)
    .nullable()
    .optional()
    .describe('The department (organizational unit) the deployment set in policy (department), or null/absent when unset.'),
});

export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/** Body of `POST /v1/events`. */
export const IngestBatchSchema = z.strictObject({
  events: z.array(UploadEventSchema).max(LIMITS.batch, `at most ${LIMITS.batch} events per batch`),
});
export type IngestBatch = z.infer<typeof IngestBatchSchema>;

/** Who sent an event, as the collector saw it (absent for events stored before it kept them). */
export type EventSender = { receivedFrom?: string; ingestTokenId?: string };
/**
 * An event as the collector keeps it and alerts of it: who sent it, and, when the device's own time was
 * implausible (outside the collector's window: a clock far ahead or behind), that claim; `time` is then
 * the arrival.
 */
export type KeptEvent = UploadEvent & EventSender & { claimedTime?: string };
/** An event as stored and read back: also when the collector received it. */
export type StoredEvent = KeptEvent & { receivedAt: string };

/**
 * Turns zod issues into `path: message` lines, e.g. `events[3].sha256: expected 64 lowercase hex characters`.
 * The collector returns these in its 400 responses.
 */
export function describeIssues(error: z.ZodError, max = 20): string[] {
  const lines: string[] = [];
  for (const i of error.issues) {
    // Name each unknown field on its own line, like any other field error.
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) lines.push(`${formatPath([...i.path, k])}: unknown field`);
    } else {
      lines.push(`${formatPath(i.path)}: ${i.message}`);
    }
  }
  return lines.slice(0, max);
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(body)';
}

/** Field order for tabular encodings (CSV) and documentation. */
export const EVENT_FIELDS = [
  'v',
  'id',
  'relatesTo',
  'time',
  'user',
  'deviceId',
  'browser',
  'extensionVersion',
  'service',
  'serviceName',
  'category',
  'origin',
  'channel',
  'fileName',
  'size',
  'sha256',
  'verdict',
  'rule',
  'reason',
  'location',
  'action',
  'outcome',
  'justification',
  'policyVersion',
  'deviceName',
  'department',
] as const satisfies readonly (keyof UploadEvent)[];
