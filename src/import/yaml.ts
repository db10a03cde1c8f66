// show.yml and front matter written by the import. Strings are quoted wherever any YAML reader
// (1.1 included: gray-matter's js-yaml, most editors) would take them for something else, so
// `8:12`, dates and `yes` stay text. A placeholder is an empty value with a comment saying what
// to fill in; the build refuses it until then.
import { Document, isNode } from 'yaml';

export function toYaml(fields: Record<string, unknown>, placeholders: ReadonlyArray<{ path: string[]; comment: string }> = [], header?: string): string {
  const doc = new Document(fields, { version: '1.1' });
  for (const { path, comment } of placeholders) {
    const node = doc.getIn(path, true);
    if (isNode(node)) node.comment = ` ${comment.replace(/\s+/g, ' ')}`;
  }
  if (header) doc.commentBefore = header.split('\n').map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0, nullStr: '', indentSeq: true });
}

/** An episode file: YAML front matter between --- lines, then the Markdown body. */
export function episodeFile(fields: Record<string, unknown>, placeholders: ReadonlyArray<{ path: string[]; comment: string }>, body: string): string {
  return `---\n${toYaml(fields, placeholders)}---\n${body ? `${body}\n` : ''}`;
}
