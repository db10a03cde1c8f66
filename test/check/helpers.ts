// Shared by the check tests: the sample show in a fresh folder (built once, so its dist/feed.xml is
// "the live feed"), edits to its files, and findings read back from a command's output.
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { castwright, type MainResult } from '../import/helpers.ts';
import { PROJECT, tempDir } from '../helpers/content.ts';

export { castwright };

/** A copy of the sample show; built into dist/ when `built`. */
export async function sampleShow(options: { built?: boolean } = {}): Promise<string> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
  if (options.built) {
    const result = await castwright(['build'], root);
    if (result.code !== 0) throw new Error(`the sample show did not build: ${result.stderr}`);
  }
  return root;
}

/** Rewrites a file of the show (relative to the workspace). */
export async function edit(root: string, file: string, change: (text: string) => string): Promise<void> {
  const full = path.join(root, file);
  const before = await readFile(full, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit changed nothing in ${file}`);
  await writeFile(full, after);
}

export interface Shown {
  file: string;
  line?: number;
  severity: 'error' | 'warning';
  message: string;
  code: string;
}

/** Findings as a command prints them: `file:line: [warning: ]message [code]`. */
export function findingsIn(output: string): Shown[] {
  const found: Shown[] = [];
  for (const line of output.split('\n')) {
    const match = /^(.+?)(?::(\d+))?: (warning: )?(.*) \[([a-z0-9-]+\/[a-z0-9-]+)\]$/.exec(line);
    if (!match) continue;
    const [, file, at, warning, message, code] = match;
    found.push({ file: file!, ...(at ? { line: Number(at) } : {}), severity: warning ? 'warning' : 'error', message: message!, code: code! });
  }
  return found;
}

/** Lines of the earlier build's dist/feed.xml, found by text: what the guard's messages cite. */
export async function feedLines(root: string): Promise<{ line(text: string): number; item(guid: string): number }> {
  const lines = (await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8')).split('\n');
  const line = (text: string) => {
    const index = lines.findIndex((candidate) => candidate.includes(text));
    if (index === -1) throw new Error(`no line of dist/feed.xml has ${text}`);
    return index + 1;
  };
  const item = (guid: string) => {
    let index = line(`>${guid}</guid>`) - 1;
    while (index > 0 && !lines[index]!.includes('<item>')) index--;
    return index + 1;
  };
  return { line, item };
}

export type { MainResult };
