// Options shared by several commands.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import type { OptionSpec } from './args.ts';

export const contentOption: OptionSpec = {
  type: 'string',
  value: '<dir>',
  default: 'episodes',
  description: 'folder with show.yml and the episode files',
};

/** A missing content folder is a usage mistake (exit 2), not invalid content. */
export async function requireFolder(dir: string, option: string, cwd: string): Promise<void> {
  const info = await stat(path.resolve(cwd, dir)).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${option} ${dir}: no such folder`);
}

export const listsOption: OptionSpec = {
  type: 'string',
  value: '<dir>',
  description: 'folder of the reader lists, subscribers.csv and unsubscribed.csv (default: lists/ beside the content folder)',
};

/** The publish guard's options, which `build` and `check` share (check/run-guard.ts reads them). */
export const guardOptions: Record<string, OptionSpec> = {
  against: {
    type: 'string',
    value: '<feed>',
    description: 'the live feed to compare with: a file or an http(s) URL (default: the earlier build, <out>/feed.xml)',
  },
  accept: {
    type: 'string',
    value: '<guid|file>',
    multiple: true,
    description: 'publish a change the guard stops, once: an episode\'s guid, its file or slug, or show.yml',
  },
  'no-guard': { type: 'boolean', description: 'compare with no live feed: only for a first publish, when nothing is live yet' },
};
