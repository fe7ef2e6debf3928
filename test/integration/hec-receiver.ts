/**
 * A small Splunk-HEC-compatible endpoint for tests: POST /services/collector/event checks
 * `Authorization: Splunk <token>`, parses the batch (JSON envelopes one after another, as HEC reads
 * them) and checks each envelope's shape; with `X-Splunk-Request-Channel` it answers an ackId and
 * POST /services/collector/ack answers which acks are indexed. What it implements follows Splunk's
 * documented HEC protocol: 401 without a token, 403 for a wrong one, 400 for a malformed batch,
 * `{"text":"Success","code":0}` (+ `ackId`), and `{"acks":{"N":true|false}}`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface HecEnvelope {
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: Record<string, unknown>;
  fields?: Record<string, unknown>;
}

export interface HecReceiver {
  url: string;
  server: Server;
  /** Every envelope accepted, in arrival order (with repeats). */
  envelopes: HecEnvelope[];
  /** Raw bodies of accepted batches. */
  bodies: string[];
  /** Answers refused, by status. */
  refused: number[];
  ackQueries: number;
  /** Indexed ackIds (a batch counts as indexed only once acknowledged when `indexAfterPolls` is set). */
  acked: Set<number>;
  /** Make the next `n` batches fail with this status (503 "server busy" by default). */
  failNext(n: number, status?: number): void;
  /** Hold every event batch unanswered (and unrecorded) until `resume()`, as an indexer that stalls. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => resolve(body));
  });

/** Splits concatenated JSON objects (HEC accepts them with or without whitespace between). */
export function parseBatch(body: string): HecEnvelope[] {
  return body
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as HecEnvelope);
}

function checkEnvelope(e: HecEnvelope): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  if (typeof e.time !== 'number' || !(e.time > 1e9 && e.time < 1e10)) return 'time must be epoch seconds';
  for (const k of ['host', 'source', 'sourcetype'] as const) if (typeof e[k] !== 'string' || !e[k]) return `${k} missing`;
  if (typeof e.event !== 'object' || e.event === null) return 'event missing';
  return null;
}

export async function hecReceiver(opts: { token: string; ackAfterPolls?: number; neverAck?: boolean; delayMs?: number }): Promise<HecReceiver> {
  let failures: { n: number; status: number } = { n: 0, status: 503 };
  let nextAck = 0;
  const polls = new Map<number, number>();
  let held: Promise<void> | null = null;
  let release = () => {};
  const r: Omit<HecReceiver, 'url' | 'server' | 'close'> = {
    envelopes: [],
    bodies: [],
    refused: [],
    ackQueries: 0,
    acked: new Set(),
    failNext: (n, status = 503) => (failures = { n, status }),
    pause: () => {
      held ??= new Promise<void>((ok) => (release = ok));
    },
    resume: () => {
      release();
      held = null;
    },
  };
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    if (status >= 400) r.refused.push(status);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const auth = req.headers.authorization ?? '';
    if (!auth) return answer(res, 401, { text: 'Token is required', code: 2 });
    if (auth !== `Splunk ${opts.token}`) return answer(res, 403, { text: 'Invalid token', code: 4 });
    const channel = req.headers['x-splunk-request-channel'];
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/services/collector/ack') {
      r.ackQueries++;
      if (!channel) return answer(res, 400, { text: 'Data channel is missing', code: 10 });
      const ids = (JSON.parse(body) as { acks: number[] }).acks;
      const acks: Record<string, boolean> = {};
      for (const id of ids) {
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        acks[id] = !opts.neverAck && n > (opts.ackAfterPolls ?? 0);
        if (acks[id]) r.acked.add(id);
      }
      return answer(res, 200, { acks });
    }
    if (req.method !== 'POST' || path !== '/services/collector/event') return answer(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
    if (failures.n > 0) {
      failures.n--;
      return answer(res, failures.status, { text: 'Server is busy', code: 9 });
    }
    let batch: HecEnvelope[];
    try {
      batch = parseBatch(body);
    } catch {
      return answer(res, 400, { text: 'Invalid data format', code: 6 });
    }
    const bad = batch.map(checkEnvelope).find((x) => x);
    if (bad || batch.length === 0) return answer(res, 400, { text: `Invalid data format: ${bad ?? 'no data'}`, code: 6 });
    if (opts.delayMs) await new Promise((d) => setTimeout(d, opts.delayMs));
    if (held) await held;
    r.bodies.push(body);
    r.envelopes.push(...batch);
    if (!channel) return answer(res, 200, { text: 'Success', code: 0 });
    return answer(res, 200, { text: 'Success', code: 0, ackId: nextAck++ });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    ...(r as HecReceiver),
    // The arrays and set are shared with the handler above; these getters keep the counters live.
    get ackQueries() {
      return r.ackQueries;
    },
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
