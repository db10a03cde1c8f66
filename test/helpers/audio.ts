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

/** A FLAC stream: the marker and one STREAMINFO block telling `seconds` of 16-bit mono at `rate`, no frames. */
export function flacFile(seconds: number, rate = 44100): Buffer {
  const info = Buffer.alloc(34);
  info.writeUInt16BE(4096, 0); // smallest block, in samples
  info.writeUInt16BE(4096, 2); // largest block
  // Frame sizes (24 bits each) unknown: 0. Then 20 bits of rate, 3 of channels - 1, 5 of bits - 1, 36 of samples.
  const samples = BigInt(Math.round(seconds * rate));
  const packed = (BigInt(rate) << 44n) | (0n << 41n) | (15n << 36n) | samples;
  info.writeBigUInt64BE(packed, 10);
  const header = Buffer.from([0x80, 0x00, 0x00, 34]); // last block, type 0 (STREAMINFO), 34 bytes
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), header, info]);
}

/** The CRC of an Ogg page: polynomial 0x04C11DB7, not reflected, starting at 0. */
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc;
}

/** One Ogg page holding one whole packet (under 255 × 255 bytes). */
function oggPage(packet: Buffer, sequence: number, granule: bigint, flags: number): Buffer {
  const lacing: number[] = [];
  for (let left = packet.length; ; left -= 255) {
    lacing.push(Math.min(left, 255));
    if (left < 255) break;
  }
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header.writeUInt8(flags, 5); // 2: first page, 4: last page
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(0x0ca57, 14); // stream serial number
  header.writeUInt32LE(sequence, 18);
  header.writeUInt8(lacing.length, 26);
  const page = Buffer.concat([header, Buffer.from(lacing), packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** An Ogg Opus stream of `seconds` (granules count 48 kHz samples after the pre-skip): OpusHead, OpusTags, one silent packet. */
export function opusFile(seconds: number): Buffer {
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head.writeUInt8(1, 8); // version
  head.writeUInt8(1, 9); // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48000, 12); // input sample rate
  const vendor = Buffer.from('castwright test', 'latin1');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  // A 20 ms CELT frame of silence (TOC byte 0xf8: config 31, mono, one frame), repeated in the stream's only audio page.
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  return Buffer.concat([
    oggPage(head, 0, 0n, 0x02),
    oggPage(tags, 1, 0n, 0x00),
    oggPage(silence, 2, BigInt(Math.round(seconds * 48000) + preSkip), 0x04),
  ]);
}

function box(type: string, ...body: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.reduce((sum, part) => sum + part.length, 0), 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...body]);
}

/** A full box's version (0) and flags. */
const versioned = (body: Buffer) => Buffer.concat([Buffer.alloc(4), body]);

/** An M4A (MPEG-4 audio, AAC) of `seconds`: ftyp (major brand `brand`) and a moov with one sound track; no samples in mdat. */
export function m4aFile(seconds: number, brand = 'M4A ', rate = 44100): Buffer {
  const ftyp = box('ftyp', Buffer.from(`${brand}\0\0\0\0${brand}mp42isom`, 'latin1'));
  const mvhd = Buffer.alloc(96);
  mvhd.writeUInt32BE(1000, 8); // timescale
  mvhd.writeUInt32BE(Math.round(seconds * 1000), 12);
  mvhd.writeUInt32BE(0x00010000, 16); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 20); // volume 1.0
  mvhd.writeUInt32BE(0x00010000, 32); // identity matrix
  mvhd.writeUInt32BE(0x00010000, 48);
  mvhd.writeUInt32BE(0x40000000, 64);
  mvhd.writeUInt32BE(2, 92); // next track id
  const tkhd = Buffer.alloc(80);
  tkhd.writeUInt32BE(1, 8); // track id
  tkhd.writeUInt32BE(Math.round(seconds * 1000), 16);
  tkhd.writeUInt16BE(0x0100, 32); // volume
  tkhd.writeUInt32BE(0x00010000, 36);
  tkhd.writeUInt32BE(0x00010000, 52);
  tkhd.writeUInt32BE(0x40000000, 68);
  const mdhd = Buffer.alloc(20);
  mdhd.writeUInt32BE(rate, 8); // timescale: samples a second
  mdhd.writeUInt32BE(Math.round(seconds * rate), 12);
  mdhd.writeUInt16BE(0x55c4, 16); // language "und"
  const hdlr = Buffer.concat([Buffer.alloc(4), Buffer.from('soun', 'latin1'), Buffer.alloc(12), Buffer.from('SoundHandler\0', 'latin1')]);
  const mp4a = Buffer.alloc(28);
  mp4a.writeUInt16BE(1, 6); // data reference index
  mp4a.writeUInt16BE(1, 16); // channels
  mp4a.writeUInt16BE(16, 18); // bits a sample
  mp4a.writeUInt32BE(rate * 0x10000, 24); // sample rate, 16.16 fixed point
  const entries = Buffer.alloc(4);
  entries.writeUInt32BE(1, 0);
  const stbl = box(
    'stbl',
    box('stsd', versioned(Buffer.concat([entries, box('mp4a', mp4a)]))),
    box('stts', versioned(Buffer.alloc(4))),
    box('stsc', versioned(Buffer.alloc(4))),
    box('stsz', versioned(Buffer.alloc(8))),
    box('stco', versioned(Buffer.alloc(4))),
  );
  const minf = box('minf', box('smhd', versioned(Buffer.alloc(4))), stbl);
  const trak = box('trak', box('tkhd', versioned(tkhd)), box('mdia', box('mdhd', versioned(mdhd)), box('hdlr', versioned(hdlr)), minf));
  return Buffer.concat([ftyp, box('moov', box('mvhd', versioned(mvhd)), trak), box('mdat')]);
}
