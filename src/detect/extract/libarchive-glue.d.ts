/** The Emscripten factory of libarchive.js's wasm build (libarchive-glue.js, generated). */
declare const createLibarchive: (moduleArg: Record<string, unknown>) => Promise<unknown>;
export default createLibarchive;
