// The publish guard's live feed: the feed.xml the target holds now, which is what apps have read.
// Read from the target itself, not from a copy that may have drifted from it; a feed there that
// cannot be read stops the publish (as a finding), and a target that cannot be asked stops it too.
import { UnreadableFeed } from '../check/live.ts';
import type { LiveSource } from '../check/run-guard.ts';
import { MAX_OWN_FEED_BYTES } from '../feed-reader/source.ts';
import { FEED_FILE } from './kinds.ts';
import { UnreadableFile, type Target } from './target.ts';

export function liveFeedOn(target: Target): LiveSource {
  const name = target.shown(FEED_FILE);
  const readOn = async (file: string) => {
    try {
      return await target.readFile(file, MAX_OWN_FEED_BYTES);
    } catch (error) {
      if (error instanceof UnreadableFile) throw new UnreadableFeed(target.shown(file), undefined, error.reason);
      throw error;
    }
  };
  return {
    name,
    advice:
      'put the feed apps last read back on the target, or compare with a copy of it (--against <file or URL>); ' +
      "if none is left, --no-guard --force uploads this build's feed over it",
    read: () => readOn(FEED_FILE),
    // The pages of a paged feed (feed.limit) sit beside it on the target.
    async readPage(file) {
      const bytes = await readOn(file);
      return bytes && { bytes, name: target.shown(file) };
    },
  };
}
