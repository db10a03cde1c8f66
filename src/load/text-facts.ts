// What load works out from an episode file's text alone (the hash it is cached under, whether it
// may name other files), kept with the read it came from. dev's reader (dev/kept-reads.ts) gives
// the very same read back for a file that has not changed since, so a save of one episode hashes and
// searches one text rather than every episode's (~25 ms a save at 1,000 episodes, issue 9). Kept by
// the read's identity, never by path: a read is one text, so what is found of it stays true; a
// reader that reads afresh (a build) makes new reads, each looked at once.
import { contentHash } from '../cache/fingerprint.ts';

// What may name a file in an episode's front matter: the key, perhaps quoted, then a colon (the key
// may sit in a flow mapping, `audio: { file: … }`). A cheap look before parsing.
export const NAMES_AUDIO = /\bfile\b["']?\s*:/;
export const NAMES_IMAGE = /\bimage\b["']?\s*:/;
export const NAMES_TRANSCRIPT = /\btranscript\b["']?\s*:/;

/** Which of the keys that name files the text mentions. */
export interface Mentions {
  audio: boolean;
  image: boolean;
  transcript: boolean;
}

interface Facts {
  digest?: string;
  mentions?: Mentions;
}

const known = new WeakMap<{ text: string }, Facts>();

function factsOf(read: { text: string }): Facts {
  let facts = known.get(read);
  if (!facts) known.set(read, (facts = {}));
  return facts;
}

/** The hex SHA-256 of the text (cache/fingerprint.ts's contentHash). */
export function digestOf(read: { text: string }): string {
  const facts = factsOf(read);
  return (facts.digest ??= contentHash(read.text));
}

export function mentionsOf(read: { text: string }): Mentions {
  const facts = factsOf(read);
  return (facts.mentions ??= { audio: NAMES_AUDIO.test(read.text), image: NAMES_IMAGE.test(read.text), transcript: NAMES_TRANSCRIPT.test(read.text) });
}

/** Whether the text may name other files (a key that does is mentioned). */
export const mayNameFiles = (read: { text: string }): boolean => {
  const { audio, image, transcript } = mentionsOf(read);
  return audio || image || transcript;
};
