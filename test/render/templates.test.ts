import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentError } from '../../src/errors.ts';
import { formatProblem } from '../../src/problems.ts';
import { createRequire } from 'node:module';
import { compileMjmlSource, loadTemplates, mjmlKey, precompiledKey, precompileSource, SHIPPED_HANDLEBARS_FILE, SHIPPED_MJML_FILE } from '../../src/render/templates.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

/** A copy of templates/ with one file changed; returns the problems loading it reports. */
async function problemsWith(file: string, change: (source: string) => string): Promise<string[]> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'templates'), path.join(root, 'templates'), { recursive: true });
  const target = path.join(root, 'templates', file);
  await writeFile(target, change(await readFile(target, 'utf8')));
  try {
    await loadTemplates(path.join(root, 'templates'), root);
  } catch (error) {
    if (error instanceof ContentError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('template problems', () => {
  it('name the line of a Handlebars syntax error, with what was expected', async () => {
    const problems = await problemsWith('site/episode.hbs', (source) => source.replace('{{episode.title}}', '{{episode.title'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^templates\/site\/episode\.hbs:5: template error: Parse error on line 5: Expecting .*got 'INVALID'$/);
  });

  it('name the line of a block closed by the wrong helper', async () => {
    const problems = await problemsWith('site/index.hbs', (source) => source.replace('{{/each}}', '{{/if}}'));
    expect(problems).toEqual([expect.stringMatching(/^templates\/site\/index\.hbs:\d+: template error: each doesn't match if$/)]);
    expect(Number(problems[0]!.split(':')[1])).toBeGreaterThan(1);
  });

  it('report a Handlebars mistake in the email template at its own line, not a line of MJML output', async () => {
    const problems = await problemsWith('email/digest.mjml.hbs', (source) => source.replace('<h1>{{episode.title}}</h1>', '<h1>{{episode.title</h1>'));
    const line = (await readFile(path.join(PROJECT, 'templates/email/digest.mjml.hbs'), 'utf8')).split('\n').findIndex((l) => l.includes('<h1>{{episode.title}}')) + 1;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^templates/email/digest\\.mjml\\.hbs:${line}: template error: `));
  });

  it('report an MJML mistake with its line', async () => {
    const problems = await problemsWith('email/digest.mjml.hbs', (source) => source.replace('<mj-column>', '<mj-column bogus-attribute="1">'));
    expect(problems[0]).toMatch(/^templates\/email\/digest\.mjml\.hbs:\d+: MJML: /);
  });

  it('load the shipped templates without a problem', async () => {
    await expect(loadTemplates()).resolves.toBeDefined();
  });
});

describe('the default digest template compiled at installation (issue 9)', () => {
  it('is what MJML makes of the template in templates/ now, under its source hash', async () => {
    // npm run prepare writes it; the test suite runs after an install, so it is there.
    const shipped = JSON.parse(await readFile(SHIPPED_MJML_FILE, 'utf8')) as Record<string, string>;
    const source = await readFile(path.join(PROJECT, 'templates/email/digest.mjml.hbs'), 'utf8');
    expect(Object.keys(shipped)).toEqual([mjmlKey(source)]);
    expect(shipped[mjmlKey(source)]).toBe(await compileMjmlSource(source));
  });

  it('is not used for a changed template: that one compiles through MJML, its mistakes reported', async () => {
    const problems = await problemsWith('email/digest.mjml.hbs', (source) => source.replace('<mj-column>', '<mj-column bogus-attribute="1">'));
    expect(problems[0]).toMatch(/^templates\/email\/digest\.mjml\.hbs:\d+: MJML: /);
  });
});

describe('the default Handlebars templates precompiled at installation (issue 9)', () => {
  it('are what Handlebars makes of the templates in templates/ now, under their source hash', async () => {
    // npm run prepare writes them; the test suite runs after an install, so they are there.
    const shipped = createRequire(import.meta.url)(SHIPPED_HANDLEBARS_FILE) as Record<string, unknown>;
    const shippedMjml = JSON.parse(await readFile(SHIPPED_MJML_FILE, 'utf8')) as Record<string, string>;
    const sources: Array<[string, boolean]> = [[Object.values(shippedMjml)[0]!, false]];
    for (const file of ['site/index.hbs', 'site/episode.hbs', 'site/partials/layout.hbs', 'feed/content.hbs', 'email/confirm.html.hbs']) {
      sources.push([await readFile(path.join(PROJECT, 'templates', file), 'utf8'), false]);
    }
    for (const file of ['site/robots.txt.hbs', 'email/digest.txt.hbs']) sources.push([await readFile(path.join(PROJECT, 'templates', file), 'utf8'), true]);
    for (const [source, text] of sources) {
      const spec = shipped[precompiledKey(source, text)];
      expect(spec).toBeDefined();
      // The same JavaScript as compiled now: run the same way, cold or cached.
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      expect(String((spec as { main: unknown }).main)).toBe(String((new Function(`return ${precompileSource(source, text)}`)() as { main: unknown }).main));
    }
  });

  it('are not used for a changed template: that one is compiled, its mistakes reported', async () => {
    const problems = await problemsWith('site/index.hbs', (source) => `${source}\n{{#if x}}`);
    expect(problems[0]).toMatch(/^templates\/site\/index\.hbs:\d+: template error: /);
  });
});

describe('templates compiled knowing every helper (issue 9)', () => {
  it('read a plain name from the context without looking for a helper of that name first', () => {
    const code = precompileSource('<a href="{{url}}">{{title}}</a>{{#each stories}}{{title}}{{/each}}', false);
    expect(code).not.toContain('helperMissing');
    expect(code).not.toMatch(/lookupProperty\(helpers,\s*"(url|title)"\)/);
  });

  it('still load a template that calls a helper there is not, which fails as before when rendered', async () => {
    const root = await tempDir();
    await cp(path.join(PROJECT, 'templates'), path.join(root, 'templates'), { recursive: true });
    const target = path.join(root, 'templates', 'feed/content.hbs');
    await writeFile(target, `${await readFile(target, 'utf8')}{{shout episode.title}}`);
    const templates = await loadTemplates(path.join(root, 'templates'), root);
    expect(() => templates.feed.content({ show: {}, episode: { title: 'x', stories: [] } })).toThrow(ContentError);
    try {
      templates.feed.content({ show: {}, episode: { title: 'x', stories: [] } });
    } catch (error) {
      expect((error as ContentError).problems.map(formatProblem)).toEqual([expect.stringMatching(/feed\/content\.hbs:\d+: template error: Missing helper: "shout"$/)]);
    }
  });
});

describe('the list helper', () => {
  it("joins names in each show's own language, whichever language the same templates listed in before", async () => {
    const templates = await loadTemplates();
    const hosted = (language: string) =>
      /Hosted by ([^.]*)\./.exec(templates.feed.content({ show: { language }, episode: { hostPeople: [{ name: 'Alex' }, { name: 'Natasha' }] } }))?.[1];
    expect([hosted('de'), hosted('en-us'), hosted('fr'), hosted('de')]).toEqual(['Alex und Natasha', 'Alex and Natasha', 'Alex et Natasha', 'Alex und Natasha']);
  });
});
