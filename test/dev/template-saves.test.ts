// Templates saved while dev runs (a real session, real HTTP on a free port): a page, a partial and
// the digest edited, a template broken and fixed, saved atomically, a partial removed and made
// again. What dev serves must then be exactly what a cold build with those templates makes.
// (`castwright dev` itself takes its templates from the package: the session is started here with
// a copy of them, as the command starts it.)
import { renameSync, writeFileSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSession, type Session } from '../../src/dev/session.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { servesColdBuild, waitForState } from './dev-process.ts';

let session: Session | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
  await cleanUp();
});

describe('dev after template saves', () => {
  it('serves what a cold build with the saved templates makes; a broken one is shown at its file and line until fixed', async () => {
    const root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    const templatesDir = path.join(root, 'templates');
    await cp(path.join(PROJECT, 'templates'), templatesDir, { recursive: true });
    session = await startSession({ contentDir: path.join(root, 'episodes'), templatesDir, host: '127.0.0.1', port: 0, cwd: root });
    const dev = { url: session.url, output: () => '' };
    const serves = (gone: Iterable<string>) => servesColdBuild(dev, root, gone, templatesDir);
    let files = await serves([]);

    const page = path.join(templatesDir, 'site', 'episode.hbs');
    const good = await readFile(page, 'utf8');
    await writeFile(page, good.replace('<h1>{{episode.title}}</h1>', '<h1 class="saved">{{episode.title}}</h1>'));
    files = await serves(files.keys());
    expect(files.get('episodes/2020-09-14-disrupt-tiktok/index.html')!.toString()).toContain('<h1 class="saved">');

    const partial = path.join(templatesDir, 'site', 'partials', 'signup.hbs');
    const partialText = await readFile(partial, 'utf8');
    await writeFile(partial, `${partialText}<!-- a partial saved -->\n`);
    files = await serves(files.keys());

    const digest = path.join(templatesDir, 'email', 'digest.mjml.hbs');
    await writeFile(digest, (await readFile(digest, 'utf8')).replace('</mj-body>', '<mj-section><mj-column><mj-text>Saved digest</mj-text></mj-column></mj-section></mj-body>'));
    files = await serves(files.keys());
    expect(files.get('email/2020-09-14-disrupt-tiktok.html')!.toString()).toContain('Saved digest');

    // Broken at line 19, then fixed to a text neither it nor the last good build had.
    const lines = good.split('\n');
    expect(lines[18]).toBe('  </div>');
    await writeFile(page, [...lines.slice(0, 18), '  </div>{{episode.title', ...lines.slice(19)].join('\n'));
    const failed = await waitForState(session.url, (state) => state.problems.length > 0);
    expect(failed.problems.join('\n')).toMatch(/^templates\/site\/episode\.hbs:19: /m);
    expect(await (await fetch(new URL('/episodes/2020-09-14-disrupt-tiktok/', session.url))).text()).toContain('<h1 class="saved">');
    await writeFile(page, good.replace('<h1>{{episode.title}}</h1>', '<h1 class="fixed">{{episode.title}}</h1>'));
    await waitForState(session.url, (state) => state.problems.length === 0);
    files = await serves(files.keys());

    // Atomically: a temporary file renamed over it.
    writeFileSync(path.join(templatesDir, 'site', '.episode.hbs.swp'), good.replace('<h1>{{episode.title}}</h1>', '<h1 class="atomic">{{episode.title}}</h1>'));
    renameSync(path.join(templatesDir, 'site', '.episode.hbs.swp'), page);
    files = await serves(files.keys());
    expect(files.get('episodes/2020-09-14-disrupt-tiktok/index.html')!.toString()).toContain('<h1 class="atomic">');

    // The layout partial removed (each page then renders without it: `{{#> layout}}` falls back
    // to its own content), then made again.
    const layout = path.join(templatesDir, 'site', 'partials', 'layout.hbs');
    const layoutText = await readFile(layout, 'utf8');
    await rm(layout);
    files = await serves(files.keys());
    expect(files.get('index.html')!.toString()).not.toContain('<html');
    await writeFile(layout, layoutText);
    files = await serves(files.keys());
    expect(files.get('index.html')!.toString()).toContain('<html');

    // Still watching the episodes.
    const episode = path.join(root, 'episodes', '2020-09-21-oracle-tiktok.md');
    await writeFile(episode, `${await readFile(episode, 'utf8')}\nSaved after the templates.\n`);
    await serves(files.keys());
  });
});
