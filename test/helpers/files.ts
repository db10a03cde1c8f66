import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseHTML } from 'linkedom';

/** Every file under a folder as relative path → sha256, to compare whole trees byte for byte. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  const pairs = await Promise.all(
    files.map(async (file) => [path.relative(dir, file), createHash('sha256').update(await readFile(file)).digest('hex')] as const),
  );
  return Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : 1)));
}

export type Page = ReturnType<typeof parseHTML>['document'];

/** A DOM for an HTML string, from an HTML parser independent of our templates. */
export function dom(html: string): Page {
  return parseHTML(html).document;
}
