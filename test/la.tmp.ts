import { readFileSync } from 'node:fs';
import { LibArchive } from '../src/detect/extract/libarchive.js';
for (const f of process.argv.slice(2)) {
  try {
    const a = await LibArchive.open(new Uint8Array(readFileSync(f)));
    const names: string[] = [];
    for (let e = a.next(); e; e = a.next()) names.push(e.name);
    console.log('OK', f, JSON.stringify(names).slice(0, 120));
  } catch (e) { console.log('ERR', f, String(e).slice(0, 120)); }
}
