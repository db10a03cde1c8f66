// WebVTT and SubRip transcripts read into cues, every malformed cue reported at its line.
import { describe, expect, it } from 'vitest';
import { parseSrt, parseVtt } from '../../src/load/transcript.ts';

const VTT = `WEBVTT - Equity Monday

NOTE written by the editor

1
00:00:00.000 --> 00:00:04.500
<v Alex Wilhelm>Hello and welcome back to Equity,</v>

00:04.500 --> 00:00:09.000 align:start
<v.loud Alex Wilhelm>TechCrunch's <b>venture</b> capital podcast &amp; more.

01:00:01.250 --> 01:00:03.000
<v Natasha Mascarenhas>Bye!
`;

const SRT = `1
00:00:00,000 --> 00:00:04,500
Alex Wilhelm: Hello and welcome
back to Equity.

2
00:00:04,500 --> 00:00:09,000
<i>[Natasha Mascarenhas] Thanks, Alex.</i>
`;

describe('WebVTT transcripts', () => {
  it('are read into cues with speakers from voice tags, markup removed, entities decoded', () => {
    const { cues, problems } = parseVtt(VTT, 'ep.vtt');
    expect(problems).toEqual([]);
    expect(cues).toEqual([
      { start: 0, end: 4.5, speaker: 'Alex Wilhelm', text: 'Hello and welcome back to Equity,' },
      { start: 4.5, end: 9, speaker: 'Alex Wilhelm', text: "TechCrunch's venture capital podcast & more." },
      { start: 3601.25, end: 3603, speaker: 'Natasha Mascarenhas', text: 'Bye!' },
    ]);
  });

  it('need the WEBVTT line first', () => {
    expect(parseVtt('1\n00:00.000 --> 00:01.000\nHi\n', 'ep.vtt').problems).toEqual([
      { file: 'ep.vtt', line: 1, message: 'a WebVTT file starts with the line "WEBVTT"; expected it on the first line' },
    ]);
  });

  it('report every broken cue at its line: a bad timing, a time out of range, an end before the start, cues out of order, no text', () => {
    const broken = `WEBVTT

00:00:01.000 -> 00:00:02.000
arrow too short

cue-2
00:00:02.000 --> 00:01:75.000
seconds above 59

00:00:05.000 --> 00:00:04.000
ends before it starts

00:00:06.000 --> 00:00:07.000
fine

00:00:03.000 --> 00:00:04.000
earlier than the one above

00:00:08.000 --> 00:00:09.000
`;
    expect(parseVtt(broken, 'ep.vtt').problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: expected a cue timing such as "00:01:02.500 --> 00:01:05.000", got "00:00:01.000 -> 00:00:02.000"',
      '7: a cue time is not [hh:]mm:ss.ttt (minutes and seconds below 60, three digits after a dot); expected such as "01:02.500 --> 01:05.000"',
      '10: cue ends (4s) before it starts (5s); expected an end after the start, such as "00:01:02.500 --> 00:01:05.000"',
      '16: cue starts at 3s, before the cue above it (6s); expected cues in time order',
      '19: cue has no text; expected a line of text under its times',
    ]);
  });
});

describe('SubRip transcripts', () => {
  it('are read into cues, with "Name:" and "[Name]" as speakers and lines joined', () => {
    const { cues, problems } = parseSrt(SRT, 'ep.srt');
    expect(problems).toEqual([]);
    expect(cues).toEqual([
      { start: 0, end: 4.5, speaker: 'Alex Wilhelm', text: 'Hello and welcome back to Equity.' },
      { start: 4.5, end: 9, speaker: 'Natasha Mascarenhas', text: 'Thanks, Alex.' },
    ]);
  });

  it('report a broken cue at its line, with Windows line ends too', () => {
    const broken = '1\r\n00:00:00,000 --> 00:00:01,000\r\nfine\r\n\r\n2\r\n00:00:01,000 --> 00:00:0x,000\r\nbad\r\n\r\n3\r\nno timing here\r\n';
    expect(parseSrt(broken, 'ep.srt').problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '6: a cue time is not hh:mm:ss,ttt (minutes and seconds below 60); expected such as "00:01:02,500 --> 00:01:05,000"',
      '10: expected a cue number, then a timing such as "00:01:02,500 --> 00:01:05,000", got "no timing here"',
    ]);
  });

  it('must have cues', () => {
    expect(parseSrt('\n\n', 'ep.srt').problems).toEqual([{ file: 'ep.srt', line: 1, message: 'the transcript has no cues; expected numbered cues with times and text' }]);
  });
});
