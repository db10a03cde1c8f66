import { describe, expect, it } from 'vitest';
import { formatDuration, isoDuration, parseDuration, parsePublishDate } from '../../src/model/time.ts';

describe('publish dates', () => {
  it('keep the instant and the offset the producer wrote', () => {
    expect(parsePublishDate('2020-09-14T07:00:00-07:00')).toEqual({ instant: new Date('2020-09-14T14:00:00Z'), offsetMinutes: -420 });
    expect(parsePublishDate('2020-09-14T07:00:00+0530')).toEqual({ instant: new Date('2020-09-14T01:30:00Z'), offsetMinutes: 330 });
    expect(parsePublishDate('2020-09-14 07:00Z')).toEqual({ instant: new Date('2020-09-14T07:00:00Z'), offsetMinutes: 0 });
  });

  it('read a bare day as midnight UTC', () => {
    expect(parsePublishDate('2020-09-14')).toEqual({ instant: new Date('2020-09-14T00:00:00Z'), offsetMinutes: 0 });
  });

  it.each([
    ['2020-02-30', 'no such day in the calendar'],
    ['2020-09-14T25:00:00Z', 'no such time of day'],
    ['2020-09-14T07:00:00', 'the time has no UTC offset (add Z or one such as -07:00)'],
    ['14/09/2020', 'not a date'],
    ['2020-09-14T07:00:00+19:00', 'the UTC offset is out of range'],
  ])('refuse %s: %s', (raw, reason) => {
    expect(parsePublishDate(raw)).toBe(reason);
  });
});

describe('durations', () => {
  it.each([
    ['8:12', 492],
    ['1:02:03', 3723],
    ['0:59', 59],
    ['492', 492],
    [492.4, 492],
    ['8:12.6', 493],
  ] as const)('read %s as %i seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  it.each([['8:75'], ['1:2:3:4'], ['eight'], ['0'], [-5], ['1.5:00']])('refuse %s', (raw) => {
    expect(typeof parseDuration(raw)).toBe('string');
  });

  it('print as players and schema.org show them', () => {
    expect(formatDuration(492)).toBe('8:12');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(isoDuration(492)).toBe('PT8M12S');
    expect(isoDuration(3600)).toBe('PT1H');
    expect(isoDuration(3723)).toBe('PT1H2M3S');
  });
});
