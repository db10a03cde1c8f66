// Images made at test time with sharp (none is committed): cover art as Apple takes it, and each
// way it can be wrong.
import sharp from 'sharp';

const canvas = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } });

/** A JPEG in RGB, `width` × `height`. */
export const rgbJpeg = (width = 1400, height = width) => canvas(width, height).jpeg().toBuffer();
export const rgbPng = (width = 1400, height = width) => canvas(width, height).png().toBuffer();
export const cmykJpeg = (size = 1400) => canvas(size, size).toColourspace('cmyk').jpeg().toBuffer();
export const grayPng = (size = 1400) => canvas(size, size).toColourspace('b-w').png().toBuffer();
export const palettePng = (size = 1400) => canvas(size, size).png({ palette: true }).toBuffer();
export const webp = (size = 1400) => canvas(size, size).webp().toBuffer();
