// rsync over SSH (ssh://user@host/path, user@host:path) with the system's rsync and ssh, the user's
// own keys, agent and ~/.ssh/config; or to an rsync daemon (rsync://host/module/path, password in
// RSYNC_PASSWORD). Each batch is one rsync run over a list of files: rsync writes each to a
// temporary name and, with --delay-updates, renames the whole batch into place at its end.
import { writeBody } from '../body.ts';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunError } from '../../errors.ts';
import { RECORD_FILE } from '../record.ts';
import type { TargetSpec } from '../target-url.ts';
import { UnreadableFile, readLocalFile, underDisplay, type Target, type TargetContext } from '../target.ts';

type RsyncSpec = Extract<TargetSpec, { kind: 'ssh' | 'rsync' }>;

/** rsync's "some files vanished": what deleting a list of files that are gone looks like. */
const VANISHED = 24;
const PARTIAL = 23;
/** The last of rsync's and ssh's own words, for the error message. */
const KEEP_STDERR = 4000;

const ADVICE: Array<[RegExp, string]> = [
  [/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/, 'the host is not in ~/.ssh/known_hosts (add it once: ssh-keyscan -H <host> >> ~/.ssh/known_hosts) or its key changed'],
  [/Permission denied \(publickey/, 'the server refused the key: load it into ssh-agent, or name it in ~/.ssh/config (IdentityFile)'],
  [/auth failed on module|@ERROR: auth failed/, 'the rsync daemon refused the login: check the user in the URL and RSYNC_PASSWORD'],
  [/Could not resolve hostname|Name or service not known/, 'the host name does not resolve'],
  [/Connection refused/, 'nothing listens there (check the host and port)'],
  [/Connection timed out|timed out/, 'the host did not answer in time'],
  [/command not found|rsync: not found/, 'rsync is not installed on the server'],
];

interface Result {
  code: number;
  stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('rsync', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-KEEP_STDERR);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new RunError('rsync is not installed on this machine (Debian: apt-get install rsync openssh-client)') : error);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr }));
  });
}

/** Ends the shared SSH connection, if one was opened; it would otherwise linger a minute. */
function closeMaster(ssh: string, control: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve) => {
    if (!existsSync(control)) return resolve();
    const [command = 'ssh', ...args] = ssh.split(/\s+/);
    const child = spawn(command, [...args, '-o', `ControlPath=${control}`, '-O', 'exit', 'castwright-publish'], { env, stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

export async function openRsync(spec: RsyncSpec, context: TargetContext): Promise<Target> {
  const env: NodeJS.ProcessEnv = { ...context.env, LC_ALL: 'C' };
  const work = await mkdtemp(path.join(tmpdir(), 'castwright-rsync-'));
  // A folder relative to the home folder is what rsync reads a path without a leading / as.
  const folder = spec.path.replace(/^~\/?/, '').replace(/\/+$/, '');
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  const user = spec.user ? `${spec.user}@` : '';
  const remote =
    spec.kind === 'ssh'
      ? `${user}${host}:${folder === '' ? '.' : folder}/`
      : `rsync://${user}${host}${spec.port ? `:${spec.port}` : ''}/${folder}/`;
  // One SSH connection for the whole run: every rsync after the first rides on it, instead of a
  // handshake per batch. Options in RSYNC_RSH come first, and ssh keeps the first value it reads.
  const control = path.join(work, 'ssh-control');
  const ssh = `${env.RSYNC_RSH?.trim() || 'ssh'} -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15`;
  const multiplexed = `${ssh} -o ControlMaster=auto -o ControlPath=${control} -o ControlPersist=60${spec.port ? ` -p ${spec.port}` : ''}`;
  const common = [
    // --secluded-args: names reach the remote rsync as they are, never through a remote shell.
    '-s',
    '--timeout=60',
    ...(spec.kind === 'ssh' ? ['-e', multiplexed] : ['--contimeout=20']),
  ];
  let batches = 0;

  function failure(result: Result, what: string): RunError {
    const lines = result.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
    const advice = ADVICE.find(([pattern]) => pattern.test(result.stderr))?.[1];
    const said = lines.slice(-3).join(' / ');
    return new RunError(`${spec.display}: ${what}: rsync failed (exit ${result.code})${advice ? `: ${advice}` : ''}${said ? ` [${said}]` : ''}`);
  }

  async function rsync(args: readonly string[], what: string, accept: readonly number[] = [0]): Promise<Result> {
    const result = await run([...common, ...args], env);
    if (!accept.includes(result.code)) throw failure(result, what);
    return result;
  }

  /** A NUL-separated list of relative paths, as --files-from --from0 reads it. */
  async function list(paths: readonly string[]): Promise<string> {
    const file = path.join(work, `list-${++batches}`);
    await writeFile(file, paths.map((p) => `${p}\0`).join(''));
    return file;
  }

  const sendRecord = async (text: string) => {
    const folderOfRecord = path.join(work, `record-${++batches}`);
    await mkdir(folderOfRecord);
    await writeFile(path.join(folderOfRecord, RECORD_FILE), text);
    await rsync(['--mkpath', path.join(folderOfRecord, RECORD_FILE), remote], 'cannot write the record');
  };

  return {
    display: spec.display,
    changesAreLive: true,

    shown: (name) => underDisplay(spec.display, name),

    async readFile(name, max) {
      const shown = underDisplay(spec.display, name);
      const into = path.join(work, `read-${++batches}`);
      await mkdir(into);
      // --dirs brings a folder by that name as a folder and --copy-links a link as what it leads
      // to, as a web server serves it: without them rsync would skip either, as if it were absent.
      const result = await run([...common, '--ignore-missing-args', '--dirs', '--copy-links', `${remote}${name}`, `${into}/`], env);
      // A folder that does not exist yet holds nothing: the first upload creates it.
      if (result.code === PARTIAL && /change_dir .* failed: No such file or directory/.test(result.stderr)) return undefined;
      const unreadable = result.code === PARTIAL ? result.stderr.split('\n').find((line) => /Permission denied|symlink has no referent|failed to open/.test(line)) : undefined;
      if (unreadable) throw new UnreadableFile(shown, `the target holds it, but it cannot be read [${unreadable.trim()}]`);
      if (result.code !== 0) throw failure(result, `cannot read ${name}`);
      if (/skipping non-regular file/.test(result.stderr)) throw new UnreadableFile(shown, 'it is a socket, device or pipe, not a file');
      try {
        return readLocalFile(path.join(into, path.basename(name)), shown, max);
      } finally {
        await rm(into, { recursive: true, force: true });
      }
    },

    async put(files, done) {
      const source = path.join(work, `batch-${++batches}`);
      for (const file of files) {
        await mkdir(path.dirname(path.join(source, file.path)), { recursive: true });
        await writeBody(path.join(source, file.path), file.body);
      }
      const paths = files.map((f) => f.path);
      // --ignore-times: the plan already chose these files by content; rsync must not skip one
      // whose size and time happen to match.
      await rsync(['--files-from', await list(paths), '--from0', '--ignore-times', '--delay-updates', '--mkpath', `${source}/`, remote], `cannot upload ${files.length} files`);
      for (const file of paths) done(file);
      await rm(source, { recursive: true, force: true });
    },

    async remove(paths, done) {
      if (paths.length === 0) return;
      const empty = path.join(work, 'empty');
      await mkdir(empty, { recursive: true });
      // A missing source argument becomes a deletion on the receiver: only the listed files go.
      const remove = ['--from0', '--delete-missing-args', '--no-implied-dirs', `${empty}/`, remote];
      await rsync(['--files-from', await list(paths), ...remove], `cannot delete ${paths.length} files`, [0, VANISHED]);
      for (const file of paths) done(file);
      // Then the folders they leave empty, deepest first; rsync refuses to delete one that still holds anything.
      const folders = new Set(paths.flatMap((p) => p.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
      const depths = [...new Set([...folders].map((f) => f.split('/').length))].sort((a, b) => b - a);
      for (const depth of depths) {
        const level = [...folders].filter((f) => f.split('/').length === depth);
        await rsync(['--files-from', await list(level), ...remove], 'cannot delete emptied folders', [0, VANISHED]);
      }
    },

    writeRecord: sendRecord,
    updateRecord: sendRecord,
    commit: async () => undefined,
    async close() {
      if (spec.kind === 'ssh') await closeMaster(ssh, control, env);
      await rm(work, { recursive: true, force: true });
    },
  };
}
