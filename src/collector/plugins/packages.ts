/** Extension packages and update manifests under /extension/ (ingest token, header or ?token=): see ../packages.ts. */
import type { CollectorPlugin } from '../context.js';
import { PackageStore, registerPackageRoutes } from '../packages.js';

export const packageRoutes: CollectorPlugin<{ packagesDir?: string; baseUrl: () => string }> = async (app, { ctx, packagesDir, baseUrl }) => {
  registerPackageRoutes(app, {
    store: packagesDir ? new PackageStore(packagesDir) : null,
    baseUrl: () => ctx.publicUrl ?? baseUrl(),
    guard: app.requireToken('ingest', true),
    tokenOf: (req) => app.tokenOf(req, true) ?? '',
    metrics: ctx.metrics,
  });
};
