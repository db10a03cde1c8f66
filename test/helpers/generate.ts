import path from 'node:path';
import { isSourceFile, textOf, type OutputContent, type SourceFile } from '../../src/model/source-file.ts';
import { generate, type Generated } from '../../src/pipeline.ts';
import { PROJECT } from './content.ts';

/** The sample show in episodes/, rendered in memory. */
export function generateSample(options: { drafts?: boolean } = {}): Promise<Generated> {
  return generate({ contentDir: path.join(PROJECT, 'episodes'), cwd: PROJECT, drafts: options.drafts, now: new Date('2026-01-01T00:00:00Z') });
}

/** A workspace made by `workspace()`, rendered in memory. */
export function generateWorkspace(root: string, options: { drafts?: boolean; now?: Date } = {}): Promise<Generated> {
  return generate({ contentDir: path.join(root, 'episodes'), cwd: root, drafts: options.drafts, now: options.now ?? new Date('2026-01-01T00:00:00Z') });
}

export function file(generated: Generated, name: string): string {
  const content = generated.files.get(name);
  if (content === undefined) throw new Error(`no output file ${name}; have ${[...generated.files.keys()].join(', ')}`);
  if (isSourceFile(content)) throw new Error(`output file ${name} is a file of the content folder (${content.source}), not text`);
  // A feed comes in pieces (its items' bytes): its text.
  return textOf(content);
}

/** Files as texts: a feed in pieces (or bytes) decoded, a file of the content folder as it is. */
export const asTexts = (files: ReadonlyMap<string, OutputContent>): Map<string, string | SourceFile> =>
  new Map([...files].map(([name, content]) => [name, isSourceFile(content) ? content : textOf(content)]));
