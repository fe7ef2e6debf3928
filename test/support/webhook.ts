/** A local webhook receiver for alert tests: keeps each JSON body it is posted, answers 204. */
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

export interface WebhookReceiver<T> {
  /** Where to post: http://127.0.0.1:<port>/hook. */
  url: string;
  received: T[];
  /** The Idempotency-Key header of each body received, in the same order. */
  keys: (string | undefined)[];
  close(): void;
}

export async function webhookReceiver<T>(): Promise<WebhookReceiver<T>> {
  const received: T[] = [];
  const keys: (string | undefined)[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      received.push(JSON.parse(data) as T);
      keys.push(req.headers['idempotency-key'] as string | undefined);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received, keys, close: () => server.close() };
}

/** A local syslog receiver over TCP (CEF alert tests): keeps everything sent to it as one string. */
export interface SyslogReceiver {
  /** Where to send: tcp://127.0.0.1:<port>. */
  url: string;
  /** Everything received so far, in order. */
  text(): string;
  close(): void;
}

export async function syslogReceiver(): Promise<SyslogReceiver> {
  let text = '';
  const server = createTcpServer((sock) => sock.on('data', (d) => (text += d.toString('utf8'))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `tcp://127.0.0.1:${(server.address() as { port: number }).port}`, text: () => text, close: () => server.close() };
}
