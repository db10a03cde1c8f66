// Debian's OpenSSH server and rsync daemon, started by the tests on 127.0.0.1 with their own
// configuration, host key and client key in a temporary folder. Nothing of the machine's own ssh
// setup is read or changed (except /run/sshd, the folder sshd insists on when run as root).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inCI } from './browser.ts';

export const SSHD = '/usr/sbin/sshd';
const RSYNC = '/usr/bin/rsync';

/** Why the SSH tests cannot run here, or undefined when they can. */
export const sshSkipReason = !existsSync(SSHD)
  ? `no OpenSSH server at ${SSHD} (apt-get install -y openssh-server rsync)`
  : !existsSync(RSYNC)
    ? `no rsync at ${RSYNC} (apt-get install -y rsync)`
    : undefined;

if (sshSkipReason && !inCI) {
  console.warn(`\n${'!'.repeat(78)}\n  RSYNC OVER SSH TESTS SKIPPED: ${sshSkipReason}.\n  Under CI=true they fail instead.\n${'!'.repeat(78)}\n`);
}

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a daemon on a port that was free a moment ago; if another process took the port in
 * between, the daemon says so and exits, and a new port is tried.
 */
/** Resolves once something accepts connections on the port (the daemon says nothing when ready). */
function accepting(port: number, child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let tries = 0;
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const attempt = () => {
      if (exited()) return resolve(false);
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        // Bounded: 200 tries 25 ms apart is 5 s of a daemon not listening yet.
        if (++tries >= 200 || exited()) return resolve(false);
        setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

async function startOnFreePort(
  start: (port: number) => Promise<ChildProcess>,
  ready: RegExp | 'accepting',
): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  let lastWords = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = await start(port);
    let said = '';
    const started = await new Promise<boolean>((resolve) => {
      const onData = (chunk: Buffer) => {
        said = (said + chunk.toString()).slice(-20_000);
        if (ready !== 'accepting' && ready.test(said)) resolve(true);
      };
      child.stderr!.on('data', onData);
      child.stdout?.on('data', onData);
      child.once('exit', () => {
        lastWords = said;
        resolve(false);
      });
      if (ready === 'accepting') void accepting(port, child).then(resolve);
      // A daemon that neither starts nor fails is given up on, and never left running.
      setTimeout(() => {
        lastWords = `${said}\n(not ready after 20 s)`;
        resolve(false);
      }, 20_000).unref();
    });
    if (started) return { child, port, log: () => said };
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!/in use|bind/i.test(lastWords)) break;
  }
  throw new Error(`the test server did not start: ${lastWords.trim()}`);
}

/**
 * Stops the daemon, then removes its folder. The folder is not one of the test's temporary
 * folders: those go after each test, and sshd reads its keys again for every connection.
 */
function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await rm(dir, { recursive: true, force: true });
  };
}

const daemonDir = (prefix: string) => mkdtemp(path.join(tmpdir(), prefix));

export interface TestSshd {
  port: number;
  user: string;
  /** A folder the tests may publish into. */
  dir: string;
  /** The ssh command for RSYNC_RSH: this server's client key and host key, nothing of ~/.ssh. */
  rsh: string;
  /** The same without the host key known, as a first connection to an unknown host. */
  rshUnknownHost: string;
  /** What sshd said, for a failing test to show. */
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<TestSshd> {
  const dir = await daemonDir('castwright-sshd-');
  await chmod(dir, 0o755);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'castwright-test-host', '-f', path.join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'castwright-test-client', '-f', path.join(dir, 'client_key')]);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client_key.pub')));
  const user = userInfo().username;
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const config = (port: number) =>
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'PrintMotd no',
      'LogLevel INFO',
      '',
    ].join('\n');
  const { child, port, log } = await startOnFreePort(async (port) => {
    const file = path.join(dir, `sshd_config_${port}`);
    await writeFile(file, config(port));
    return spawn(SSHD, ['-D', '-e', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  }, /Server listening on 127\.0\.0\.1 port \d+/);
  const hostKey = (await readFile(path.join(dir, 'host_key.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
  await writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  await writeFile(path.join(dir, 'empty_known_hosts'), '');
  const base = `ssh -F /dev/null -i ${path.join(dir, 'client_key')} -o IdentitiesOnly=yes -o IdentityAgent=none`;
  const site = path.join(dir, 'www');
  await mkdir(site);
  return {
    port,
    user,
    dir: site,
    rsh: `${base} -o UserKnownHostsFile=${path.join(dir, 'known_hosts')} -o StrictHostKeyChecking=yes`,
    rshUnknownHost: `${base} -o UserKnownHostsFile=${path.join(dir, 'empty_known_hosts')} -o StrictHostKeyChecking=yes`,
    log,
    stop: stopper(child, dir),
  };
}

export interface TestRsyncDaemon {
  port: number;
  user: string;
  password: string;
  /** The folder behind module "sites". */
  dir: string;
  stop(): Promise<void>;
}

/** rsync's own daemon, one writable module "sites", password login for one user. */
export async function startRsyncDaemon(): Promise<TestRsyncDaemon> {
  const dir = await daemonDir('castwright-rsyncd-');
  const sites = path.join(dir, 'sites');
  await mkdir(sites);
  const user = 'publisher';
  const password = 'rsync-daemon-pass-8f3k2';
  const secrets = path.join(dir, 'secrets');
  await writeFile(secrets, `${user}:${password}\n`, { mode: 0o600 });
  const me = userInfo();
  const config = [
    'use chroot = no',
    `pid file = ${path.join(dir, 'rsyncd.pid')}`,
    ...(process.getuid?.() === 0 ? [`uid = ${me.uid}`, `gid = ${me.gid}`] : []),
    '[sites]',
    `  path = ${sites}`,
    '  read only = no',
    `  auth users = ${user}`,
    `  secrets file = ${secrets}`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'rsyncd.conf'), config);
  const { child, port } = await startOnFreePort(
    async (port) => spawn(RSYNC, ['--daemon', '--no-detach', `--config=${path.join(dir, 'rsyncd.conf')}`, `--port=${port}`, '--address=127.0.0.1', `--log-file=${path.join(dir, 'rsyncd.log')}`], { stdio: ['ignore', 'pipe', 'pipe'] }),
    'accepting',
  );
  return { port, user, password, dir: sites, stop: stopper(child, dir) };
}
