// Splits an episode file into its front matter and Markdown body with gray-matter, and reads the
// front matter as YAML with line positions.
import matter from 'gray-matter';
import type { Problem } from '../problems.ts';
import { readYaml, type YamlSource } from './yaml.ts';

export interface SplitFile {
  frontMatter: YamlSource;
  body: string;
  /** Lines of the file before the body's first line. */
  bodyLineOffset: number;
}

const REFUSED = 'JavaScript front matter is refused (castwright never runs code from content); expected YAML between --- lines';

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

export function splitFrontMatter(text: string, file: string): SplitFile | Problem[] {
  // One line ending: gray-matter would leave a \r on the last front matter line of a Windows file.
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const opening = /^---[^\S\n]*(\w*)[^\S\n]*\n/.exec(source);
  if (!opening) {
    return [{ file, line: 1, message: 'no front matter; expected the episode fields between two --- lines at the top' }];
  }
  // Decided here, not by gray-matter's engine lookup: that lookup also finds names like
  // "constructor" on a plain object.
  const language = opening[1]!.toLowerCase();
  if (language === 'js' || language === 'javascript') return [{ file, line: 1, message: REFUSED }];
  if (!['', 'yaml', 'yml', 'json'].includes(language)) {
    return [{ file, line: 1, message: `front matter language "${opening[1]}" is not supported; expected YAML between --- lines` }];
  }
  let frontMatter: YamlSource | undefined;
  const read = (yaml: string) => {
    frontMatter = readYaml(yaml, file);
    return {};
  };
  const refuse = () => {
    throw new Error(REFUSED);
  };
  let parsed: { content: string };
  try {
    // Always with an options object: without one gray-matter caches every input forever. It would
    // `eval` ---js front matter: an engine that throws blocks every spelling, should one get past.
    parsed = matter(source, { language: 'yaml', engines: { yaml: read, json: read, javascript: refuse } });
  } catch (error) {
    return [{ file, line: 1, message: `unreadable front matter: ${(error as Error).message}` }];
  }
  if (!/\n---[^\S\n]*(\n|$)/.test(source.slice(3))) {
    return [{ file, line: 1, message: 'front matter is not closed; expected a line with --- after the fields' }];
  }
  const bodyLineOffset = countLines(source.slice(0, source.length - parsed.content.length));
  return { frontMatter: frontMatter ?? readYaml('', file), body: parsed.content, bodyLineOffset };
}
