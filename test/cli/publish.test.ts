import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTicks } from '../../src/send/lock.ts';
import { cleanUp, fixture } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { recordingServer, type RecordingServer } from '../helpers/http.ts';
import { addEpisode, publish, publishProcess, publishWorkspace, slugOf, uploadedIn } from '../publish/show.ts';

const hubs: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
  await cleanUp();
});

describe('castwright publish', () => {
  it('shows its options with --help', async () => {
    const root = await publishWorkspace([1]);
    const help = await publishProcess(root, ['--help']);
    expect(help.code).toBe(0);
    for (const option of ['--to <target>', '--dry-run', '--force', '--now <date>', '--content <dir>', '--against <feed>', '--accept <guid|file>', '--no-guard', 'the feed.xml the target holds now', 'PUBLISH_URL', 'PODPING_TOKEN']) expect(help.stdout).toContain(option);
  });

  it.each([
    [[], 'no target: give --to <target>, set $PUBLISH_URL, or add publish: to show.yml'],
    [['--to', 'site', '--now', 'Monday'], '--now "Monday" is not a usable date'],
    [['--to', 'ftp://example.com/www'], '--to is not a publish target'],
    [['--to', 'ssh://deploy:hunter2hunter2@example.com/var/www'], '--to holds a password; ssh logs in with your keys or agent'],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const root = await publishWorkspace([1]);
    const result = await publish(root, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('hunter2hunter2');
    expect(existsSync(path.join(root, 'site'))).toBe(false);
  });

  it('publishes where show.yml says, a folder there being relative to show.yml; PUBLISH_URL and --to come first', async () => {
    const root = await publishWorkspace([1], 'publish: ../from-show-yml\n');
    expect((await publish(root, [])).code).toBe(0);
    expect(existsSync(path.join(root, 'from-show-yml', 'feed.xml'))).toBe(true);
    expect((await publish(root, [], { PUBLISH_URL: path.join(root, 'from-env') })).code).toBe(0);
    expect(existsSync(path.join(root, 'from-env', 'feed.xml'))).toBe(true);
    expect((await publish(root, ['--to', 'from-option'], { PUBLISH_URL: path.join(root, 'from-env-2') })).code).toBe(0);
    expect(existsSync(path.join(root, 'from-option', 'feed.xml'))).toBe(true);
    expect(existsSync(path.join(root, 'from-env-2'))).toBe(false);
  });

  it('reports a password in show.yml at its line, masked, and publishes nothing', async () => {
    const root = await publishWorkspace([1], 'publish: git+https://ada:hunter2hunter2@github.com/fixture/site.git\n');
    const result = await publish(root, ['--to', 'site']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes/show.yml:16: publish: "git+https://ada:***@github.com/fixture/site.git" holds a password or token');
    expect(result.stderr).not.toContain('hunter2hunter2');
    expect(existsSync(path.join(root, 'site'))).toBe(false);
  });

  it('stops on invalid content with every problem and nothing uploaded', async () => {
    const root = await publishWorkspace([1]);
    expect((await publish(root, ['--to', 'site'])).code).toBe(0);
    const before = await snapshot(path.join(root, 'site'));
    await writeFile(path.join(root, 'episodes', 'bad-date.md'), await fixture('invalid/bad-date.md'));
    const result = await publish(root, ['--to', 'site']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes/bad-date.md:3: date:');
    expect(result.stderr).toContain('castwright publish: 1 problem; nothing was uploaded.');
    expect(await snapshot(path.join(root, 'site'))).toEqual(before);
  });

  it('lists with --dry-run what would be uploaded, deleted and pinged, and changes nothing', async () => {
    const hub = await recordingServer('/hub');
    hubs.push(hub);
    const root = await publishWorkspace([1], `websub: ${hub.url}\n`);
    expect((await publish(root, ['--to', 'site'])).code).toBe(0);
    await writeFile(path.join(root, 'episodes', `${slugOf(1)}.md`), (await readFile(path.join(root, 'episodes', `${slugOf(1)}.md`), 'utf8')).replace('Bye for now.', 'Bye for now!'));
    await addEpisode(root, 2);
    const before = await snapshot(path.join(root, 'site'));
    const result = await publish(root, ['--to', 'site', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: Publishing Fixture Weekly to site');
    expect(result.stdout).toContain('  would upload episodes/ep-2/index.html\n');
    expect(result.stdout).toContain('  would upload feed.xml\n');
    expect(result.stdout).toContain(`  would ping   WebSub hub ${hub.url}\n`);
    expect(result.stdout).toMatch(/Dry run: 3 pages, 6 email files, feed\.json, sitemap\.xml, feed\.xml would be uploaded; 0 would be deleted; WebSub would be pinged\. Nothing was changed\.\n$/);
    expect(await snapshot(path.join(root, 'site'))).toEqual(before);
    expect(hub.requests).toHaveLength(1);
  });

  it('refuses to run beside another publish of the same show', async () => {
    const root = await publishWorkspace([1]);
    await mkdir(path.join(root, '.castwright'));
    // The process that started this test is alive and started at the recorded time: its lock is held.
    const holder = { pid: process.ppid, host: hostname(), started: '2026-01-01T00:00:00Z', nonce: 'x', startTicks: processStartTicks(process.ppid) };
    await writeFile(path.join(root, '.castwright', 'publish.lock'), JSON.stringify(holder));
    const result = await publish(root, ['--to', 'site']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`another publish of this show is running (process ${process.ppid}`);
    expect(result.stderr).toContain('This run changed nothing');
    expect(existsSync(path.join(root, 'site'))).toBe(false);
  });
});

describe('scheduled episodes', () => {
  it('publishes an episode dated in the future with the first run after its time, and not before', async () => {
    const hub = await recordingServer('/hub');
    hubs.push(hub);
    const root = await publishWorkspace([1], `websub: ${hub.url}\n`);
    await addEpisode(root, 2, { date: '2030-01-07T15:00:00Z' });
    const at = (now: string) => publish(root, ['--to', 'site', '--now', now]);

    const early = await at('2030-01-07T14:50:00Z');
    expect(early.code).toBe(0);
    expect(early.stdout).toContain('(1 draft or future episode not published yet)');
    expect(existsSync(path.join(root, 'site', 'episodes', slugOf(2)))).toBe(false);
    expect(hub.requests).toHaveLength(1);

    const stillEarly = await at('2030-01-07T14:59:59Z');
    expect(stillEarly.stdout).toContain('Nothing to publish');
    expect(hub.requests).toHaveLength(1);

    const onTime = await at('2030-01-07T15:00:00Z');
    expect(onTime.code).toBe(0);
    expect(uploadedIn(onTime.stdout).sort()).toEqual(['email/ep-2.html', 'email/ep-2.txt', 'email/ep-2/index.html', 'episodes/ep-2/index.html', 'feed.json', 'feed.xml', 'index.html', 'sitemap.xml']);
    expect(await readFile(path.join(root, 'site', 'feed.xml'), 'utf8')).toContain('Episode 2 of the show');
    expect(hub.requests).toHaveLength(2);
  });
});
