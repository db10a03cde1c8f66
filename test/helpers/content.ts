// Small content folders for tests, built in a temporary folder from named fixtures.
import { mkdtemp, mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentError } from '../../src/errors.ts';
import { loadContent } from '../../src/load/content.ts';
import { formatProblem } from '../../src/problems.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

export function fixture(name: string): Promise<string> {
  return readFile(path.join(FIXTURES, name), 'utf8');
}

const made: string[] = [];

/** A fresh temporary folder, removed by `cleanUp`. */
export async function tempDir(prefix = 'castwright-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function cleanUp(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * A workspace holding `episodes/` with the fixture show.yml and the given files (path → text);
 * messages then name files as `episodes/<name>` relative to the workspace.
 */
export async function workspace(files: Record<string, string>, options: { show?: string } = {}): Promise<string> {
  const root = await tempDir();
  const content = path.join(root, 'episodes');
  await mkdir(content, { recursive: true });
  await writeFile(path.join(content, 'show.yml'), options.show ?? (await fixture('show.yml')));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(content, name)), { recursive: true });
    await writeFile(path.join(content, name), text);
  }
  return root;
}

/** Every problem of loading a workspace's content, as `file:line: message`; none when it loads. */
export async function loadProblems(root: string): Promise<string[]> {
  try {
    await loadContent(path.join(root, 'episodes'), { cwd: root });
    return [];
  } catch (error) {
    if (error instanceof ContentError) return error.problems.map(formatProblem);
    throw error;
  }
}
