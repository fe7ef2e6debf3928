/**
 * Shared support for the real-Chromium tests. Small on purpose:
 *
 * - launchWithExtension({ policy?, extension?, hosts?, lang? }) → { context, extensionId, serviceWorker, close }
 *   Debian Chromium + dist/ loaded, hostnames in ALL_HOSTS mapped to 127.0.0.1, certificate errors ignored,
 *   optional managed policy file written before launch and removed on close.
 * - startSiteServer() → { url(host, path), received, clear, close, httpsPort, httpPort }
 *   HTTPS (self-signed, generated per run) + HTTP, any hostname, records uploads (name/size/sha256/text).
 * - readWarning(page) / dismissWarning / continueWithJustification / cancelWarning: the warning dialog,
 *   read through CDP (closed shadow root) and operated with the keyboard.
 * - siteSuite(hosts, path, { pages?, h2? }) → { server, browser, open(host) }: both of the above for a whole file.
 * - GUARDED_HOSTS, UNGUARDED_HOST, ALL_HOSTS; corpus(name) → Buffer of ../shared/corpus/name.
 *
 * Build first (`npm run build`).
 */
export * from './browser.js';
export * from './site-server.js';
export * from './warning.js';
export * from './lab.js';
export * from './site-suite.js';

export * from './corpus.js';
