/** The guard's decision, platform-free: the browser binds its ports (extension/content/adapter.ts). */
export * from './guard.js';
export * from './find.js';
export * from './memory.js';
export * from './page.js';
export * from './protocol.js';
export * from './answer.js';
export * from './url-text.js';
export * from './text-prefilter.js';
export * from './typing.js';
