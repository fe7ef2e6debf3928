/** A local webhook receiver for alert tests: keeps each JSON body it is posted, answers 204. */
import { createServer, type IncomingMessage } from 'node:http';

export interface WebhookReceiver<T> {
  /** Where to post: http://127.0.0.1:<port>/hook. */
  url: string;
  received: T[];
  close(): void;
}

export async function webhookReceiver<T>(): Promise<WebhookReceiver<T>> {
  const received: T[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      received.push(JSON.parse(data) as T);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received, close: () => server.close() };
}
