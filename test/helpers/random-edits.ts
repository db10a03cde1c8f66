// What the tests of builds after a random sequence of saves share (issue 9): a seeded random
// source, so a failure can be replayed, and a new episode made from an existing one.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** mulberry32: the same sequence for the same seed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes episode number `made` into `folder`, on a random day of March 2021, from `template`'s text. */
export async function addEpisode(folder: string, template: string, made: number, next: () => number): Promise<void> {
  const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
  const text = template
    .replace(/^title: .*$/m, `title: Added episode ${made}`)
    .replace(/^date: .*$/m, `date: 2021-03-${day}T07:00:00-07:00`)
    .replace(/^episode: .*$/m, `episode: ${400 + made}`)
    .replace(/url: https:\/\/cdn\.example\.com\/[^\n]*/, `url: https://cdn.example.com/equity/added-${made}.mp3`);
  await writeFile(path.join(folder, `2021-03-${day}-added-${made}.md`), text);
}
