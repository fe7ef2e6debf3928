/** The event schema, its encodings, and how events are made: import from here. */
export * from './schema.js';
export * from './encode.js';
export * from './finding.js';
export * from './location.js';
export * from './build.js';
