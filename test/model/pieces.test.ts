// Bytes in pieces, some set aside (issue 9): render knows only SetAside and SetAsideBytes, so any
// holder of bytes will do; the write stage's is a file of its work area (test/write/aside.test.ts).
import { describe, expect, it } from 'vitest';
import { AsidePieces, chunksOf, isPieces, piecesLength, piecesOf, type SetAside, type SetAsideBytes } from '../../src/model/pieces.ts';

/** Bytes set aside in memory, each read back counted. */
function memoryAside(): SetAside & { reads: number } {
  const held: Uint8Array[] = [];
  const aside = {
    reads: 0,
    put(bytes: Uint8Array): SetAsideBytes {
      held.push(Uint8Array.from(bytes));
      const index = held.length - 1;
      return {
        byteLength: bytes.byteLength,
        readInto: (into, offset) => {
          aside.reads++;
          into.set(held[index]!, offset);
        },
      };
    },
  };
  return aside;
}

describe('bytes in pieces', () => {
  const bytes = (text: string) => Buffer.from(text);

  it('come back in order from any SetAside, a run read into one batch with the small pieces held in it, each time they are taken', () => {
    const aside = memoryAside();
    const content = piecesOf([bytes('<head>'), aside.put(bytes('<a/>')), aside.put(bytes('<b/>')), bytes('<mid>'), aside.put(bytes('<c/>')), bytes('</end>')]);
    if (!(content instanceof AsidePieces)) throw new Error('expected pieces set aside');
    expect(isPieces(content)).toBe(true);
    expect(piecesLength(content)).toBe(Buffer.byteLength('<head><a/><b/><mid><c/></end>'));
    for (let taken = 0; taken < 2; taken++) {
      const chunks = [...content.chunks()];
      expect(Buffer.concat(chunks).toString()).toBe('<head><a/><b/><mid><c/></end>');
      // One batch: the pieces held between those set aside are copied in (feed.json's `,` between
      // items made each item a read and two writes).
      expect(chunks.map((chunk) => Buffer.from(chunk).toString())).toEqual(['<head><a/><b/><mid><c/></end>']);
    }
    expect(aside.reads).toBe(6);
  });

  it('read back into one buffer for chunksOf, each chunk valid until the next is taken; a piece held of a batch or more comes alone', () => {
    const aside = memoryAside();
    const large = Buffer.alloc(1024 * 1024, 'x');
    const content = piecesOf([bytes('<head>'), aside.put(bytes('<a/>')), aside.put(bytes('<b/>')), large, aside.put(bytes('<c/>')), bytes('</end>')]);
    const texts: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (const chunk of chunksOf(content)) {
      texts.push(chunk === large ? 'large' : Buffer.from(chunk).toString());
      if (chunk !== large) buffers.add(chunk.buffer);
    }
    expect(texts).toEqual(['<head><a/><b/>', 'large', '<c/></end>']);
    // The two batches read back share one buffer.
    expect(buffers.size).toBe(1);
  });

  it('are plain ByteChunks when every piece is held', () => {
    const held = [bytes('a'), bytes('b')];
    const content = piecesOf(held);
    expect(content).toEqual({ chunks: held });
    expect(isPieces(content)).toBe(true);
    expect([...chunksOf(content)]).toEqual(held);
  });
});
