// Splits an episode file into its front matter and Markdown body, and reads the front matter as
// YAML with line positions. The split is gray-matter's (4.0.3), done here: gray-matter loads js-yaml
// and esprima for engines castwright never uses, a tenth of a one-edit rebuild's start.
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
  let split: { frontMatter?: YamlSource; content: string };
  try {
    split = splitAsGrayMatter(source, file);
  } catch (error) {
    return [{ file, line: 1, message: `unreadable front matter: ${(error as Error).message}` }];
  }
  if (!/\n---[^\S\n]*(\n|$)/.test(source.slice(3))) {
    return [{ file, line: 1, message: 'front matter is not closed; expected a line with --- after the fields' }];
  }
  const bodyLineOffset = countLines(source.slice(0, source.length - split.content.length));
  return { frontMatter: split.frontMatter ?? readYaml('', file), body: split.content, bodyLineOffset };
}

/**
 * gray-matter's split of a source that opens with `---` and an accepted language on the first line
 * (see splitFrontMatter): the block runs to the first line starting with `---` (or to the end), and
 * the body starts after that line's first four characters and one line break. A block of nothing
 * but comments is not read; a language gray-matter has no engine for throws, as it did.
 */
function splitAsGrayMatter(source: string, file: string): { frontMatter?: YamlSource; content: string } {
  let rest = source.slice(3);
  // What follows the dashes on their line names the language (the opening pattern found a line break).
  const raw = rest.slice(0, rest.indexOf('\n'));
  const language = raw.trim();
  if (language) rest = rest.slice(raw.length);
  let close = rest.indexOf('\n---');
  if (close === -1) close = rest.length;
  const block = rest.slice(0, close);
  let content = close === rest.length ? '' : rest.slice(close + 4);
  if (content.startsWith('\n')) content = content.slice(1);
  if (block.replace(/^\s*#[^\n]+/gm, '').trim() === '') return { content };
  // gray-matter looks an engine up by the name as written, then by its alias (yaml and yml, any case).
  const engine = ['yaml', 'json'].includes(language || 'yaml') || ['yaml', 'yml'].includes(language.toLowerCase());
  if (!engine) throw new Error(`gray-matter engine "${language}" is not registered`);
  return { frontMatter: readYaml(block, file), content };
}
