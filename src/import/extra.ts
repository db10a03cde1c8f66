// Feed elements castwright has no field for are kept, never dropped: each becomes an entry of the
// `extra:` map of show.yml or of the episode, named as in the feed, and the import says which.
import type { XmlNode } from '../feed-reader/xml.ts';

/** An element as plain data: its text, or its attributes and children by name (lists when repeated). */
export function plainValue(node: XmlNode): unknown {
  const text = node.text.replace(/\s+/g, ' ').trim();
  const attributes = Object.entries(node.attrs);
  if (node.children.length === 0 && attributes.length === 0) return text;
  const value: Record<string, unknown> = Object.fromEntries(attributes);
  const byName = new Map<string, unknown[]>();
  for (const child of node.children) {
    const list = byName.get(child.name) ?? [];
    list.push(plainValue(child));
    byName.set(child.name, list);
  }
  for (const [name, values] of byName) value[name] = values.length === 1 ? values[0] : values;
  if (text) value.text = text;
  return value;
}

/** Every child element not in `handled`, as an `extra` map (repeated elements become lists). */
export function unmapped(node: XmlNode, handled: ReadonlySet<string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  const counts = new Map<string, number>();
  for (const child of node.children) counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
  for (const child of node.children) {
    if (handled.has(child.name)) continue;
    const value = plainValue(child);
    if ((counts.get(child.name) ?? 0) > 1) ((extra[child.name] ??= []) as unknown[]).push(value);
    else extra[child.name] = value;
  }
  return extra;
}

/** Counts what went to `extra`, for one line per element name at the end of the import. */
export class UnmappedTally {
  private readonly channel = new Set<string>();
  private readonly items = new Map<string, number>();

  addChannel(extra: Record<string, unknown>): void {
    for (const name of Object.keys(extra)) this.channel.add(name);
  }

  addItem(extra: Record<string, unknown>): void {
    for (const name of Object.keys(extra)) this.items.set(name, (this.items.get(name) ?? 0) + 1);
  }

  /** e.g. `itunes:keywords (the show and 730 episodes)`. */
  lines(): string[] {
    // The old page (`link`) is always kept, for redirects: not news worth a line.
    const names = [...new Set([...this.channel, ...this.items.keys()])].filter((name) => name !== 'link').sort();
    return names.map((name) => {
      const where = [this.channel.has(name) ? 'the show' : '', this.items.has(name) ? `${this.items.get(name)} episode${this.items.get(name) === 1 ? '' : 's'}` : '']
        .filter(Boolean)
        .join(' and ');
      return `${name} (${where})`;
    });
  }
}
