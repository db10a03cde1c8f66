// YAML read with positions, so that a schema problem at `audio.length` can name its line.
// The `yaml` package reads YAML 1.2: `8:12` stays text (YAML 1.1 would make it the number 492)
// and dates stay text for our own stricter parsing.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Alias, type Document, type Node, type YAMLError } from 'yaml';
import type * as z from 'zod';
import type { Problem } from '../problems.ts';
import { ownStrings } from './own-strings.ts';
import { readPlainYaml } from './plain-yaml.ts';
import { explainMistakes, quotingHint, swallowedByComments } from './yaml-mistakes.ts';

export interface YamlSource {
  data: unknown;
  /** Syntax errors (and warnings about YAML that reads otherwise than it looks), as problems of `file`. */
  problems: Problem[];
  /** File line of the value at `path`, or of the nearest part of the path that exists. */
  /** The line of the value at `path` (or of its key, with `of: 'key'`), or of the nearest part of the path that exists. */
  lineOf(path: readonly PropertyKey[], of?: 'value' | 'key'): number;
}

/**
 * Line numbers of `text` are those of the file: show.yml is all YAML, and front matter starts on
 * the opening `---` line itself (gray-matter hands over what follows the dashes). Plain YAML
 * (load/plain-yaml.ts), most front matter, is read without the `yaml` package.
 */
export function readYaml(text: string, file: string): YamlSource {
  const plain = readPlainYaml(text);
  const read = plain ? { data: plain.data, problems: [], lineOf: plain.lineOf } : readFullYaml(text, file);
  // The data outlives the text (an episode's title stays in the model to the end of the build).
  read.data = ownStrings(read.data);
  return read;
}

function readFullYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lines.linePos(offset).line;

  const textLines = text.split('\n');
  const errorLine = (error: YAMLError) => {
    // A quoted value may span lines, so an unclosed quote runs on to the end: name the line of the
    // opening quote, the last one before that end (a quote inside would have closed it).
    const quote = error.code === 'MISSING_CHAR' ? /closing (["'])quote/.exec(error.message)?.[1] : undefined;
    if (quote) return lineAt(Math.max(0, text.lastIndexOf(quote, error.pos[0] - 1)));
    const { line, col } = lines.linePos(error.pos[0]);
    // An unclosed bracket is only noticed where the next line starts: name the line that left it
    // open, which is where the producer has to look.
    if (col === 1 && ((error.code === 'BAD_INDENT' && /^Flow /.test(error.message)) || error.code === 'MISSING_CHAR')) {
      let opened = line - 1;
      while (opened > 1 && textLines[opened - 1]!.trim() === '') opened--;
      return Math.max(1, opened);
    }
    return line;
  };
  // Known mistakes in plain words; for the rest the parser's first word on each line, with a
  // hint when quoting would fix it.
  const explained = explainMistakes(doc.errors, textLines, errorLine, file);
  const problems: Problem[] = [...explained.problems];
  for (const error of doc.errors) {
    const line = errorLine(error);
    if (explained.covered.has(line)) continue;
    explained.covered.add(line);
    const hint = /^Flow |closing/.test(error.message) ? '' : quotingHint(textLines[line - 1]);
    problems.push({ file, line, message: `invalid YAML: ${error.message.split('\n')[0]}${hint}` });
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  const lineOf = (path: readonly PropertyKey[], of: 'value' | 'key' = 'value'): number => {
    let node: unknown = doc.contents;
    let line = node && (node as Node).range ? lineAt((node as Node).range![0]) : 1;
    for (const [index, key] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
        if (!pair) break;
        if (isScalar(pair.key) && pair.key.range) line = lineAt(pair.key.range[0]);
        if (of === 'key' && index === path.length - 1) break;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
        node = node.items[key];
      } else {
        break;
      }
      const range = (node as Node | null)?.range;
      if (range) line = lineAt(range[0]);
    }
    return line;
  };

  const loop = problems.length === 0 ? aliasInsideItsAnchor(doc) : undefined;
  if (loop) {
    // Its value would hold itself: every walk of the data (validation, the cache) would never end.
    problems.push({ file, line: lineAt(loop.range![0]), message: `invalid YAML: "*${loop.source}" is inside the value it refers to, which would then contain itself; write the value out instead` });
  }
  let data: unknown;
  if (problems.length === 0) {
    try {
      // Aliases are expanded with a cap, so a "billion laughs" document fails instead of eating memory.
      data = doc.toJS({ maxAliasCount: 100 });
      problems.push(...swallowedByComments(doc, text, lineAt, file), ...unwrittenCharacters(doc, lineAt, file));
    } catch (error) {
      const message = (error as Error).message;
      // `title: *star` reads as a reference to an anchor named "star".
      const alias = /^Unresolved alias.*: (\S+)$/.exec(message)?.[1];
      const line = alias === undefined ? -1 : textLines.findIndex((l) => l.includes(`*${alias}`));
      problems.push(
        line === -1
          ? { file, line: 1, message: `invalid YAML: ${message}` }
          : { file, line: line + 1, message: `invalid YAML: "*${alias}" refers to an anchor that is not there${quotingHint(textLines[line])}` },
      );
    }
  }
  return { data, problems, lineOf };
}

/** Control characters but tab and line ends: the file itself holds none (load/text.ts), an escape may. */
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

/**
 * Values whose escapes (`"\e"`, `"\ud800"`) make what no file may hold: a control character, or
 * half of a surrogate pair, which is no character at all (a page's links and the feed would break on it).
 */
function unwrittenCharacters(doc: Document, lineAt: (offset: number) => number, file: string): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Scalar(_key, scalar, ancestors) {
      const value = scalar.value;
      if (typeof value !== 'string' || !scalar.range) return;
      const control = CONTROL.exec(value)?.[0];
      const lone = !control && !(value as string & { isWellFormed(): boolean }).isWellFormed();
      if (!control && !lone) return;
      const what = control
        ? `the control character U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}; expected text without control characters (tabs and line breaks are fine)`
        : 'half of a UTF-16 surrogate pair (an escape such as "\\ud800" alone), which is no character; expected the character itself, or both halves of its pair';
      const at: PropertyKey[] = [];
      [...ancestors, scalar].forEach((node, i, nodes) => {
        if (isPair(node) && isScalar(node.key) && node.key !== nodes[i + 1]) at.push(String(node.key.value));
        else if (isSeq(node)) at.push(node.items.indexOf(nodes[i + 1] as never));
      });
      const label = pathLabel(at);
      problems.push({ file, line: lineAt(scalar.range[0]), message: `${label ? `${label}: ` : ''}the value holds ${what}` });
    },
  });
  return problems;
}

/** An alias inside the very value its anchor names (`a: &x { b: *x }`), if there is one. */
function aliasInsideItsAnchor(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, alias) {
      const range = alias.resolve(doc)?.range;
      if (range && alias.range && alias.range[0] >= range[0] && alias.range[0] < range[1]) {
        found = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function pathLabel(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (label, key) => (typeof key === 'number' ? `${label}[${key}]` : label ? `${label}.${String(key)}` : String(key)),
    '',
  );
}

/** Validates YAML data against a schema; every issue becomes a problem at its own line. */
export function validate<S extends z.ZodType>(
  schema: S,
  source: YamlSource,
  file: string,
): { value: z.output<S>; problems: [] } | { value: undefined; problems: Problem[] } {
  const result = schema.safeParse(source.data ?? {});
  if (result.success) return { value: result.data, problems: [] };
  const problems = result.error.issues.map((issue) => {
    // An unknown field is at its name's line (its value may start on the next).
    const line = issue.code === 'unrecognized_keys' ? source.lineOf([...issue.path, issue.keys[0] ?? ''], 'key') : source.lineOf(issue.path);
    const label = pathLabel(issue.path);
    return { file, line, message: label ? `${label}: ${issue.message}` : issue.message };
  });
  return { value: undefined, problems };
}
