// Transcript files of the content folder, published as written beside the episode's page (the
// feed's podcast:transcript and the page's link point there).
import { defineOutput } from './output.ts';

export const transcriptsOutput = defineOutput({
  name: 'transcripts',
  episode: (_context, view) => ({
    files: view.transcriptFiles.map(({ name, text }) => [`episodes/${view.slug}/${name}`, text] as const),
    part: undefined,
  }),
});
