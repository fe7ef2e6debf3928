/**
 * Raw deflate through the platform's own zlib where the engine runs in Node (the command line, the
 * benches): node:zlib inflates a 56 MB worksheet in about a fifth of fflate's CPU time (measured in
 * one process: 23–30 ms against 109–190 ms), and off the main thread. The browser has no such module
 * and keeps fflate (inflate.ts). Found through `process.getBuiltinModule`, never imported: the
 * extension's bundle does not see it.
 *
 * Same guard as fflate's path: compressed bytes go in slices of SLICE, each written only after the
 * previous one was fully inflated (its write callback), so the guard's ratio sees input and output
 * together and a bomb stops within one slice's output; every output chunk passes the guard as it
 * appears, and a throw there ends the stream.
 */
import { readBytes } from '../bytes.js';
import type { ExpansionGuard } from './expansion-guard.js';

/** The parts of node:zlib used here. */
interface NodeInflate {
  on(event: 'data', f: (chunk: Uint8Array) => void): void;
  on(event: 'error', f: (err: Error) => void): void;
  on(event: 'end', f: () => void): void;
  write(chunk: Uint8Array, cb: (err?: Error | null) => void): boolean;
  end(): void;
  destroy(): void;
}
interface NodeZlib {
  createInflateRaw(opts: { chunkSize: number }): NodeInflate;
}

/** Compressed bytes written at once (bounds one write's output to ~16 MiB, as fflate's modest slice). */
const SLICE = 16 * 1024;
/** Output chunk size (zlib's default is 16 KiB): fewer, larger chunks cost less CPU (last-row sheet: 91 → 82 ms against 256 KiB). */
const CHUNK = 1024 * 1024;
/** Compressed bytes read from the Blob at once. */
const READ_BLOCK = 256 * 1024;

let enabled = true;
const zlib: NodeZlib | null = (() => {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const z = p?.getBuiltinModule?.('node:zlib') as NodeZlib | undefined;
    return z && typeof z.createInflateRaw === 'function' ? z : null;
  } catch {
    return null; // not Node: fflate
  }
})();

/** Tests run both paths: off, the engine inflates with fflate as in the browser. */
export function useNativeInflate(on: boolean): void {
  enabled = on;
}

/** Whether raw deflate goes through node:zlib here. */
export const nativeInflate = (): boolean => enabled && zlib !== null;

/**
 * Inflates `data` (raw deflate) into `guard`. Rejects with what the guard threw, or with zlib's error
 * (the caller turns it into `corrupt`), e.g. a stream that ends before its final block.
 */
export async function inflateRawNative(data: Blob, guard: ExpansionGuard): Promise<void> {
  const s = zlib!.createInflateRaw({ chunkSize: CHUNK });
  let failure: unknown = null;
  let reject: ((err: unknown) => void) | null = null;
  const fail = (err: unknown) => {
    failure ??= err;
    s.destroy();
    reject?.(failure);
  };
  let ended = false;
  let onEnd: (() => void) | null = null;
  s.on('data', (chunk) => {
    if (failure) return;
    try {
      // A plain Uint8Array over the Buffer's bytes: sinks and Blobs take it as any other chunk.
      guard.produced(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (err) {
      fail(err);
    }
  });
  s.on('error', fail);
  s.on('end', () => {
    ended = true;
    onEnd?.();
  });
  const step = (slice: Uint8Array) =>
    new Promise<void>((res, rej) => {
      if (failure) return rej(failure);
      reject = rej;
      s.write(slice, (err) => (failure || err ? rej(failure ?? err) : res()));
    });
  try {
    for (let at = 0; at < data.size; at += READ_BLOCK) {
      const block = await readBytes(data, at, Math.min(data.size, at + READ_BLOCK));
      for (let o = 0; o < block.length; o += SLICE) {
        const slice = block.subarray(o, Math.min(block.length, o + SLICE));
        // Throws past the time budget or on abort: the stream is ended below.
        guard.consumed(slice.length);
        await step(slice);
      }
    }
    await new Promise<void>((res, rej) => {
      if (failure) return rej(failure);
      reject = rej;
      if (ended) return res();
      onEnd = res;
      s.end();
    });
  } catch (err) {
    s.destroy();
    throw err;
  }
}
