import { describe, expect, it } from 'vitest';
import { guidFileName, legacyLedgers, listName, mailingFiles } from '../../src/send/sends.ts';

describe('where a mailing is kept', () => {
  it('names the files after the show’s and the episode’s guids: a UUID as it is, anything else by its hash', () => {
    expect(guidFileName('0A1B2C3D-0000-5000-8000-00000000000F')).toBe('0a1b2c3d-0000-5000-8000-00000000000f');
    expect(guidFileName('https://equity.example.com/episodes/1?x=../../etc')).toMatch(/^[0-9a-f]{32}$/);
    expect(guidFileName('1')).not.toBe(guidFileName('2'));
    expect(mailingFiles('/state', '0a1b2c3d-0000-5000-8000-00000000000f', 'tag:example.com,2020:1')).toEqual({
      folder: '/state/sends/0a1b2c3d-0000-5000-8000-00000000000f',
      ledger: `/state/sends/0a1b2c3d-0000-5000-8000-00000000000f/${guidFileName('tag:example.com,2020:1')}.jsonl`,
      lock: `/state/sends/0a1b2c3d-0000-5000-8000-00000000000f/${guidFileName('tag:example.com,2020:1')}.lock`,
    });
  });

  it('names a list by its path from the show’s folder, the same from any working folder', () => {
    expect(listName('subscribers.csv', 'episodes', '/shows/equity')).toBe('subscribers.csv');
    expect(listName('../subscribers.csv', '.', '/shows/equity/episodes')).toBe('subscribers.csv');
    expect(listName('/shows/lists/all.csv', 'equity/episodes', '/shows')).toBe('../lists/all.csv');
    expect(listName('lists/all.csv', 'equity/episodes', '/shows')).toBe('../lists/all.csv');
  });

  it('looks for ledgers of earlier versions in the working folder and the show’s folder', () => {
    expect(legacyLedgers('ep-1', { cwd: '/shows/equity', contentDir: 'episodes' })).toEqual(['/shows/equity/.castwright/sends/ep-1.jsonl']);
    expect(legacyLedgers('ep-1', { cwd: '/tmp', contentDir: '/shows/equity/episodes' })).toEqual(['/tmp/.castwright/sends/ep-1.jsonl', '/shows/equity/.castwright/sends/ep-1.jsonl']);
  });
});
