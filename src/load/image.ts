// Local artwork (`image` in show.yml or an episode naming a file of the content folder), read with
// sharp (libvips) for what Apple checks: the real format, the size, the colour space, and that
// the whole image decodes (a file cut short keeps its header). sharp is imported only when a show
// has local artwork. What was read is cached by the file's SHA-256 in .castwright/images.json.
import { ARTWORK_MAX, type ImageFacts, type ImageFormat } from '../check/artwork.ts';
import { HashedFacts, type Read } from './hashed-facts.ts';

export type ReadImage = Read<ImageFacts>;

/** The formats by the names sharp gives them. */
const FORMATS: Readonly<Record<string, ImageFormat>> = { jpeg: 'jpeg', jpg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', tiff: 'tiff', heif: 'heic', avif: 'avif', bmp: 'bmp' };

/** The first line of libvips' message: the rest repeats it. */
const reason = (error: unknown) => (error as Error).message.split('\n')[0]!.trim();

async function parseImage(file: string): Promise<ImageFacts | string> {
  const { default: sharp } = await import('sharp');
  let metadata;
  try {
    // The header only: no pixel limit here (the size is judged), libvips' limit stays on the decode below.
    metadata = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (error) {
    return `is not an image castwright can read (${reason(error)}); expected a JPEG or PNG`;
  }
  const format = FORMATS[metadata.format ?? ''] ?? 'unknown';
  // Art larger than Apple takes is refused for its size: its header is enough, and decoding a header
  // that claims 60,000 px a side (a few bytes can) would only hit libvips' pixel limit.
  const oversized = (metadata.width ?? 0) > ARTWORK_MAX || (metadata.height ?? 0) > ARTWORK_MAX;
  if ((format === 'jpeg' || format === 'png') && !oversized) {
    try {
      await sharp(file, { failOn: 'truncated' }).stats();
    } catch (error) {
      return `is a damaged or truncated ${format.toUpperCase()} (${reason(error)}); expected a whole JPEG or PNG`;
    }
  }
  const color = metadata.space === 'cmyk' ? 'cmyk' : metadata.isPalette ? 'palette' : metadata.space === 'b-w' || metadata.space === 'grey16' ? 'gray' : 'rgb';
  return { format, width: metadata.width, height: metadata.height, color };
}

/** Reads and remembers image facts by file hash (load/hashed-facts.ts). */
export const imageReader = (cacheFile?: string) => new HashedFacts(parseImage, 1, cacheFile);
