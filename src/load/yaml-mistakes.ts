// The YAML mistakes a producer makes every week, each said in one line with its fix, at the line
// where it was made. The parser's own words name its grammar ("Nested mappings are not allowed in
// compact mappings"), often at the line above the mistake, and repeat themselves line after line.
import { isScalar, visit, type Document, type YAMLError } from 'yaml';
import type { Problem } from '../problems.ts';

interface Line {
  indent: number;
  key?: string;
  /** What follows `key:`, trimmed; undefined when nothing does. */
  value?: string;
}

const FIELD = /^(\s*)(?:-\s+)?([^\s#:'"[\]{},][^:#]*?|"[^"]*"|'[^']*'):(?:\s+(.*?))?\s*$/;

function readLine(text: string | undefined): Line {
  const indent = /^\s*/.exec(text ?? '')![0].length;
  const field = FIELD.exec(text ?? '');
  if (!field) return { indent };
  const value = field[3]?.trim();
  return value ? { indent, key: field[2]!.trim(), value } : { indent, key: field[2]!.trim() };
}

/** `value` written so YAML reads it as text, whatever it holds. */
export function quoted(value: string): string {
  if (value.includes('"') && !value.includes("'")) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// Characters that make YAML read a value as something other than plain text.
const INDICATOR = /^[[\]{}*&!%@`|>'"?-]/;

export interface Explained {
  problems: Problem[];
  /** Lines whose other parser errors are explained by these problems. */
  covered: Set<number>;
}

/**
 * The recognised mistakes among `errors`. `lineOf` maps an error to its line; `lines` are the
 * text's lines (1-based through `lines[n - 1]`).
 */
export function explainMistakes(errors: readonly YAMLError[], lines: readonly string[], lineOf: (error: YAMLError) => number, file: string): Explained {
  const problems: Problem[] = [];
  const covered = new Set<number>();
  const at = (n: number) => readLine(lines[n - 1]);

  const tabs = [...new Set(errors.filter((e) => e.code === 'TAB_AS_INDENT').map(lineOf))].sort((a, b) => a - b);
  if (tabs.length > 0) {
    const others = tabs.slice(1);
    const also = others.length === 0 ? '' : ` (so ${others.length === 1 ? 'is line' : 'are lines'} ${others.join(', ')})`;
    problems.push({ file, line: tabs[0]!, message: `indented with a tab${also}; expected spaces: YAML does not allow tabs for indentation, so replace each with two spaces` });
    tabs.forEach((n) => covered.add(n));
  }

  for (const error of errors) {
    const n = lineOf(error);
    if (covered.has(n)) continue;
    const line = at(n);
    if (error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'MULTILINE_IMPLICIT_KEY') {
      if (line.key && line.value && !/^["']/.test(line.value) && (/:\s/.test(line.value) || line.value.endsWith(':'))) {
        problems.push({
          file,
          line: n,
          message: `${line.key}: the value holds ": ", which YAML reads as the start of another field; quote the value: ${line.key}: ${quoted(line.value)}`,
        });
        covered.add(n);
        continue;
      }
      // The parser blames the field above an over-indented one: name the over-indented one.
      let next = n + 1;
      while (next <= lines.length && lines[next - 1]!.trim() === '') next++;
      const deeper = at(next);
      if (line.key && deeper.key && deeper.indent > line.indent) {
        problems.push({
          file,
          line: next,
          message: `${deeper.key}: is indented more than "${line.key}" above it, so YAML reads it as part of that value; expected it at the same column as ${line.key}`,
        });
        covered.add(n).add(next);
      }
    } else if (error.code === 'BAD_INDENT' && /must start at the same column/.test(error.message) && line.key) {
      // Line numbers, not lines: read twice, the same line is two objects, and one field above
      // it that is also the one it sits under was named twice.
      const keyAbove = (from: number, shallower: boolean) => {
        for (let k = from; k > 0; k--) {
          const candidate = at(k);
          if (candidate.key && (!shallower || candidate.indent < line.indent)) return k;
        }
        return undefined;
      };
      const fields = [...new Set([keyAbove(n - 1, false), keyAbove(n - 1, true)])]
        .filter((k): k is number => k !== undefined)
        .map((k) => at(k))
        .map((l) => `column ${l.indent + 1} (as "${l.key}")`);
      problems.push({
        file,
        line: n,
        message: `${line.key}: starts at column ${line.indent + 1}, where no field above it starts; expected ${fields.join(' or ') || 'it at the same column as the fields it belongs with'}`,
      });
      covered.add(n);
    }
  }
  return { problems, covered };
}

/** A hint for an unrecognised error on a `key: value` line whose value YAML does not read as text. */
export function quotingHint(text: string | undefined): string {
  const line = readLine(text);
  return line.key && line.value && INDICATOR.test(line.value) ? `; if the value is text, quote it: ${line.key}: ${quoted(line.value)}` : '';
}

/**
 * `title: Episode #12: the week` is valid YAML: the title is "Episode" and the rest a comment, lost
 * without a word. A `#` right before a word (not `# note`) is rarely meant as a comment.
 */
export function swallowedByComments(doc: Document, text: string, lineAt: (offset: number) => number, file: string): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Pair(_, pair) {
      const { key, value } = pair;
      if (!isScalar(key) || !isScalar(value) || value.type !== 'PLAIN' || typeof value.value !== 'string' || !value.range) return;
      const rest = /^[ \t]+#(\S[^\n]*)/.exec(text.slice(value.range[1]));
      if (!rest) return;
      const written = `${value.value} #${rest[1]!.trimEnd()}`;
      problems.push({
        file,
        line: lineAt(value.range[0]),
        severity: 'warning',
        message:
          `${String(key.value)}: "${value.value}" is followed by "#${rest[1]!.trimEnd()}", which YAML reads as a comment and leaves out; ` +
          `if the # belongs to the value, quote it: ${String(key.value)}: ${quoted(written)}`,
      });
    },
  });
  return problems;
}
