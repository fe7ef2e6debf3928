/**
 * What most suites set up the same way: a site server for their host names and Chromium with the built
 * extension (Japanese UI) mapping the same names, started before the file's tests and closed after them.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchWithExtension, type Launched } from './browser.js';
import { startSiteServer, type SiteServer } from './site-server.js';

export interface SiteSuite {
  readonly server: SiteServer;
  readonly browser: Launched;
  /** A new tab on the suite's page, served under `host`. */
  open(host: string): Promise<Page>;
}

/** Call at a test file's top level: registers the file's beforeAll and afterAll. `args`: Chromium's extra switches. */
export function siteSuite(hosts: string[], path: string, site: { pages?: Record<string, string>; h2?: boolean; args?: string[] } = {}): SiteSuite {
  let server: SiteServer | undefined;
  let browser: Launched | undefined;
  beforeAll(async () => {
    server = await startSiteServer({ pages: site.pages, h2: site.h2, hosts });
    browser = await launchWithExtension({ lang: 'ja', hosts, args: site.args });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('siteSuite: used before its beforeAll ran');
    return x;
  };
  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
    async open(host) {
      const page = await started(browser).context.newPage();
      await page.goto(started(server).url(host, path));
      return page;
    },
  };
}
