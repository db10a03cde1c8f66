// An episode's chapters from its stories: every story with a timestamp is one, and the intro
// before the first story is chapter 0 at 0:00 (what listeners hear first needs a chapter too).
import type { Chapter, Story } from '../model/types.ts';

export const DEFAULT_INTRO_TITLE = 'Intro';

export function storyChapters(stories: readonly Story[], introTitle = DEFAULT_INTRO_TITLE): Chapter[] {
  const chapters: Chapter[] = [];
  for (const story of stories) {
    if (story.start !== undefined) chapters.push({ start: story.start, title: story.title, url: story.url });
  }
  if (chapters.length > 0 && chapters[0]!.start > 0) chapters.unshift({ start: 0, title: introTitle });
  return chapters;
}
