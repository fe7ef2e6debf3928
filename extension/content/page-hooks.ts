/**
 * MAIN-world page hooks, injected at document_start before any page script (the background registers
 * this file by name). The hooks themselves, one module per browser API, are in ./hooks/.
 */
import { installHooks } from './hooks/index.js';

installHooks(window as Window & typeof globalThis);
