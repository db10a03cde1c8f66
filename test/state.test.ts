import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_VARIABLE, stateFolder } from '../src/state.ts';

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
