// dev checks each build after serving it; a save that comes in meanwhile makes the findings stale,
// so the check stops and the save's build starts at once rather than waiting for it (issue 9).
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBuilder, type Builder, type BuiltFiles } from '../../src/dev/builder.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';

const SAVED_DURING_BUILD = new URL('../fixtures/dev/saved-during-build-preview.ts', import.meta.url).href;

let builder: Builder | undefined;
afterEach(async () => {
  await builder?.close();
  builder = undefined;
  await cleanUp();
});

describe('the check of a dev build', () => {
  it('stops when a save comes in after the build was asked for; the files are served all the same, and the next build checks', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const contentDir = path.join(root, 'episodes');
    builder = startBuilder({ previewModule: SAVED_DURING_BUILD });
    const request = { contentDir, cwd: root };
    const first = await builder.build(request);
    expect(first?.ok && first.checked).toBe(true);

    await writeFile(path.join(contentDir, 'SAVED'), '');
    let built: BuiltFiles | undefined;
    const stopped = await builder.build(request, (files) => (built = files));
    expect(stopped).toMatchObject({ ok: true, checked: false, findings: [] });
    expect(built?.changes.set.length).toBeGreaterThan(0);

    await rm(path.join(contentDir, 'SAVED'));
    const next = await builder.build(request);
    expect(next?.ok && next.checked).toBe(true);
    expect(next?.ok && next.findings).toEqual(first?.ok && first.findings);
  }, 60_000);
});
