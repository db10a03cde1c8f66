// An episode's chapters file (JSON chapters 1.2.0) beside its page, when it has chapters of its own.
import { renderChaptersJson } from '../chapters.ts';
import { CHAPTERS_FILE } from '../view.ts';
import { defineOutput } from './output.ts';

export const chaptersOutput = defineOutput({
  name: 'chapters',
  episode: (context, view) => ({
    files: view.timeline.length === 0 ? [] : [[`episodes/${view.slug}/${CHAPTERS_FILE}`, renderChaptersJson(context.show, view)]],
    part: undefined,
  }),
});
