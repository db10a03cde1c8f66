import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStateFile, STATE_VARIABLE, stateFolder } from '../src/state.ts';
import { cleanUp, tempDir } from './helpers/content.ts';

afterEach(cleanUp);

describe('the state folder', () => {
  it('is .castwright beside the content folder, whichever folder the command runs from', () => {
    expect(stateFolder('episodes', { env: {}, cwd: '/shows/equity' })).toBe('/shows/equity/.castwright');
    expect(stateFolder('.', { env: {}, cwd: '/shows/equity/episodes' })).toBe('/shows/equity/.castwright');
    expect(stateFolder('/shows/equity/episodes', { env: {}, cwd: '/tmp' })).toBe('/shows/equity/.castwright');
    expect(stateFolder('equity/content', { env: {}, cwd: '/shows' })).toBe(path.resolve('/shows/equity/.castwright'));
  });

  it('moves with --state, or with CASTWRIGHT_STATE; the option wins, an empty variable does not count', () => {
    expect(stateFolder('episodes', { state: 'var/state', env: { [STATE_VARIABLE]: '/elsewhere' }, cwd: '/shows/equity' })).toBe('/shows/equity/var/state');
    expect(stateFolder('episodes', { env: { [STATE_VARIABLE]: '/srv/state' }, cwd: '/shows/equity' })).toBe('/srv/state');
    expect(stateFolder('episodes', { env: { [STATE_VARIABLE]: '' }, cwd: '/shows/equity' })).toBe('/shows/equity/.castwright');
  });
});

describe('a file of the state folder read back (readStateFile)', () => {
  // A named pipe by its name held the build forever; a link to /dev/zero was read without end.
  it('is refused, without waiting, when it is a named pipe, a link to a device or a folder', async () => {
    const folder = await tempDir();
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    symlinkSync('/dev/zero', path.join(folder, 'zero'));
    mkdirSync(path.join(folder, 'dir'));
    for (const name of ['pipe', 'zero', 'dir']) expect(() => readStateFile(path.join(folder, name))).toThrow(expect.objectContaining({ code: 'EFTYPE' }));
    writeFileSync(path.join(folder, 'file'), 'kept');
    expect(readStateFile(path.join(folder, 'file')).toString()).toBe('kept');
  });
});
