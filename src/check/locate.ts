// Where a finding points: the line of a field in show.yml or an episode's front matter, or the
// first line of a file that holds some text (a link, a template tag). The model keeps no lines, so
// the few files a finding names are read again, once each.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitFrontMatter } from '../load/front-matter.ts';
import { readYaml, type YamlSource } from '../load/yaml.ts';

/** A path as messages name it: relative to the working folder when inside it, with `/` separators. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file).split(path.sep).join('/');
}

export class SourceLines {
  private readonly texts = new Map<string, string | undefined>();
  private readonly yamls = new Map<string, YamlSource | undefined>();

  constructor(private readonly cwd: string) {}

  /** The text of a file named as messages name it (relative to the working folder), if readable. */
  text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      let text: string | undefined;
      try {
        text = readFileSync(path.resolve(this.cwd, file), 'utf8');
      } catch {
        text = undefined;
      }
      this.texts.set(file, text);
    }
    return this.texts.get(file);
  }

  /** Line of `field` in show.yml or in an episode file's front matter; its nearest parent, or 1. */
  field(file: string, field: readonly PropertyKey[]): number {
    if (!this.yamls.has(file)) {
      const text = this.text(file);
      let yaml: YamlSource | undefined;
      if (text !== undefined) {
        if (file.endsWith('.md')) {
          const split = splitFrontMatter(text, file);
          yaml = Array.isArray(split) ? undefined : split.frontMatter;
        } else {
          yaml = readYaml(text, file);
        }
      }
      this.yamls.set(file, yaml);
    }
    return this.yamls.get(file)?.lineOf(field) ?? 1;
  }

  /** The first line of an episode file's Markdown body (1 when it has no front matter). */
  bodyLine(file: string): number {
    const text = this.text(file);
    const split = text === undefined ? undefined : splitFrontMatter(text, file);
    return split === undefined || Array.isArray(split) ? 1 : split.bodyLineOffset + 1;
  }

  /** Whether show.yml sets a top-level key (rather than leaving its default). */
  written(file: string, key: string): boolean {
    return new RegExp(`^["']?${key}["']?\\s*:`, 'm').test(this.text(file) ?? '');
  }

  /** The first line (1-based) holding `needle`, if any. */
  find(file: string, needle: string): number | undefined {
    const text = this.text(file);
    if (text === undefined || needle === '') return undefined;
    const at = text.indexOf(needle);
    if (at === -1) return undefined;
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
    return line;
  }
}
