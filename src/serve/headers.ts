// Headers every answer of castwright serve carries. The pages run only the site's own script file
// (no inline script), load their stylesheet from the site and post forms only to it; images and audio may come from anywhere
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

export function securityHeaders(type: string, options: { token?: boolean } = {}): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    // A page reached by a personal link must not hand that link to the next site as Referer.
    'Referrer-Policy': options.token ? 'no-referrer' : 'strict-origin-when-cross-origin',
    ...(type.startsWith('text/html') ? { 'Content-Security-Policy': PAGE_POLICY, 'X-Frame-Options': 'DENY' } : {}),
  };
}
