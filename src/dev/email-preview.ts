// The email preview pages: the digest in a desktop and a mobile frame, light or dark, with its
// subject, preheader, text part and HTML size against Gmail's clipping limit.
import { GMAIL_CLIP_BYTES, type Digest } from '../render/email.ts';
import type { Render } from '../render/templates.ts';
import type { Episode } from '../model/types.ts';

/** From here on the preview warns that Gmail's limit is near. */
export const WARN_BYTES = 90 * 1024;

export interface SizeReport {
  bytes: number;
  text: string;
  limitText: string;
  status: 'ok' | 'warn' | 'over';
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;

export function sizeReport(html: string): SizeReport {
  const bytes = Buffer.byteLength(html);
  const status = bytes > GMAIL_CLIP_BYTES ? 'over' : bytes >= WARN_BYTES ? 'warn' : 'ok';
  return { bytes, text: kilobytes(bytes), limitText: kilobytes(GMAIL_CLIP_BYTES), status };
}

/**
 * The digest as a dark-mode email app shows it. Browsers give an iframe the light scheme whatever
 * its parent says, so the dark rules are switched on outright.
 */
export function darkVariant(html: string): string {
  return html.replace(/@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)/g, '@media all');
}

/** Output path → page, for both schemes of one episode's email preview. */
export function emailPreviewPages(render: Render, episode: Pick<Episode, 'slug' | 'title'>, digest: Digest): Map<string, string> {
  const base = `email/${episode.slug}`;
  const context = { episode, digest, size: sizeReport(digest.html) };
  return new Map([
    [`${base}.dark.html`, darkVariant(digest.html)],
    [`${base}/index.html`, render({ ...context, scheme: 'light', emailSrc: `/${base}.html` })],
    [`${base}/dark/index.html`, render({ ...context, scheme: 'dark', emailSrc: `/${base}.dark.html` })],
  ]);
}
