// Cover art as Apple requires it: JPEG or PNG, square, 1,400 to 3,000 pixels a side, in RGB, with
// a file name that says its real type. Read from the file's first bytes (PNG's header, JPEG's
// frame marker); every loop over the bytes moves forward, so a hostile file ends the scan.

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'heic' | 'avif' | 'bmp' | 'tiff' | 'unknown';

export interface ImageFacts {
  format: ImageFormat;
  width?: number;
  height?: number;
  /** rgb (alpha allowed), gray, palette (PNG) or cmyk (JPEG). */
  color?: 'rgb' | 'gray' | 'palette' | 'cmyk';
}

export const ARTWORK_MIN = 1400;
export const ARTWORK_MAX = 3000;

export function sniffFormat(bytes: Uint8Array): ImageFormat {
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand.startsWith('avi')) return 'avif';
    if (/^(heic|heix|mif1|msf1|hevc)/.test(brand)) return 'heic';
  }
  if (ascii(0, 2) === 'BM') return 'bmp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  return 'unknown';
}

function pngFacts(bytes: Buffer): ImageFacts {
  if (bytes.length < 26 || bytes.toString('latin1', 12, 16) !== 'IHDR') return { format: 'png' };
  const colorType = bytes[25];
  const color = colorType === 2 || colorType === 6 ? 'rgb' : colorType === 3 ? 'palette' : 'gray';
  return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), color };
}

function jpegFacts(bytes: Buffer): ImageFacts {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return { format: 'jpeg' };
    const marker = bytes[at + 1]!;
    // Fill bytes and markers without a length (RSTn, TEM) are skipped one at a time.
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    // SOF0-SOF15 (not DHT C4, JPG C8, DAC CC): precision, height, width, component count.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const components = bytes[at + 9];
      const color = components === 1 ? 'gray' : components === 4 ? 'cmyk' : 'rgb';
      return { format: 'jpeg', height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7), color };
    }
    if (length < 2) return { format: 'jpeg' };
    at += 2 + length;
  }
  return { format: 'jpeg' };
}

export function imageFacts(data: Uint8Array): ImageFacts {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const format = sniffFormat(bytes);
  if (format === 'png') return pngFacts(bytes);
  if (format === 'jpeg') return jpegFacts(bytes);
  return { format };
}

export interface ArtworkProblem {
  code: 'feed/artwork-type' | 'feed/artwork-size' | 'feed/artwork-color' | 'feed/artwork-extension';
  severity: 'error' | 'warning';
  message: string;
}

const EXTENSIONS: Record<string, ImageFormat> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', heic: 'heic', avif: 'avif' };
const TYPES: Record<string, ImageFormat> = { 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };

/** What Apple would say of this artwork; `url` and `contentType` tell what its address and server claim. */
export function judgeArtwork(facts: ImageFacts, url: string, contentType?: string): ArtworkProblem[] {
  const problems: ArtworkProblem[] = [];
  const name = facts.format === 'unknown' ? 'not an image castwright recognises' : facts.format.toUpperCase();
  if (facts.format !== 'jpeg' && facts.format !== 'png') {
    return [{ code: 'feed/artwork-type', severity: 'error', message: `the artwork ${url} is ${name}; Apple takes JPEG or PNG only` }];
  }
  if (facts.width === undefined || facts.height === undefined) {
    problems.push({ code: 'feed/artwork-type', severity: 'error', message: `the artwork ${url} is a ${name} whose size cannot be read (a damaged or truncated file)` });
  } else if (facts.width !== facts.height || facts.width < ARTWORK_MIN || facts.width > ARTWORK_MAX) {
    problems.push({
      code: 'feed/artwork-size',
      severity: 'error',
      message: `the artwork ${url} is ${facts.width} × ${facts.height} px; Apple requires a square of ${ARTWORK_MIN} to ${ARTWORK_MAX} px`,
    });
  }
  if (facts.color && facts.color !== 'rgb') {
    problems.push({ code: 'feed/artwork-color', severity: 'warning', message: `the artwork ${url} is in ${facts.color === 'cmyk' ? 'CMYK' : facts.color === 'gray' ? 'grayscale' : 'a palette of colours'}; Apple asks for RGB` });
  }
  // A URL's path, or a local file's name (load/image-file.ts).
  let where = url;
  try {
    where = new URL(url).pathname;
  } catch {
    where = url;
  }
  const last = where.split('/').pop() ?? '';
  const extension = last.includes('.') ? (last.split('.').pop()?.toLowerCase() ?? '') : '';
  const claimed = EXTENSIONS[extension];
  const served = contentType ? TYPES[contentType.split(';')[0]!.trim().toLowerCase()] : undefined;
  if ((claimed && claimed !== facts.format) || (served && served !== facts.format)) {
    const said = [claimed && claimed !== facts.format ? `its name ends in .${extension}` : '', served && served !== facts.format ? `the server calls it ${contentType}` : ''].filter(Boolean).join(' and ');
    problems.push({ code: 'feed/artwork-extension', severity: 'warning', message: `the artwork ${url} is a ${name}, but ${said}; Apple asks that the name match the real type` });
  }
  return problems;
}
