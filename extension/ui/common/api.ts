/** Typed requests from extension pages to the background (see background/ui-protocol.ts). */
import browser from 'webextension-polyfill';
import type { UiPolicy, UiStatus } from '../../background/ui-protocol.js';

export const getStatus = () => browser.runtime.sendMessage({ type: 'ui-status' }) as Promise<UiStatus>;
export const getPolicy = () => browser.runtime.sendMessage({ type: 'ui-policy' }) as Promise<UiPolicy>;
export const sendNow = () => browser.runtime.sendMessage({ type: 'ui-flush' }) as Promise<UiStatus>;
