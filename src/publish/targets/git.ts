// A git branch (GitHub Pages, Codeberg Pages, Netlify): the site as one commit on the branch,
// pushed. Only the branch tip is fetched, without file contents (--depth=1 --filter=blob:none);
// changed files are written into a private index with git's plumbing, so a publish costs the
// changed files, not the site. The record travels in the commit; notifications made after the
// push are recorded in a git note (refs/notes/castwright), which no Pages build reacts to.
import { writeBody } from '../body.ts';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunError } from '../../errors.ts';
import type { Upload } from '../plan.ts';
import { RECORD_FILE } from '../record.ts';
import type { TargetSpec } from '../target-url.ts';
import { UnreadableFile, recordFile, tooLarge, type ChangeSummary, type Target, type TargetContext } from '../target.ts';

type GitSpec = Extract<TargetSpec, { kind: 'git' }>;

const NOTES = 'refs/notes/castwright';
const REMOTE = 'target';
const NO_OBJECT = '0'.repeat(40);

const ADVICE: Array<[RegExp, string]> = [
  [/non-fast-forward|fetch first|\[rejected\]/, 'the branch moved while this run worked (someone else pushed); run publish again'],
  [/Permission denied \(publickey/, 'the server refused the SSH key: load it into ssh-agent, or name it in ~/.ssh/config'],
  [/Host key verification failed/, 'the host is not in ~/.ssh/known_hosts (add it once: ssh-keyscan -H <host> >> ~/.ssh/known_hosts)'],
  [/could not read Username|Authentication failed|terminal prompts disabled|403/, 'the server wants credentials: set up a git credential helper, or give the URL with a token in $PUBLISH_URL'],
  [/Repository not found|does not appear to be a git repository|not found/i, 'no such repository, or no access to it'],
  [/Could not resolve host/, 'the host name does not resolve'],
];

/** git's words that mean "that ref does not exist", which for a first publish is fine. */
const NO_SUCH_REF = /couldn't find remote ref|no such ref|not our ref/i;

interface Result {
  code: number;
  stdout: string;
  /** stdout as bytes: a file's content is not always text. */
  bytes: Buffer;
  stderr: string;
}

export function commitMessage(change: ChangeSummary): string {
  const [first] = change.added;
  const subject =
    change.added.length === 1
      ? `Publish "${first}"`
      : change.added.length > 1
        ? `Publish ${change.added.length} episodes`
        : change.removed.length > 0
          ? `Unpublish ${change.removed.length === 1 ? change.removed[0] : `${change.removed.length} episodes`}`
          : `Update the site (${change.uploads} file${change.uploads === 1 ? '' : 's'} changed)`;
  const body = [
    ...change.added.map((title) => `Added: ${title}`),
    ...change.removed.map((slug) => `Removed: ${slug}`),
    `${change.uploads} file${change.uploads === 1 ? '' : 's'} uploaded, ${change.deletions} deleted, by castwright publish.`,
  ];
  return `${subject}\n\n${body.join('\n')}\n`;
}

export async function openGit(spec: GitSpec, context: TargetContext): Promise<Target> {
  const work = await mkdtemp(path.join(tmpdir(), 'castwright-git-'));
  const repository = path.join(work, 'repository.git');
  const env: NodeJS.ProcessEnv = {
    ...context.env,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: `${context.env.GIT_SSH_COMMAND?.trim() || 'ssh'} -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15 -o ServerAliveCountMax=4`,
    // Over http(s), a transfer slower than 1 KB/s for a minute is given up, never waited on forever.
    GIT_HTTP_LOW_SPEED_LIMIT: context.env.GIT_HTTP_LOW_SPEED_LIMIT ?? '1000',
    GIT_HTTP_LOW_SPEED_TIME: context.env.GIT_HTTP_LOW_SPEED_TIME ?? '60',
    GIT_INDEX_FILE: path.join(work, 'index'),
    GIT_DIR: repository,
  };
  if (spec.username !== undefined || spec.password !== undefined) {
    // Credentials reach git through its environment (GIT_CONFIG_*), scoped to the remote's host,
    // never through its arguments, which any user on the machine can read with ps.
    const count = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
    const origin = new URL(spec.remote).origin;
    const basic = Buffer.from(`${spec.username ?? ''}:${spec.password ?? ''}`).toString('base64');
    Object.assign(env, {
      GIT_CONFIG_COUNT: String(count + 1),
      [`GIT_CONFIG_KEY_${count}`]: `http.${origin}/.extraHeader`,
      [`GIT_CONFIG_VALUE_${count}`]: `Authorization: Basic ${basic}`,
    });
  }

  function git(args: readonly string[], input?: string): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ENOENT' ? new RunError('git is not installed on this machine (Debian: apt-get install git)') : error);
      });
      child.on('close', (code) => {
        // Decoded once at the end: a character split between two chunks stays whole.
        const bytes = Buffer.concat(stdout);
        resolve({ code: code ?? 1, stdout: bytes.toString('utf8'), bytes, stderr });
      });
      // A git that exits before reading its input (on an error) closes the pipe: its exit code says why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }

  function failure(result: Result, what: string): RunError {
    const advice = ADVICE.find(([pattern]) => pattern.test(result.stderr))?.[1];
    const said = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' / ');
    return new RunError(`${spec.display}: ${what}${advice ? `: ${advice}` : ''}${said ? ` [git: ${said}]` : ''}`);
  }

  async function must(args: readonly string[], what: string, input?: string): Promise<string> {
    const result = await git(args, input);
    if (result.code !== 0) throw failure(result, what);
    return result.stdout.trim();
  }

  /** Fetches a ref of the remote, without history or file contents; undefined when it does not exist. */
  async function fetchRef(remoteRef: string, localRef: string): Promise<string | undefined> {
    const result = await git(['fetch', '--quiet', '--depth=1', '--filter=blob:none', '--no-tags', REMOTE, `+${remoteRef}:${localRef}`]);
    if (result.code !== 0) {
      if (NO_SUCH_REF.test(result.stderr)) return undefined;
      throw failure(result, `cannot fetch ${remoteRef.replace('refs/heads/', 'the branch ')}`);
    }
    return must(['rev-parse', '--verify', `${localRef}^{commit}`], `cannot read ${localRef}`);
  }

  let tip: string | undefined;
  try {
    await must(['init', '--quiet', '--bare', repository], 'cannot create a work repository');
    await must(['remote', 'add', REMOTE, spec.remote], 'cannot name the remote');
    tip = await fetchRef(`refs/heads/${spec.branch}`, `refs/remotes/${REMOTE}/${spec.branch}`);
    await fetchRef(NOTES, NOTES);
    if (tip) await must(['read-tree', tip], 'cannot read the branch');
    if (!(await git(['config', 'user.email'])).stdout.trim() && !env.GIT_COMMITTER_EMAIL && !env.EMAIL) {
      Object.assign(env, { GIT_AUTHOR_NAME: 'castwright', GIT_AUTHOR_EMAIL: 'castwright@localhost', GIT_COMMITTER_NAME: 'castwright', GIT_COMMITTER_EMAIL: 'castwright@localhost' });
    }
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }

  let batches = 0;
  async function stage(files: ReadonlyArray<Pick<Upload, 'path' | 'body'>>): Promise<void> {
    const folder = path.join(work, `files-${++batches}`);
    const written: string[] = [];
    for (const file of files) {
      const at = path.join(folder, ...file.path.split('/'));
      await mkdir(path.dirname(at), { recursive: true });
      await writeBody(at, file.body);
      written.push(at);
    }
    const hashes = (await must(['hash-object', '-w', '--no-filters', '--stdin-paths'], 'cannot store the files', `${written.join('\n')}\n`)).split('\n');
    const entries = files.map((file, i) => `100644 ${hashes[i]}\t${file.path}\0`).join('');
    await must(['update-index', '-z', '--index-info'], 'cannot stage the files', entries);
    await rm(folder, { recursive: true, force: true });
  }

  /** The file in the branch's tip, its content fetched now (the tip was fetched without any). */
  async function readFile(name: string, max: number): Promise<Buffer | undefined> {
    if (!tip) return undefined;
    const shown = `${spec.display}:${name}`;
    const entry = await must(['ls-tree', tip, '--', name], 'cannot read the branch');
    if (entry === '') return undefined;
    const [, mode, type, object] = /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(entry) ?? [];
    if (type === 'tree') throw new UnreadableFile(shown, 'it is a folder, not a file');
    if (type !== 'blob' || mode === '120000') throw new UnreadableFile(shown, `it is a ${mode === '120000' ? 'symbolic link' : (type ?? 'strange entry')}, not a file`);
    const size = Number(await must(['cat-file', '-s', object!], `cannot fetch ${name}`));
    if (size > max) throw tooLarge(shown, size, max);
    const content = await git(['cat-file', 'blob', object!]);
    if (content.code !== 0) throw failure(content, `cannot fetch ${name}`);
    return content.bytes;
  }

  return {
    display: spec.display,
    changesAreLive: false,

    shown: (name) => `${spec.display}:${name}`,

    readFile,

    async readRecord() {
      if (!tip) return undefined;
      const note = await git(['notes', `--ref=${NOTES}`, 'show', tip]);
      if (note.code === 0) return note.stdout;
      return recordFile({ readFile });
    },

    async put(files, done) {
      await stage(files);
      for (const file of files) done(file.path);
    },

    async remove(paths, done) {
      if (paths.length === 0) return;
      await must(['update-index', '-z', '--index-info'], 'cannot remove files', paths.map((p) => `0 ${NO_OBJECT}\t${p}\0`).join(''));
      for (const file of paths) done(file);
    },

    async writeRecord(text) {
      await stage([{ path: RECORD_FILE, body: Buffer.from(text) }]);
    },

    async commit(change) {
      // --missing-ok: the unchanged files were never fetched, and need not be.
      const tree = await must(['write-tree', '--missing-ok'], 'cannot write the tree');
      if (tip && tree === (await must(['rev-parse', `${tip}^{tree}`], 'cannot read the branch'))) return undefined;
      const commit = await must(['commit-tree', tree, ...(tip ? ['-p', tip] : []), '-F', '-'], 'cannot commit', commitMessage(change));
      await must(['push', '--quiet', REMOTE, `${commit}:refs/heads/${spec.branch}`], `cannot push to ${spec.branch}`);
      tip = commit;
      return `pushed ${commit.slice(0, 10)} to ${spec.branch}`;
    },

    async updateRecord(text) {
      if (!tip) return;
      await must(['notes', `--ref=${NOTES}`, 'add', '--force', '--file=-', tip], 'cannot note the notifications', text);
      await must(['push', '--quiet', REMOTE, `${NOTES}:${NOTES}`], 'cannot push the note of the notifications');
    },

    async close() {
      await rm(work, { recursive: true, force: true });
    },
  };
}
