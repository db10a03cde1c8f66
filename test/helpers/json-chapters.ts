// The Podcasting 2.0 JSON chapters format, version 1.2.0, as its specification states it, written
// here as a schema so tests judge castwright's chapters.json by the spec and not by its own code.
import * as z from 'zod';

const location = z.strictObject({
  name: z.string().min(1),
  // RFC 5870 geo URI: geo:latitude,longitude[,altitude][;u=uncertainty]
  geo: z.string().regex(/^geo:-?\d+(\.\d+)?,-?\d+(\.\d+)?(,-?\d+(\.\d+)?)?(;.*)?$/),
  osm: z.string().optional(),
});

const chapter = z.strictObject({
  /** Required: seconds from the start of the media, a float. */
  startTime: z.number().nonnegative(),
  title: z.string().optional(),
  img: z.url().optional(),
  url: z.url().optional(),
  /** false: a silent chapter, not shown in a table of contents. */
  toc: z.boolean().optional(),
  endTime: z.number().nonnegative().optional(),
  location: location.optional(),
});

export const jsonChapters = z
  .strictObject({
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    chapters: z.array(chapter),
    author: z.string().optional(),
    title: z.string().optional(),
    podcastName: z.string().optional(),
    description: z.string().optional(),
    fileName: z.string().optional(),
    waypoints: z.boolean().optional(),
  })
  .superRefine((document, ctx) => {
    // The spec orders chapters by their start, and a chapter's end comes after its start.
    document.chapters.forEach((item, index) => {
      const previous = document.chapters[index - 1];
      if (previous && item.startTime < previous.startTime) ctx.addIssue({ code: 'custom', path: ['chapters', index, 'startTime'], message: 'chapters out of order' });
      if (item.endTime !== undefined && item.endTime <= item.startTime) ctx.addIssue({ code: 'custom', path: ['chapters', index, 'endTime'], message: 'ends before it starts' });
    });
  });

export type JsonChapters = z.output<typeof jsonChapters>;

/** The problems of a chapters file by the spec, as readable lines; none for a valid one. */
export function jsonChaptersProblems(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  const result = jsonChapters.safeParse(parsed);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/**
 * Chapters as Apple reads them from an episode description (its fallback when the feed names no
 * chapters file): lines that start with a timestamp, the first at 00:00, at least three, each after
 * the one before. An empty list when the description does not qualify.
 */
export function descriptionChapters(html: string): Array<{ start: number; title: string }> {
  const text = html
    .replace(/<(?:br|\/p|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;|&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const chapters: Array<{ start: number; title: string }> = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\(?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\)?\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const start = Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    chapters.push({ start, title: m[4]! });
  }
  const ordered = chapters.every((chapter, i) => i === 0 || chapter.start > chapters[i - 1]!.start);
  return chapters.length >= 3 && chapters[0]!.start === 0 && ordered ? chapters : [];
}
