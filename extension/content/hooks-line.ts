/** The guard's end of the line to the page hooks, for what it tells them unasked (text-watch.ts). */
import type { ToHooks } from './bridge.js';

let port: MessagePort | null = null;

export function setHooksPort(p: MessagePort): void {
  port = p;
}

export function tellHooks(m: ToHooks): void {
  port?.postMessage(m);
}
