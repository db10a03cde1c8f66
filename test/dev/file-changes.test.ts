// dev sends a save's files across threads as what changed since the files the server holds
// (issue 9): applied to those, the changes must give exactly the new build's files.
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { applyChanges, diffFiles, movableChanges, type FileChanges, type PreviewContent } from '../../src/dev/build-worker.ts';
import type { ByteChunks, OutputContent } from '../../src/model/source-file.ts';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** Files as the server holds them (UTF-8 bytes), read back as texts. */
const asTexts = (held: ReadonlyMap<string, PreviewContent>) => new Map([...held].map(([file, content]) => [file, content instanceof Uint8Array ? Buffer.from(content).toString('utf8') : content]));


/** The changes as dev's build thread posts them (movableChanges), received on the other side of a real message channel. */
async function acrossThreads(changes: FileChanges<OutputContent>): Promise<{ got: FileChanges; transfer: ArrayBuffer[] }> {
  const { changes: moved, transfer } = movableChanges(changes);
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<FileChanges>((resolve) => port2.once('message', resolve));
  port1.postMessage(moved, transfer);
  const got = await received;
  port1.close();
  return { got, transfer };
}
describe('the files a save sends to the server', () => {
  const before = files({ 'index.html': 'home', 'episodes/a/index.html': 'a', 'episodes/b/index.html': 'b', 'feed.xml': 'feed' });
  const after = files({ 'index.html': 'home, retitled', 'episodes/a/index.html': 'a', 'episodes/c/index.html': 'c', 'feed.xml': 'feed' });

  it('are only the changed, added and removed files, and rebuild the new set exactly', () => {
    const changes = diffFiles(before, 'one', after, 'two');
    expect(changes).toEqual({ id: 'two', base: 'one', set: [['index.html', 'home, retitled'], ['episodes/c/index.html', 'c']], removed: ['episodes/b/index.html'] });
    expect(asTexts(applyChanges(before, movableChanges(changes).changes))).toEqual(after);
  });

  it('are every file when the server holds none the thread knows of, and then replace what it holds', () => {
    const changes = diffFiles(undefined, undefined, after, 'fresh');
    expect(changes.base).toBeUndefined();
    expect(asTexts(applyChanges(before, movableChanges(changes).changes))).toEqual(after);
  });

  it('leave the files they were applied to as they were', () => {
    const copy = new Map(before);
    applyChanges(before, movableChanges(diffFiles(before, 'one', after, 'two')).changes);
    expect(before).toEqual(copy);
  });
});

describe('the texts a save sends', () => {
  // Two-byte texts (a dash, an accent) as much as one-byte ones, small and large.
  const large = `<rss>${'é—episode '.repeat(40_000)}</rss>`;
  const changes = diffFiles(files({ 'index.html': 'home', 'feed.xml': 'feed' }), 'one', files({ 'index.html': 'home — retitled', 'robots.txt': 'User-agent: *', 'feed.xml': large }), 'two');

  it('cross threads as their UTF-8 bytes, each moved, not copied', async () => {
    const { got, transfer } = await acrossThreads(changes);
    expect(transfer).toHaveLength(3);
    // Moved: the sending side keeps nothing of them.
    expect(transfer.every((buffer) => buffer.byteLength === 0)).toBe(true);
    expect(got.set.every(([, content]) => content instanceof Uint8Array)).toBe(true);
    expect(asTexts(new Map(got.set))).toEqual(new Map(changes.set));
    expect(Buffer.byteLength(large)).toBe((got.set.find(([file]) => file === 'feed.xml')![1] as Uint8Array).byteLength);
  });
});

describe('a feed in pieces a save sends', () => {
  const bytes = (text: string) => Buffer.from(text);
  const items = ['<item>é one</item>', '<item>two</item>', '<item>three</item>'].map(bytes);
  const feed = (...middle: Uint8Array[]): ByteChunks => ({ chunks: [bytes('<rss>'), ...middle, bytes('</rss>')] });

  it('is not sent while its bytes are the same, however they are cut or whichever pieces hold them', () => {
    const before = new Map<string, OutputContent>([['feed.xml', feed(...items)]]);
    for (const same of [feed(...items), feed(...items.map((item) => Buffer.from(item))), { chunks: [bytes(`<rss>${items.join('')}</rss>`)] }]) {
      expect(diffFiles(before, 'one', new Map([['feed.xml', same]]), 'two').set).toEqual([]);
    }
  });

  it('is sent when a byte differs, even at the same length, and crosses threads as its bytes joined, moved', async () => {
    const before = new Map<string, OutputContent>([['feed.xml', feed(...items)]]);
    const edited = feed(items[0]!, bytes('<item>twO</item>'), items[2]!);
    const changes = diffFiles(before, 'one', new Map([['feed.xml', edited]]), 'two');
    expect(changes.set.map(([file]) => file)).toEqual(['feed.xml']);
    const { got, transfer } = await acrossThreads(changes);
    expect(transfer).toHaveLength(1);
    const sent = got.set[0]![1];
    expect(sent).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(sent as Uint8Array).toString('utf8')).toBe('<rss><item>é one</item><item>twO</item><item>three</item></rss>');
    // The pieces themselves stay with the build (its next diff compares against them).
    expect(items.every((item) => item.byteLength > 0)).toBe(true);
  });
});
