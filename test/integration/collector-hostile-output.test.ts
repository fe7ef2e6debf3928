/**
 * Hostile strings from a device, end to end: sent through /v1/events like any event, then read where
 * they land in other systems — the body a chat webhook receives, the CEF line a SIEM receives over
 * syslog (TCP), and the NDJSON export a line splitter reads. Real SQLite, real HTTP, real sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { syslogReceiver } from '../support/webhook.js';

const INGEST = 'hostile-ingest-token-0123456789';
const ADMIN = 'hostile-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'ug-hostile-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Slack/Teams control markup, a Markdown link, a line break with a fake line after it, a right-to-left
// override, a terminal escape, Unicode line and paragraph separators, NEL, a DEL and a C1 control.
const NAME = '<!channel> <https://evil.example|invoice.pdf> [click](https://evil.example)\nFAKE: all clear\u202Egpj.exe\u001b[31m\u2028\u2029\u0085\u007f\u009b.xlsx';
const USER = '<@U0123|admin> & <!here>';
/** Characters that must never reach another system raw (they break a line, a terminal or the reading order). */
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('hostile strings through webhook, CEF and NDJSON', () => {
  it('arrive inert at a chat webhook and a SIEM, and exact (but line-safe) in NDJSON', async () => {
    const bodies: string[] = [];
    const hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const siem = await syslogReceiver();
    const c = await createCollector({
      storage: new SqliteStorage({ path: join(dir, 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      alerts: {
        webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`,
        syslogUrl: siem.url,
        pollMs: 50,
      },
    });
    const url = await c.listen(0);
    try {
      const event = sampleEvent({ fileName: NAME, user: USER, action: 'block', outcome: 'blocked', justification: null });
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [event] }),
      });
      expect(res.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while ((bodies.length < 1 || !siem.text().endsWith('\n')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      // The webhook: the text a chat shows is inert; the event itself is the exact data (JSON-escaped).
      expect(bodies).toHaveLength(1);
      const alert = JSON.parse(bodies[0]!) as { text: string; event: { fileName: string; user: string } };
      expect(alert.text).not.toMatch(RAW);
      // No Slack control sequence or link, and no Markdown link (a `]` before `(` is escaped).
      expect(alert.text).not.toMatch(/<[!@#]|<https?:|(?<!\\)\]\(/);
      expect(alert.text).toContain('\\[click\\](https[:]//evil[.]example)'); // no Markdown link, and the URL defanged
      expect(alert.text).toContain('&lt;!channel&gt;');
      expect(alert.text).toContain('&lt;＠U0123|admin&gt; &amp; &lt;!here&gt;');
      expect(alert.text).toContain('[U+202E]');
      expect(alert.text).not.toContain('\nFAKE');
      expect(alert.event.fileName).toBe(NAME);
      expect(alert.event.user).toBe(USER);

      // The SIEM: exactly one CEF line, nothing raw in it, the name still readable.
      const lines = siem.text().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe('');
      expect(lines[0]).not.toMatch(RAW);
      expect(lines[0]).toMatch(/CEF:0\|/);
      expect(lines[0]).toContain('[U+202E]gpj.exe');
      expect(lines[0]).toContain('FAKE: all clear');

      // NDJSON: one event per line for any line splitter (\n, \r, U+2028/2029, NEL), the exact name for a JSON reader.
      const nd = await (await fetch(`${url}/v1/admin/events?format=ndjson`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(nd.split(/\r\n|[\n\r\u2028\u2029\u0085]/).filter(Boolean)).toHaveLength(1);
      expect(JSON.parse(nd).fileName).toBe(NAME);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
      siem.close();
    }
  }, 30_000);
});
