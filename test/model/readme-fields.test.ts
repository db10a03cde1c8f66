// The README's field tables name every field the schemas take: a field added to show.yml or the
// front matter (audio.file, feed.limit, audioPrefix…) without its row is a field no host can find.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { episodeSchema, showSchema } from '../../src/model/schema.ts';
import { PROJECT } from '../helpers/content.ts';

interface Node {
  shape?: Record<string, unknown>;
  in?: unknown;
  def?: { innerType?: unknown; in?: unknown; type?: string };
}

/** The object schema inside optional, default and transform wrappers (never an array's items). */
function objectOf(schema: unknown): Node | undefined {
  let node = schema as Node | undefined;
  for (let depth = 0; depth < 8 && node && !node.shape; depth++) {
    if (node.def?.type === 'array') return undefined;
    node = (node.in ?? node.def?.innerType ?? node.def?.in) as Node | undefined;
  }
  return node?.shape ? node : undefined;
}

/** Each field as [name, the field it is inside]: `audio.file` is ['file', 'audio']. */
function fields(schema: unknown, parent?: string): Array<[string, string | undefined]> {
  const shape = objectOf(schema)?.shape ?? {};
  return Object.entries(shape).flatMap(([key, value]): Array<[string, string | undefined]> => {
    const name = parent ? `${parent}.${key}` : key;
    return [[name, parent], ...fields(value, name)];
  });
}

/** The rows of the README table that follows `heading`, by the names in their first cell. */
function rows(readme: string, heading: string): Map<string, string> {
  const section = readme.slice(readme.indexOf(heading));
  const table = section.slice(section.indexOf('| field |'), section.indexOf('\n\n', section.indexOf('| field |')));
  const found = new Map<string, string>();
  for (const row of table.split('\n')) {
    const first = row.split('|')[1] ?? '';
    for (const match of first.matchAll(/`([^`]+)`/g)) found.set(match[1]!, row);
  }
  return found;
}

describe('the README', () => {
  it('has a row for every field of show.yml and of an episode (a field inside another in its own row, or named in its parent\'s)', async () => {
    const readme = await readFile(path.join(PROJECT, 'README.md'), 'utf8');
    for (const [schema, heading] of [
      [showSchema, '### `show.yml`'],
      [episodeSchema, '### Episode files'],
    ] as const) {
      const table = rows(readme, heading);
      const missing = fields(schema).filter(([name, parent]) => {
        // Its own row, or rows of its fields (`feed.limit` documents `feed`).
        if (table.has(name) || [...table.keys()].some((documented) => documented.startsWith(`${name}.`))) return false;
        const row = parent === undefined ? undefined : table.get(parent);
        return !(row && row.includes(name.slice(parent!.length + 1)));
      });
      expect(missing.map(([name]) => name), heading).toEqual([]);
    }
  });
});
