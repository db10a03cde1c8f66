// Headers every answer of castwright serve carries. The pages run only the site's own script files
// (no inline script: the player, copy buttons, timestamps that seek), load their stylesheet from the
// site and post forms only to it; images and audio may come from anywhere
// (cover art and episodes usually live on a CDN).
export const PAGE_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  'img-src * data:',
  'media-src *',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The digests under email/ (the web copy that "view in browser" opens, and the built messages) are
 * email HTML: their styles are inline, as email clients need, and they run no script at all.
 */
export const EMAIL_POLICY = ["default-src 'none'", "style-src 'unsafe-inline'", 'img-src * data:', "form-action 'none'", "base-uri 'none'", "frame-ancestors 'self'"].join('; ');

export function securityHeaders(type: string, options: { token?: boolean; email?: boolean } = {}): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    // A page reached by a personal link must not hand that link to the next site as Referer.
    'Referrer-Policy': options.token ? 'no-referrer' : 'strict-origin-when-cross-origin',
    ...(type.startsWith('text/html') ? { 'Content-Security-Policy': options.email ? EMAIL_POLICY : PAGE_POLICY, 'X-Frame-Options': options.email ? 'SAMEORIGIN' : 'DENY' } : {}),
  };
}
