// A show to publish in tests: the fixture show.yml (plus publish settings) and numbered episodes.
import { isSourceFile, type OutputContent } from '../../src/model/source-file.ts';
import { contentHash } from '../../src/cache/fingerprint.ts';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { fixture, workspace } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { generateWorkspace } from '../helpers/generate.ts';
import { RECORD_FILE } from '../../src/publish/record.ts';

export const slugOf = (n: number) => `ep-${n}`;

/** Episode n of the fixture show, dated March n 2021 unless a date is given. */
export async function episode(n: number, options: { date?: string } = {}): Promise<string> {
  const date = options.date ?? `2021-03-${String(n).padStart(2, '0')}T07:00:00-08:00`;
  return (await fixture('episodes/valid.md'))
    .replace('title: A valid episode', `title: Episode ${n} of the show`)
    .replace('date: 2021-03-01T07:00:00-08:00', `date: ${date}`)
    .replace('episode: 7', `episode: ${n}`)
    .replace('/7.mp3', `/${n}.mp3`);
}

export async function showYml(extra = ''): Promise<string> {
  return `${await fixture('show.yml')}${extra}`;
}

/** A workspace with the given episodes (by number) and show.yml settings appended. */
export async function publishWorkspace(episodes: readonly number[], extra = ''): Promise<string> {
  const files: Record<string, string> = {};
  for (const n of episodes) files[`${slugOf(n)}.md`] = await episode(n);
  return workspace(files, { show: await showYml(extra) });
}

export async function addEpisode(root: string, n: number, options: { date?: string } = {}): Promise<void> {
  await writeFile(path.join(root, 'episodes', `${slugOf(n)}.md`), await episode(n, options));
}

export async function removeEpisode(root: string, n: number): Promise<void> {
  await rm(path.join(root, 'episodes', `${slugOf(n)}.md`));
}

/** The environment of a user who set nothing: no target, token or key of the test runner leaks in. */
export const CLEAN_ENV: NodeJS.ProcessEnv = {
  PUBLISH_URL: undefined,
  PODPING_TOKEN: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_ENDPOINT_URL_S3: undefined,
  RSYNC_RSH: undefined,
  RSYNC_PASSWORD: undefined,
};

/** `castwright publish` as a process of its own, as cron or CI runs it. */
export function publishProcess(root: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, user: { uid?: number; gid?: number } = {}): Promise<CliResult> {
  return runCli(['publish', ...args], { cwd: root, env: { ...CLEAN_ENV, ...env }, ...user });
}

/** `castwright publish` through the same entry point, in this process: the same code, without a node start-up per run. */
export async function publish(root: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const merged = Object.fromEntries(Object.entries({ ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...CLEAN_ENV, ...env }).filter(([, v]) => v !== undefined));
  const code = await main(['publish', ...args], {
    stdout: { write: (text) => void (stdout += text) },
    stderr: { write: (text) => void (stderr += text) },
    env: merged,
    cwd: root,
  });
  return { code, stdout, stderr };
}

/** Rewrites episode n's front matter or text. */
export async function editEpisode(root: string, n: number, change: (text: string) => string): Promise<void> {
  const file = path.join(root, 'episodes', `${slugOf(n)}.md`);
  await writeFile(file, change(await readFile(file, 'utf8')));
}

/** Episode 1 retitled beyond recognition. */
export const retitle = (text: string) => text.replace('title: Episode 1 of the show', 'title: Why markets fell on Friday');
export const NEW_GUID = '6f1c2e0a-5b7d-4c3e-9a8b-1d2e3f4a5b6c';
/** Episode n with a guid of its own instead of the one derived from its file name. */
export const changeGuid = (text: string) => text.replace('\ntitle:', `\nguid: ${NEW_GUID}\ntitle:`);

/** What the guard prints when --accept lets the removal of episode n through. */
export const acceptedRemoval = (n: number) => new RegExp(`^accepted \\(--accept ${slugOf(n)}\\): \\S+ \\[guard/episode-removed\\]$`, 'm');

/** The files a run uploaded, in the order it reported them landing. */
export const uploadedIn = (stdout: string) => [...stdout.matchAll(/^ {2}uploaded (\S+)$/gm)].map((m) => m[1]!);
export const deletedIn = (stdout: string) => [...stdout.matchAll(/^ {2}deleted +(\S+)$/gm)].map((m) => m[1]!);

/** Every line of a run in order, as `uploaded x`, `deleted y`, `pinged …`. */
export const actionsIn = (stdout: string) => [...stdout.matchAll(/^ {2}(uploaded|deleted|pinged) +(.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);

const sha256 = (content: OutputContent) => (isSourceFile(content) ? content.sha256 : contentHash(content));

/** What a target should hold after publishing the workspace: each built file's SHA-256 by path. */
export async function builtFiles(root: string): Promise<Record<string, string>> {
  const { files } = await generateWorkspace(root);
  return Object.fromEntries([...files].map(([name, content]) => [name, sha256(content)]));
}

/** What a folder holds, the record aside, as path → SHA-256. */
export async function heldFiles(site: string): Promise<Record<string, string>> {
  const held = await snapshot(site);
  delete held[RECORD_FILE];
  return held;
}
