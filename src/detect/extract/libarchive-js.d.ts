/** The Emscripten factory of libarchive.js's wasm build (the package types only its worker API). */
declare module 'libarchive.js/src/webworker/wasm-gen/libarchive.js' {
  const createLibarchive: (moduleArg: Record<string, unknown>) => Promise<unknown>;
  export default createLibarchive;
}
