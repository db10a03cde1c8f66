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
