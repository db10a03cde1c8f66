// castwright publish's command line. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/publish.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption, guardOptions } from '../options.ts';
import { PODPING_TOKEN_VARIABLE } from '../../publish/notify/podping.ts';
import { RECORD_FILE } from '../../publish/record-file.ts';
import { PUBLISH_URL_VARIABLE, TARGET_EXAMPLES } from '../../publish/target-url.ts';

export const publishSpec: CommandSpec = {
  name: 'publish',
  summary: 'Build the show and upload what changed (feed last), then tell podcast apps through WebSub and podping.',
  options: {
    to: {
      type: 'string',
      value: '<target>',
      description: `where to publish (default: $${PUBLISH_URL_VARIABLE}, then publish: in show.yml): ${TARGET_EXAMPLES}`,
    },
    'dry-run': { type: 'boolean', description: 'list what would be uploaded, deleted and pinged; change nothing' },
    force: { type: 'boolean', description: "upload every file, whatever the target's record says it holds" },
    now: { type: 'string', value: '<date>', description: 'publish as of this time, such as 2020-10-05T14:00:00Z (default: now); episodes dated later wait' },
    content: contentOption,
    ...guardOptions,
    against: {
      ...guardOptions.against!,
      description: 'the live feed to compare with: a file or an http(s) URL (default: the feed.xml the target holds now)',
    },
    'no-guard': { type: 'boolean', description: "compare with no live feed: the target's feed.xml is not read (a target with none is compared with nothing anyway)" },
  },
  examples: [
    'castwright publish --dry-run',
    'castwright publish --to file:///var/www/equity',
    'castwright publish --to ssh://deploy@example.com/var/www/equity',
    'castwright publish --to "s3://equity-site/?endpoint=https://<account>.r2.cloudflarestorage.com&region=auto"',
    'castwright publish --to git+ssh://git@github.com/techcrunch/equity.git#gh-pages',
  ],
  notes: [
    'Only files whose content changed go up: pages and assets first, the feed after them, deletions last, so apps never see a feed ' +
      `that names a missing file. The target keeps a record (${RECORD_FILE}) of what castwright put there; a run that failed or was ` +
      'stopped is finished by the next one, and a run with nothing new uploads nothing and pings no one.',
    'The publish guard compares the build with the feed.xml the target holds now (what apps have read; --against another ' +
      'copy) and stops a changed guid, audio file, date or title, a vanished episode or a changed show identity, with nothing ' +
      'uploaded: fix it, or acknowledge it with --accept, replaces: or removed: (see the README). A target with no feed.xml yet ' +
      'is a first publish, compared with nothing; one whose feed.xml cannot be read or reached stops the publish.',
    'Episodes dated in the future wait for the first publish after their time: run publish every few minutes from cron or CI.',
    `Environment: ${PUBLISH_URL_VARIABLE} (the target; the only place a URL may carry a password or token), AWS_ACCESS_KEY_ID, ` +
      `AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION (S3), RSYNC_RSH (the ssh command), RSYNC_PASSWORD (rsync daemon), ${PODPING_TOKEN_VARIABLE}. ` +
      'Secrets never appear in output.',
    'Exit codes: 0 published (or nothing to do), 1 invalid content, a change the guard stops, a failed upload or a service not notified (run again to finish), 2 bad usage.',
  ],
};
