/**
 * Which request types the network layer listens to (network-guard.ts). Its rules read request bodies,
 * and the URLs of the requests a page sends data with (fetch/XHR, beacons, frames, navigations). A page
 * loads scripts, styles, images, fonts, media, bundles, plugin data and WebSocket upgrades with GET,
 * never with a body: a listener on those would cost every page load a message to the service worker
 * per resource, and with blocking granted each resource would also wait for the worker's answer
 * (stamped text in such a URL is stopped by url-rule.ts instead, inside Chromium). Every other type
 * stays, including any type this list does not know (a type added to a later browser is listened
 * to: fail closed). Platform-free.
 */

/** Chromium's and Firefox's names of types that never carry a body. */
const BODILESS = new Set([
  'script', 'stylesheet', 'image', 'imageset', 'font', 'media', 'webbundle', 'websocket', 'object', 'object_subrequest',
  'xslt', 'xml_dtd', 'web_manifest', 'speculative',
]);

/**
 * The browser's request types (`webRequest.ResourceType`, an enum object) minus the bodiless ones; no
 * filter at all (every request) when the browser gives no such list.
 */
export function bodyTypes<T extends string>(resourceType: Record<string, T> | undefined): T[] | undefined {
  const all = Object.values(resourceType ?? {});
  const kept = all.filter((t) => !BODILESS.has(t));
  return kept.length ? kept : undefined;
}
