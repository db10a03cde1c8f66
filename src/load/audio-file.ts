// `audio.file` in an episode's front matter: the values read from the file fill the fields that
// were not typed (length, duration, type, and url from the show's audioBaseUrl); a typed value
// that disagrees with the file is a problem at its line. With `audio.copy: true` the file is
// published beside the episode's page instead, and url is the site's address of that copy.
import path from 'node:path';
import { canonicalMediaType } from '../feed-reader/media-types.ts';
import { MEDIA_TYPES } from '../model/schema.ts';
import { parseDuration } from '../model/time.ts';
import type { CopiedFile } from '../model/source-file.ts';
import type { Chapter } from '../model/types.ts';
import type { Problem } from '../problems.ts';
import type { ReadAudio } from './audio.ts';
import type { YamlSource } from './yaml.ts';
import { insideFolder } from './inside.ts';

/** The types Apple Podcasts plays; others (Opus, FLAC, WAV) reach Podcasting 2.0 apps only. */
const APPLE_TYPES = new Set(Object.values(MEDIA_TYPES));

export interface AudioFileContext {
  /** The episode file as messages name it. */
  file: string;
  /** Absolute path of the episode file and of the content folder. */
  episodePath: string;
  root: string;
  /** What was read from each audio file, by absolute path. */
  facts: ReadonlyMap<string, ReadAudio | string>;
  audioBaseUrl?: string;
  /** The episode's slug and the show's site URL: a copied file is published at episodes/<slug>/<name> there. */
  slug: string;
  siteUrl: string;
}

/** Where a copied audio file goes in the output. */
export const copiedAudioPath = (slug: string, file: string) => `episodes/${slug}/${path.basename(file)}`;

/** The audio file `audio.file` names, absolute, when the front matter has one. */
export function audioFilePath(data: unknown, episodePath: string): string | undefined {
  const audio = (data as { audio?: { file?: unknown } } | undefined)?.audio;
  return typeof audio?.file === 'string' && audio.file.trim() ? path.resolve(path.dirname(episodePath), audio.file.trim()) : undefined;
}

export interface AppliedAudioFile {
  problems: Problem[];
  /** The chapters embedded in the file. */
  chapters: Chapter[];
  /** The file to publish, with `audio.copy: true`. */
  copied?: CopiedFile;
}

/** Fills the audio fields from the file (in place) and returns the problems, the file's own chapters and the copy to publish. */
export function applyAudioFile(frontMatter: YamlSource, context: AudioFileContext): AppliedAudioFile {
  const problems: Problem[] = [];
  const at = (field: string) => frontMatter.lineOf(['audio', field]);
  const problem = (field: string, message: string, severity?: 'warning') =>
    problems.push({ file: context.file, line: at(field), message, ...(severity ? { severity } : {}) });
  const file = audioFilePath(frontMatter.data, context.episodePath);
  const audio = (frontMatter.data as { audio?: Record<string, unknown> } | undefined)?.audio;
  if (!file) {
    if (audio?.copy === true) problem('copy', 'audio.copy: true, but there is no audio.file to copy; expected audio.file naming an audio file of the content folder');
    return { problems, chapters: [] };
  }
  if (!audio) return { problems, chapters: [] };
  const named = String(audio.file).trim();
  if (!insideFolder(context.root, file)) {
    problem('file', `audio.file "${named}" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3`);
    return { problems, chapters: [] };
  }
  const copy = audio.copy === true;
  const published = copiedAudioPath(context.slug, file);
  if (copy && audio.url !== undefined) {
    // The episode's own word wins over the show's audioBaseUrl, but two addresses for one file is a mistake.
    problem('copy', `audio.copy: true publishes "${named}" at ${published} on the site, and audio.url names another address; expected one of them (remove audio.url, or audio.copy)`);
    return { problems, chapters: [] };
  }
  if (copy) audio.url = new URL(published.split('/').map(encodeURIComponent).join('/'), context.siteUrl.endsWith('/') ? context.siteUrl : `${context.siteUrl}/`).href;
  else if (audio.url === undefined) {
    if (context.audioBaseUrl) audio.url = new URL(encodeURIComponent(path.basename(file)), context.audioBaseUrl).href;
    else problem('file', `audio.file "${named}" has no address to be published at; expected audioBaseUrl in show.yml (where the audio files are uploaded, such as https://cdn.example.com/equity/), audio.url, or audio.copy: true (published with the site)`);
  }
  const facts = context.facts.get(file);
  if (facts === undefined) return { problems, chapters: [] };
  if (typeof facts === 'string') {
    problem('file', `audio.file "${named}" ${facts}`);
    return { problems, chapters: [] };
  }
  const typedDuration = audio.duration === undefined ? undefined : parseDuration(audio.duration as string | number);
  if (audio.length !== undefined && audio.length !== facts.length) {
    problem('length', `audio.length is ${String(audio.length)} bytes, but ${named} has ${facts.length}; expected the file's length (or no audio.length: castwright reads it)`);
  }
  if (typeof typedDuration === 'number' && facts.duration !== undefined && Math.abs(typedDuration - facts.duration) > 1) {
    problem('duration', `audio.duration is ${typedDuration} seconds, but ${named} lasts ${facts.duration}; expected the file's duration (or no audio.duration: castwright reads it)`);
  }
  if (typeof audio.type === 'string' && canonicalMediaType(audio.type) !== facts.type) {
    problem('type', `audio.type is ${audio.type}, but ${named} is ${facts.type}; expected the file's type (or no audio.type: castwright reads it)`);
  }
  audio.length ??= facts.length;
  if (facts.duration !== undefined) audio.duration ??= facts.duration;
  audio.type ??= facts.type;
  if (!APPLE_TYPES.has(facts.type)) {
    problem('file', `audio.file "${named}" is ${facts.type}: Podcasting 2.0 apps play it, Apple Podcasts does not; expected MP3 or M4A for Apple`, 'warning');
  }
  return { problems, chapters: facts.chapters, ...(copy ? { copied: { path: published, file: facts.source } } : {}) };
}
