/**
 * Why the collector refused a new account or token name with 409, read from its error (accounts/manage.ts),
 * for the admin page's message (outside admin/: no DOM or JSX, so unit tests import it): the existing name
 * it looks like, or that a revoked token had it; null for any other conflict (the name is taken).
 */
export function nameRefusal(error: string): { lookAlike: string } | { usedBefore: true } | null {
  const like = /looks like the existing (?:account|token) "([^"]+)"/.exec(error);
  if (like) return { lookAlike: like[1]! };
  return /revoked token had this name/.test(error) ? { usedBefore: true } : null;
}
