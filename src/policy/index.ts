/** The policy model: types, shipped defaults, validation, merging, URL → service. Platform-free. */
export * from './types.js';
export * from './defaults.js';
export * from './match.js';
export * from './decide.js';
export { validateManaged, type Validated } from './validate.js';
export { mergePolicy, managedKeys } from './merge.js';
export { EXTENSION_ID, GECKO_ID } from './extension-id.js';
export { effectivePolicyFrom } from './load.js';
export * from './snapshot.js';
