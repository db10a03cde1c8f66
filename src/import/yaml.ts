// show.yml and front matter written by the import. Strings are quoted wherever a YAML reader of
// either version would take them for something else: YAML 1.2, as the build's loader reads
// (`0o17` is a number there), and 1.1 (gray-matter's js-yaml, most editors: `yes`, `8:12`). A
// placeholder is an empty value with a comment saying what to fill in; the build refuses it until then.
import { Document, Schema, isNode } from 'yaml';

/** YAML 1.2's implicit scalars (numbers, booleans, null): a text matching one must be quoted. */
const YAML_1_2_SCALARS = new Schema({ schema: 'core' }).tags.filter((tag) => 'test' in tag && tag.test);

export function toYaml(fields: Record<string, unknown>, placeholders: ReadonlyArray<{ path: string[]; comment: string }> = [], header?: string): string {
  const doc = new Document(fields, { version: '1.1', customTags: (tags) => [...tags, ...YAML_1_2_SCALARS] });
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
