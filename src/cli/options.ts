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
