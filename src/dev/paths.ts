// Which preview file a request asks for. Anything that tries to climb out of the preview, even
// encoded, is refused outright rather than normalised into something that happens to exist.

/** The file key (e.g. `episodes/x/index.html`) for a request target, or undefined to answer 404. */
export function requestedFile(target: string): string | undefined {
  // Origin-form only ("/path?query"): an absolute URL or "*" is not a file of the preview.
  if (!target.startsWith('/') || target.startsWith('//')) return undefined;
  const rawPath = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (/[\\\0]/.test(path)) return undefined;
  const segments = path.slice(1).split('/');
  if (segments.some((segment, i) => segment === '..' || segment === '.' || (segment === '' && i < segments.length - 1))) {
    return undefined;
  }
  const key = segments.join('/');
  return key === '' || key.endsWith('/') ? `${key}index.html` : key;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  // Served as XML (not application/rss+xml) so browsers render the feed through its stylesheet.
  xml: 'application/xml; charset=utf-8',
  xsl: 'text/xsl; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
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
  ico: 'image/x-icon',
};

/** An episode's chapters file goes out as Podcasting 2.0 names its type. */
export const CHAPTERS_PATH = /(?:^|\/)chapters\.json$/;

export function contentType(file: string): string {
  if (CHAPTERS_PATH.test(file)) return 'application/json+chapters; charset=utf-8';
  return TYPES[file.slice(file.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}
