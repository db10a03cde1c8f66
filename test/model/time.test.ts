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
  ])('refuse %s: %s', (raw, reason) => {
    expect(parsePublishDate(raw)).toBe(reason);
  });
});

describe('publish dates within bounds (issue 8, case 5)', () => {
  it.each([
    ['2020-09-14T07:00:00+00:99', 'the UTC offset +00:99 has 99 minutes (at most 59)'],
    ['2020-09-14T07:00:00+19:00', 'the UTC offset +19:00 is beyond ±14:00'],
    ['2020-09-14T07:00:00-14:30', 'the UTC offset -14:30 is beyond ±14:00'],
    ['0099-09-14', 'the year 0099 is not between 1900 and 2999'],
    ['0000-01-01T00:00:00Z', 'the year 0000 is not between 1900 and 2999'],
    ['1899-12-31', 'the year 1899 is not between 1900 and 2999'],
    ['3000-01-01', 'the year 3000 is not between 1900 and 2999'],
  ])('refuse %s: %s', (raw, reason) => {
    expect(parsePublishDate(raw)).toBe(reason);
  });

  it('accept the real extremes: ±14:00 and the years 1900 and 2999', () => {
    expect(parsePublishDate('2020-09-14T07:00:00+14:00')).toMatchObject({ offsetMinutes: 840 });
    expect(parsePublishDate('2020-09-14T07:00:00-12:00')).toMatchObject({ offsetMinutes: -720 });
    expect(parsePublishDate('1900-01-01')).toMatchObject({ instant: new Date('1900-01-01T00:00:00Z') });
    expect(parsePublishDate('2999-12-31')).toMatchObject({ instant: new Date('2999-12-31T00:00:00Z') });
  });
});

describe('durations within bounds (issue 8, case 5)', () => {
  it.each([[1e300], [86_401], ['24:00:01'], ['99999999999999999999'], ['1' + '0'.repeat(400)], [Infinity]])('refuse %s as longer than 24 hours', (raw) => {
    expect(parseDuration(raw)).toBe('longer than 24 hours');
  });

  it('accept exactly 24 hours', () => {
    expect(parseDuration('24:00:00')).toBe(86_400);
    expect(parseDuration(86_400)).toBe(86_400);
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
