/** The detection engine: decides whether a file or a text is marked confidential (MARKINGS.md). */
export { checkName, scanBlob, scanText } from './scan.js';
export { sha256Blob } from './sha256.js';
export { describeLocation, type Lang } from './describe.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export type * from './types.js';
