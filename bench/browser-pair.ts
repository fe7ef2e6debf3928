/**
 * The two browsers every in-browser bench compares side by side: Chromium with the built extension and
 * the same Chromium without it, for the same hosts. Both are closed once `run` ends, also when it
 * throws; a browser that died on close does not hide the error that killed it.
 */
import { launchWithExtension, type Launched } from '../test/e2e/support/index.js';

/** [with the extension, without it] */
export type Pair = readonly [Launched, Launched];

export async function withAndWithout<T>(hosts: string[], run: (pair: Pair) => Promise<T>): Promise<T> {
  const launched = await Promise.allSettled([launchWithExtension({ hosts }), launchWithExtension({ hosts, extension: false })]);
  const up = launched.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    for (const r of launched) if (r.status === 'rejected') throw r.reason;
    return await run(up as unknown as Pair);
  } finally {
    await Promise.all(up.map((b) => b.close().catch(() => undefined)));
  }
}
