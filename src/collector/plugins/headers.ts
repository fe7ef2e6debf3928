/** Security headers on every response, whatever route (or error) produced it. */
import { ADMIN_CSP, API_CSP } from '../admin-assets.js';
import { appWide, type CollectorPlugin } from '../context.js';

export const headers: CollectorPlugin = appWide(async (app) => {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('cache-control', 'no-store');
    // A route may set a stricter policy of its own (the report page allows exactly its stylesheet).
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', req.url.startsWith('/admin') ? ADMIN_CSP : API_CSP);
    return payload;
  });
});
