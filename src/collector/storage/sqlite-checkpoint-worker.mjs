// Entry of the SQLite checkpoint worker thread (see sqlite-checkpoint.ts). Plain JavaScript: a worker thread
// does not inherit the TypeScript loader of the thread that started it, so it registers tsx itself first.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-checkpoint-worker.ts');
