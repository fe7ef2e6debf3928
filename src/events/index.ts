/** The event schema and its encodings: import from here. */
export * from './schema.js';
export * from './encode.js';
