// Audio files made at test time, so none is committed: a PCM WAV and a constant-bitrate MP3 of
// silence, optionally with ID3v2.3 chapter frames (CTOC and CHAP), written byte by byte.

/** A mono 16-bit PCM WAV of `seconds` of silence at `rate` samples a second. */
export function wavFile(seconds: number, rate = 8000): Buffer {
  const data = Math.round(seconds * rate) * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes a second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits a sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data, 40);
  return Buffer.concat([header, Buffer.alloc(data)]);
}

/** MPEG-1 Layer III, 64 kbit/s, 44.1 kHz, mono: 1152 samples in each 208-byte frame. */
const MP3_FRAME_HEADER = [0xff, 0xfb, 0x50, 0xc0];
const MP3_FRAME_BYTES = Math.floor((144 * 64000) / 44100);
export const MP3_FRAME_SECONDS = 1152 / 44100;

export interface Id3Chapter {
  startMs: number;
  endMs: number;
  title: string;
}

function id3Frame(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.write(id, 0, 'latin1');
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

const cString = (text: string) => Buffer.from(`${text}\0`, 'latin1');

function syncsafe(size: number): Buffer {
  return Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
}

/** An ID3v2.3 tag holding a table of contents and one CHAP frame (with its TIT2 title) per chapter. */
export function id3Chapters(chapters: readonly Id3Chapter[]): Buffer {
  const ids = chapters.map((_, index) => `chp${index}`);
  const toc = id3Frame('CTOC', Buffer.concat([cString('toc'), Buffer.from([0x03, chapters.length]), ...ids.map(cString)]));
  const chaps = chapters.map((chapter, index) => {
    const times = Buffer.alloc(16, 0xff);
    times.writeUInt32BE(chapter.startMs, 0);
    times.writeUInt32BE(chapter.endMs, 4);
    const title = id3Frame('TIT2', Buffer.concat([Buffer.from([0x00]), Buffer.from(chapter.title, 'latin1')]));
    return id3Frame('CHAP', Buffer.concat([cString(ids[index]!), times, title]));
  });
  const body = Buffer.concat([toc, ...chaps]);
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([0x03, 0x00, 0x00]), syncsafe(body.length), body]);
}

/** A CBR MP3 of silence lasting `frames` frames (MP3_FRAME_SECONDS each), after an optional ID3 tag. */
export function mp3File(frames: number, tag?: Buffer): Buffer {
  const frame = Buffer.alloc(MP3_FRAME_BYTES);
  Buffer.from(MP3_FRAME_HEADER).copy(frame);
  return Buffer.concat([tag ?? Buffer.alloc(0), ...Array.from({ length: frames }, () => frame)]);
}
