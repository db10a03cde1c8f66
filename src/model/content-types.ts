// The media type of each file of the site, by its name: one table for every place that says it, so
// a file is the same thing in the dev preview, from `castwright serve` and on the publish target
// (S3 keeps the type it was uploaded with). Audio and video published with the site (audio.copy)
// have the type the feed's enclosure names (load/audio.ts), Apple's names: audio/x-m4a for M4A.

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  // application/xml rather than application/rss+xml: apps read either, and browsers show an
  // application/xml feed through its stylesheet where they would download an rss+xml one.
  xml: 'application/xml; charset=utf-8',
  xsl: 'application/xslt+xml; charset=utf-8',
  xslt: 'application/xslt+xml; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  // JSON is UTF-8 by definition (RFC 8259 defines no charset parameter).
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip',
  mp3: 'audio/mpeg',
  m4a: 'audio/x-m4a',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  woff: 'font/woff',
  webmanifest: 'application/manifest+json',
};

/** An episode's chapters file, which goes out as Podcasting 2.0 names its type. */
export const CHAPTERS_PATH = /(?:^|\/)chapters\.json$/;

/** The media type of a file of the site (`episodes/x/index.html`); application/octet-stream for a name not in the table. */
export function contentTypeOf(path: string): string {
  if (CHAPTERS_PATH.test(path)) return 'application/json+chapters';
  // JSON Feed's own media type (jsonfeed.org 1.1).
  if (path === 'feed.json') return 'application/feed+json; charset=utf-8';
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return TYPES[extension] ?? 'application/octet-stream';
}
