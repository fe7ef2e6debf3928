/**
 * libarchive (BSD-2-Clause) compiled to WebAssembly by libarchive.js@2.0.2 (MIT), for the formats
 * that need a real archive reader: 7z (LZMA, LZMA2, PPMd, BZip2, Deflate, BCJ/BCJ2/ARM filters;
 * solid; compressed headers), RAR 4 and RAR 5, CAB (MSZIP, LZX; not Quantum) and LZH (-lh0-,
 * -lh5-, -lh6-, -lh7-). The single-stream compressors use their own streaming decoders instead
 * (xz.ts, bzip2.ts, zstd.ts), because this build's API can only read a member whose size is known.
 *
 * Why this library (`npm run bench engine-archives`, 2026-12-02, shared 2-core machine at load ≈ 2–5):
 * one 1.0 MB wasm covers seven formats; a 24 MB document tree in 7z LZMA2 scans in 0.70 s against
 * 0.46 s for `7z x -so | grep` (1.5×); the 2 GiB 7z bomb ends in 0.10 s warm, 0.39 s on first use
 * (which compiles the wasm). It runs in Node, in a Worker and in a content script without a fetch:
 * the binary is inlined (libarchive-wasm.ts, 1.34 MB of base64) and the generated glue
 * (libarchive-glue.js) names no URL.
 * Alternatives: 7z-wasm (LGPL, 1.6 MB, CLI-shaped, output only through a per-byte stdout hook),
 * node-unrar-js (RAR only), archive-wasm (GPL-3.0). Extension bundle (vite build): the page-world
 * script is unchanged (24 KB, everything here is imported lazily); the guard content script grows
 * from 0.54 MB to 3.59 MB (the engine runs in its inline worker and, as a CSP fallback, on the page's
 * thread, so the binary is carried twice); dist/ from 1.4 MB to 7.5 MB.
 *
 * Bounded work: the archive is copied into an instance of its own while it is open (one reused only
 * when the last archive in it ended a moment ago without error and left its memory small; otherwise
 * a fresh one, and its memory is dropped with it), each member is read in CHUNK slices through
 * get_filedata, and the caller checks limits between slices.
 */
import { decodeText } from './text.js';
import { ScanError } from './types.js';

/** Bytes of the end-of-member probe; the allocator keeps its free-list links in the first SKIP. */
const PROBE = 256;
const SKIP = 32;

/** Output slice per call into the decoder: small enough to check the budget often. */
export const CHUNK = 1024 * 1024;

const TYPE_MASK = 0o170000;
const DIRECTORY = 0o040000;

export interface ArchiveEntry {
  name: string;
  /** Declared uncompressed size. */
  size: number;
  encrypted: boolean;
  /** Anything but a directory: whatever type an entry claims, its content is read if it has any
   * (7z `a -si` stores its one member as a FIFO; a link's content is its target). */
  isFile: boolean;
}

interface EmscriptenModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
}

let compiled: Promise<WebAssembly.Module> | undefined;
let supplier: (() => Promise<WebAssembly.Module>) | null = null;

/** libarchive's WebAssembly binary (the inlined copy, loaded on first use). */
export function libarchiveWasmBytes(): Promise<Uint8Array<ArrayBuffer>> {
  return import('./libarchive-wasm.js').then(({ LIBARCHIVE_WASM_BASE64: b64 }) => fromBase64(b64));
}

/**
 * For a thread that gets the compiled module from elsewhere rather than compile it: the scan worker
 * Chromium starts from a blob: URL asks its frame, an extension page whose CSP allows WebAssembly
 * (extension/scan/scan-worker.ts).
 */
export function supplyLibarchiveWasm(get: () => Promise<WebAssembly.Module>): void {
  supplier = get;
  compiled = undefined;
}

/** Compiled once per thread, on first use: bundles whose code never opens an archive do not load it. */
function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= (supplier ? supplier() : libarchiveWasmBytes().then((bytes) => WebAssembly.compile(bytes)))
    .catch((err: unknown) => {
      compiled = undefined; // a later scan (e.g. on the page's thread after a worker failure) may try again
      throw noWasm(err);
    });
  return compiled;
}

/** Base64 to bytes with a lookup table: several times faster than atob + Uint8Array.from on 1.3 MB. */
function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const table = new Uint8Array(128);
  for (let i = 0; i < 64; i++) table['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((b64.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < b64.length; i += 4) {
    const n = (table[b64.charCodeAt(i)] << 18) | (table[b64.charCodeAt(i + 1)] << 12) | (table[b64.charCodeAt(i + 2)] << 6) | table[b64.charCodeAt(i + 3)];
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** A page whose CSP lacks 'wasm-unsafe-eval' forbids WebAssembly in the workers it owns. */
export function noWasm(err: unknown): ScanError {
  return new ScanError('unsupported', `the archive reader could not start here (WebAssembly refused: ${String((err as Error)?.message ?? err).slice(0, 80)})`);
}

/** A started wasm instance: its memory, what it printed on stderr, the glue's functions. */
interface Instance {
  m: EmscriptenModule;
  errors: string[];
  fn: Record<string, (...a: unknown[]) => unknown>;
}

/**
 * One idle instance is kept per thread, for a moment. Starting one (the glue, 16 MiB of memory) takes
 * milliseconds, which a ZIP of thousands of LZMA members (zip-libarchive.ts, one archive per member)
 * paid thousands of times. It is kept only after an archive was read without an error, while its
 * memory is small, and for IDLE_MS: then it is left to the garbage collector, as every instance was
 * before (a scan worker does not hold it between files).
 */
let idle: Instance | null = null;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
const REUSE_MAX_BYTES = 32 * 1024 * 1024;
const IDLE_MS = 1000;

function keepIdle(instance: Instance): void {
  idle = instance;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => (idle = null), IDLE_MS);
  (idleTimer as { unref?: () => void }).unref?.(); // Node: a finished scan does not wait for it
}

/** A new wasm instance (the compiled module is shared by the thread). */
async function start(): Promise<Instance> {
  const [mod, { default: createLibarchive }] = await Promise.all([wasmModule(), import('./libarchive-glue.js')]);
  const errors: string[] = [];
  const m = (await createLibarchive({
    // The binary comes from instantiateWasm; naming it here keeps the glue from resolving a URL.
    locateFile: () => 'libarchive.wasm',
    print: () => undefined,
    printErr: (line: string) => errors.length < 16 && errors.push(String(line)),
    instantiateWasm(imports: WebAssembly.Imports, receive: (i: WebAssembly.Instance) => void) {
      void WebAssembly.instantiate(mod, imports).then(receive);
      return {};
    },
  }).catch((err: unknown) => {
    throw noWasm(err);
  })) as EmscriptenModule;
  const w = (name: string, ret: string | null, args: string[]) => m.cwrap(name, ret, args);
  return {
    m,
    errors,
    fn: {
      open: w('archive_open', 'number', ['number', 'number', 'string', 'string']),
      next: w('get_next_entry', 'number', ['number']),
      // The name's bytes as the archive stores them (a pointer): libarchive converts only where the format
      // says the encoding; CAB without its UTF-8 flag, cpio, ISO's Rock Ridge and tar store CP932 names as
      // they are on a Japanese system, which a UTF-8 read would turn into U+FFFD.
      name: w('archive_entry_pathname', 'number', ['number']),
      nameUtf8: w('archive_entry_pathname_utf8', 'string', ['number']),
      size: w('archive_entry_size', 'number', ['number']),
      type: w('archive_entry_filetype', 'number', ['number']),
      encrypted: w('archive_entry_is_encrypted', 'number', ['number']),
      data: w('get_filedata', 'number', ['number', 'number']),
      error: w('archive_error_string', 'string', ['number']),
      close: w('archive_close', null, ['number']),
    },
  };
}

/** An archive opened in a wasm instance of its own while open. Call close() when done (also after an error). */
export class LibArchive {
  private archive = 0;
  private input = 0;
  /** An error was met: the instance is not reused. */
  private failed = false;

  private constructor(
    private readonly m: EmscriptenModule,
    private readonly errors: string[],
    private readonly fn: Record<string, (...a: unknown[]) => unknown>,
  ) {}

  static async open(bytes: Uint8Array): Promise<LibArchive> {
    const reused = idle;
    idle = null;
    const { m, errors, fn } = reused ?? (await start());
    errors.length = 0;
    const a = new LibArchive(m, errors, fn);
    a.input = m._malloc(bytes.length);
    if (!a.input) {
      a.failed = true;
      throw new ScanError('too-large', 'archive does not fit in the reader’s memory');
    }
    m.HEAPU8.set(bytes, a.input);
    a.archive = a.fn.open(a.input, bytes.length, null, 'C.UTF-8') as number;
    // The wrapper reports a failed open only on stderr (then every header read just ends).
    if (!a.archive || errors.length > 0) {
      const message = errors.filter((l) => !/^Memory read error/.test(l)).join('; ') || 'archive header is damaged';
      a.failed = true;
      a.close();
      throw classify(message);
    }
    return a;
  }

  /** The next entry's header, or null at the end. Throws ScanError when the archive cannot be read further. */
  next(): ArchiveEntry | null {
    return this.guarded(() => this.#next());
  }

  #next(): ArchiveEntry | null {
    const e = this.fn.next(this.archive) as number;
    if (!e) {
      const error = (this.fn.error(this.archive) as string) || this.errors.join('; ');
      if (error) throw classify(error);
      return null;
    }
    return {
      name: this.#name(e),
      // 32 bits only: negative means 2 GiB or more (see finish() for 4 GiB and more).
      size: this.fn.size(e) as number,
      encrypted: (this.fn.encrypted(e) as number) > 0,
      isFile: ((this.fn.type(e) as number) & TYPE_MASK) !== DIRECTORY,
    };
  }

  /** An entry's name: its stored bytes, decoded as names are elsewhere (UTF-8, else CP932 or EUC-JP). */
  #name(e: number): string {
    const p = this.fn.name(e) as number;
    if (!p) return (this.fn.nameUtf8(e) as string | null) ?? '';
    const heap = this.m.HEAPU8;
    let end = p;
    while (heap[end] !== 0) end++;
    return decodeText(heap.subarray(p, end));
  }

  /** The next `n` bytes of the current entry (a copy). */
  read(n: number): Uint8Array {
    return this.guarded(() => this.#read(n));
  }

  #read(n: number): Uint8Array {
    const p = this.fn.data(this.archive, n) as number;
    if (p <= 0) throw classify((this.fn.error(this.archive) as string) || 'member data is damaged');
    const out = this.m.HEAPU8.slice(p, p + n);
    this.m._free(p);
    const error = this.fn.error(this.archive) as string;
    if (error) throw classify(error);
    return out;
  }

  /**
   * After a member's last byte: one more read, which is where libarchive reports a CRC mismatch of
   * the member just read (LZH, RAR, 7z) — otherwise it would be lost in the next header read.
   */
  finish(): void {
    return this.guarded(() => this.#finish());
  }

  #finish(): void {
    // The wrapper does not return how many bytes it read, and archive_entry_size comes back as 32
    // bits (a 4 GiB + 10 member says 10). So the probe buffer is pre-filled with random bytes: the
    // allocator hands back the chunk just freed, and any byte changed past its free-list links means
    // the member goes on (a 32-bit wrap leaves gigabytes, never fewer than SKIP bytes).
    const sentinel = crypto.getRandomValues(new Uint8Array(PROBE));
    const q = this.m._malloc(PROBE);
    this.m.HEAPU8.set(sentinel, q);
    this.m._free(q);
    const p = this.fn.data(this.archive, PROBE) as number;
    if (p <= 0) throw classify((this.fn.error(this.archive) as string) || 'member data is damaged');
    const after = this.m.HEAPU8.slice(p, p + PROBE);
    this.m._free(p);
    const error = this.fn.error(this.archive) as string;
    if (error) throw classify(error);
    if (p !== q) throw new ScanError('corrupt', 'the end of a member could not be verified');
    if (after.some((b, i) => i >= SKIP && b !== sentinel[i])) throw new ScanError('too-large', 'a member is longer than its header says (4 GiB or more)');
  }

  close(): void {
    const open = this.archive !== 0 || this.input !== 0;
    if (this.archive) this.fn.close(this.archive);
    if (this.input) this.m._free(this.input);
    this.archive = this.input = 0;
    if (open && !this.failed && idle === null && this.m.HEAPU8.length <= REUSE_MAX_BYTES) keepIdle({ m: this.m, errors: this.errors, fn: this.fn });
  }

  /** Runs a step of reading; one that throws leaves the instance unused afterwards. */
  private guarded<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }
}

/** libarchive's message, typed: encryption and unsupported methods are not damage. */
function classify(message: string): ScanError {
  if (/encrypt|passphrase|password/i.test(message)) return new ScanError('encrypted', message);
  // A filter libarchive would run as an outside program (zstd inside an RPM, lrzip, grzip): none runs here.
  if (/unsupported|not supported|unknown .*(method|codec|compression)|unable to run program|Unexpected codec ID/i.test(message)) return new ScanError('unsupported', message);
  return new ScanError('corrupt', message);
}
