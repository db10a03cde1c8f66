// An episode's transcript files: `<slug>.vtt` / `<slug>.srt` beside the episode file, or the files
// `transcript:` names. Each is read, its cues checked (problems at their lines) and listed to be
// published beside the page, where the feed's podcast:transcript points.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Transcript } from '../model/schema.ts';
import type { TranscriptFile } from '../model/types.ts';
import { displayPath, type Problem } from '../problems.ts';
import { readSourceText } from './text.ts';
import { realPath } from '../state.ts';
import { insideFolder } from './inside.ts';
import { TRANSCRIPT_MEDIA_TYPES, parseTranscript, type TranscriptFormat } from './transcript.ts';

export interface TranscriptPlace {
  /** Absolute path of the episode file. */
  episodePath: string;
  /** Absolute path of the content folder: a transcript must be inside it. */
  root: string;
  /** Folder that messages name files relative to. */
  cwd: string;
  slug: string;
  /** The episode file as messages name it, and the line of `transcript:` in it. */
  file: string;
  line: number;
  /**
   * The scan's listing (load/scan.ts `listed`): a `<slug>.vtt` or `.srt` not in it is not beside the
   * episode on any file system, and is not looked for (a look per episode and format was ~5% of
   * loading 1,000 episodes). Without it, each is looked for.
   */
  listed?: ReadonlySet<string>;
}

export interface ReadTranscripts {
  /** The feed's transcript list, local files resolved to the URLs they are published at. */
  transcript?: Transcript[];
  files: TranscriptFile[];
  problems: Problem[];
}

const formatOf = (name: string): TranscriptFormat => (name.toLowerCase().endsWith('.srt') ? 'srt' : 'vtt');

/** The names of the transcripts that may be beside the episode: those the scan listed, when it is known. */
function besideNames(place: TranscriptPlace): string[] {
  const names = [`${place.slug}.vtt`, `${place.slug}.srt`];
  if (!place.listed) return names;
  // As the scan lists a folder's entries: the folder as reached, a separator, the name in lower case.
  const folder = place.episodePath.slice(0, place.episodePath.lastIndexOf(path.sep) + 1);
  return names.filter((name) => place.listed!.has(folder + name.toLowerCase()));
}

/** `duration`: the audio's (whole seconds), when known: cues must start within it. */
export function readTranscripts(listed: readonly Transcript[] | undefined, place: TranscriptPlace, episodeUrl: string, language: string, duration?: number): ReadTranscripts {
  const problems: Problem[] = [];
  // Named by transcript:, else found beside the episode.
  const named = (listed ?? []).filter((entry) => entry.file !== undefined);
  const beside = named.length ? [] : besideNames(place);
  if (named.length === 0 && beside.length === 0) {
    const remote = (listed ?? []).filter((entry) => entry.file === undefined);
    return { ...(remote.length ? { transcript: remote } : {}), files: [], problems };
  }
  const folder = path.dirname(place.episodePath);
  const root = path.resolve(place.root);
  const paths = named.length
    ? named.map((entry) => path.resolve(folder, entry.file!))
    : beside.map((name) => path.join(folder, name)).filter((candidate) => existsSync(candidate));
  const files: TranscriptFile[] = [];
  const published: Transcript[] = [];
  for (const [index, file] of paths.entries()) {
    const shown = displayPath(file, place.cwd);
    // Through links too: a transcript is published as written, and castwright reads nothing outside the folder.
    if (!insideFolder(root, file)) {
      const link = named[index] ? '' : ` (a link to ${realPath(file)})`;
      problems.push({ file: named[index] ? place.file : shown, ...(named[index] ? { line: place.line } : {}), message: `transcript "${named[index]?.file ?? path.basename(file)}"${link} is outside the content folder; expected a file beside the episode` });
      continue;
    }
    const read = readSourceText(file, shown, 'a .vtt or .srt transcript');
    if ('problem' in read) {
      problems.push(read.missing ? { file: place.file, line: place.line, message: `transcript "${named[index]?.file ?? shown}" not found; expected a .vtt or .srt file beside the episode` } : read.problem);
      continue;
    }
    const format = formatOf(file);
    const parsed = parseTranscript(format, read.text, shown, duration);
    problems.push(...parsed.problems);
    const name = `transcript.${format}`;
    if (files.some((existing) => existing.name === name)) {
      problems.push({ file: place.file, line: place.line, message: `two ${format.toUpperCase()} transcripts for one episode; expected at most one of each format` });
      continue;
    }
    files.push({ name, format, text: read.text, cues: parsed.cues });
    published.push({ url: new URL(name, episodeUrl).href, type: TRANSCRIPT_MEDIA_TYPES[format], language, ...(format === 'vtt' ? { rel: 'captions' } : {}) });
  }
  const remote = (listed ?? []).filter((entry) => entry.file === undefined);
  const transcript = [...published, ...remote];
  return { ...(transcript.length ? { transcript } : {}), files, problems };
}
