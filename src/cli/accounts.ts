/**
 * `upload-guard collector account add|list|remove` and `upload-guard collector token add|list|revoke`:
 * local accounts and named API tokens, written straight into the collector's database (the same --data
 * directory or DATABASE_URL as the collector; it may be running). Passwords are read from the terminal
 * without echo, or from the first line of stdin, never from the command line (which other users can see
 * in `ps` and which shells keep in their history). Every change is in the audit log as `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiToken, putLocalAccount, removeAccount, revokeApiToken, tokenView, type Outcome } from '../collector/accounts/manage.js';
import { AccountStore } from '../collector/accounts/store.js';
import { PostgresStorage } from '../collector/storage/postgres.js';
import { SqliteStorage } from '../collector/storage/sqlite.js';
import type { Storage } from '../collector/storage/types.js';
import { inertText } from '../events/inert.js';

const USAGE = `usage: upload-guard collector account add --role viewer|investigator|admin NAME   (password: prompted, or first line of stdin)
       upload-guard collector account list
       upload-guard collector account remove NAME
       upload-guard collector token add --role viewer|investigator|admin [--expires-days N] NAME
                                      (prints the token once; it ends after N days, default 90; 0: never)
       upload-guard collector token list
       upload-guard collector token revoke ID|NAME
options: --data DIR (default ./data; SQLite), or DATABASE_URL=postgres://… (and UPLOAD_GUARD_PG_SCHEMA) as for the collector`;

async function openStore(dataDir: string): Promise<Storage> {
  const url = process.env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) return PostgresStorage.open({ connectionString: url, schema: process.env.UPLOAD_GUARD_PG_SCHEMA, poolSize: 1 });
  return new SqliteStorage({ path: join(dataDir, 'events.db'), readers: false });
}

/** A line typed without echo (raw mode), or the first line of stdin when it is not a terminal. */
export async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolveLine, reject) => {
    let line = '';
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolveLine(line);
    };
    stdin.on('data', onData);
  });
}

async function password(): Promise<string> {
  const first = await readSecret('Password: ');
  if (process.stdin.isTTY && (await readSecret('Again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}

function report(r: Outcome<unknown>): number {
  if (r.ok) return 0;
  console.error(`upload-guard collector: ${r.error}`);
  return r.status === 404 ? 3 : 2;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { role: { type: 'string' }, 'expires-days': { type: 'string' }, data: { type: 'string', default: './data' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`upload-guard collector: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [kind, verb, target] = parsed.positionals;
  if (parsed.values.help || !verb) {
    console.log(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  const actor = `cli:${userInfo().username}`;
  const storage = await openStore(resolve(parsed.values.data!));
  const store = AccountStore.of(storage);
  const audit = (action: string, details: Record<string, unknown>) => ({ timeMs: Date.now(), actor, action, details, address: null });
  try {
    const needTarget = () => {
      if (!target) throw new Error(`${kind} ${verb}: a name is required`);
      return target;
    };
    switch (`${kind} ${verb}`) {
      case 'account add': {
        const name = needTarget();
        const r = await putLocalAccount(store, { name, role: parsed.values.role, password: await password() }, actor, Date.now(), audit);
        if (r.ok) console.log(`${r.value.created ? 'created' : 'updated'} ${r.value.name} (${r.value.role})`);
        return report(r);
      }
      case 'account list':
        for (const a of await store.accounts()) {
          const when = (ms: number | null | undefined) => (ms == null ? 'never' : new Date(ms).toISOString());
          // Names made by releases before subject14 are whatever the provider's claim said: no escape sequence reaches the terminal.
          const state = a.disabledMs != null ? `\tdisabled ${when(a.disabledMs)} by ${inertText(a.disabledBy ?? '?')}` : '';
          console.log(`${inertText(a.name)}\t${a.role}\t${a.source}\tcreated ${when(a.createdMs)} by ${inertText(a.createdBy)}\tlast sign-in ${when(a.lastSigninMs)}${state}`);
        }
        return 0;
      case 'account remove':
        return report(await removeAccount(store, needTarget(), actor, Date.now(), audit));
      case 'token add': {
        const days = parsed.values['expires-days'];
        const expiresInDays = days === undefined ? undefined : /^\d{1,5}$/.test(days) ? Number(days) : days;
        const r = await createApiToken(store, { name: needTarget(), role: parsed.values.role, expiresInDays }, actor, Date.now(), audit);
        if (r.ok) {
          const ends = r.value.expiresAt ? `expires ${r.value.expiresAt}` : 'never expires';
          console.error(`token ${r.value.name} (${r.value.role}, id ${r.value.id}, ${ends}); shown only now, keep it in a secret store:`);
          console.log(r.value.token);
        }
        return report(r);
      }
      case 'token list':
        for (const t of (await store.tokens()).map((row) => tokenView(row, Date.now()))) {
          const state = t.revokedAt
            ? `revoked ${t.revokedAt}`
            : t.expiresAt && Date.parse(t.expiresAt) <= Date.now()
              ? `expired ${t.expiresAt}`
              : t.endsInDays !== null
                ? `active, ends in ${t.endsInDays} day${t.endsInDays === 1 ? '' : 's'}: replace it`
                : 'active';
          console.log(`${t.id}\t${t.name}\t${t.role}\t${state}\t${t.expiresAt ? `expires ${t.expiresAt}` : 'never expires'}\tlast used ${t.lastUsedAt ?? 'never'}`);
        }
        return 0;
      case 'token revoke':
        return report(await revokeApiToken(store, needTarget(), actor, Date.now(), audit));
      default:
        console.error(`upload-guard collector: unknown command: ${kind} ${verb}\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    console.error(`upload-guard collector: ${(err as Error).message}`);
    return 1;
  } finally {
    await storage.close();
  }
}
