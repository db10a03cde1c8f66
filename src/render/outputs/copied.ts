// Files of the content folder published as they are (the audio with `audio.copy: true`, local
// artwork): passed on by reference (model/source-file.ts), so the write stage links or copies them
// from disk.
import { defineOutput } from './output.ts';

export const copiedFilesOutput = defineOutput({
  name: 'copied',
  episode: (_context, view) => ({
    files: view.copiedFiles.map(({ path, file }) => [path, file] as const),
    part: undefined,
  }),
  show: (context) => (context.show.copiedFiles ?? []).map(({ path, file }) => [path, file] as const),
});
