import { describe, expect, it } from 'vitest';
import { colorsFor, printProblems, statusLine, type Io } from '../../src/cli/terminal.ts';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => void chunks.push(text), text: () => chunks.join('') };
}

function io(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  const stdout = stream(isTTY);
  const stderr = stream(isTTY);
  return { io: { stdout, stderr, env, cwd: '/' } satisfies Io, stdout, stderr };
}

describe('colours', () => {
  it('are used on a terminal only', () => {
    expect(colorsFor(stream(true), {}).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(colorsFor(stream(false), {}).red('x')).toBe('x');
  });

  it('follow NO_COLOR, FORCE_COLOR and a dumb terminal', () => {
    expect(colorsFor(stream(true), { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(colorsFor(stream(true), { TERM: 'dumb' }).red('x')).toBe('x');
    expect(colorsFor(stream(false), { FORCE_COLOR: '1' }).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(colorsFor(stream(true), { FORCE_COLOR: '0', NO_COLOR: '' }).red('x')).toBe('x');
  });
});

describe('progress', () => {
  it('is one line rewritten in place on a terminal, and cleared when done', () => {
    const { io: terminal, stderr } = io(true);
    const status = statusLine(terminal);
    status.update('Reading…');
    status.update('Rendering 4000 episodes…');
    status.done();
    expect(stderr.text()).toBe('\r\x1b[KReading…\r\x1b[KRendering 4000 episodes…\r\x1b[K');
  });

  it('stays out of pipes and logs', () => {
    const { io: piped, stderr } = io(false);
    const status = statusLine(piped);
    status.update('Reading…');
    status.done();
    expect(stderr.text()).toBe('');
  });
});

describe('problems', () => {
  it('are printed as file:line: message, one a line', () => {
    const { io: piped, stderr } = io(false);
    printProblems(piped, [
      { file: 'episodes/a.md', line: 3, message: 'date: missing' },
      { file: 'castwright', message: 'unexpected error: boom' },
    ]);
    expect(stderr.text()).toBe('episodes/a.md:3: date: missing\ncastwright: unexpected error: boom\n');
  });

  it('show control characters from titles, feeds and file names as \\u escapes, never to the terminal as they are', () => {
    const { io: tty, stderr } = io(true);
    printProblems(tty, [{ file: 'episodes/\u001b]0;owned\u0007.md', line: 2, message: 'title "\u001b[2J\u009b31m\rspoofed" is\tbad\nsee above', severity: 'warning' }]);
    const written = stderr.text().replace(/\u001b\[[0-9;]*m/g, '');
    expect(written).toBe('episodes/\\u001B]0;owned\\u0007.md:2: warning: title "\\u001B[2J\\u009B31m\\u000Dspoofed" is\tbad\nsee above\n');
  });

  it('show invisible characters that change what a line seems to say as \\u escapes, and leave the joiners of real text', () => {
    const { io: piped, stderr } = io(false);
    printProblems(piped, [
      { file: 'episodes/show.yml', line: 4, message: 'unknown field "\ufeffdescription"; did you mean "description"?' },
      { file: 'episodes/a\u202egpj.md', line: 1, message: 'title "safe\u200b\u2066\u2028" is fine; 👨\u200d👩\u200d👧 and می\u200cخواهم stay' },
    ]);
    expect(stderr.text()).toBe(
      'episodes/show.yml:4: unknown field "\\uFEFFdescription"; did you mean "description"?\n' +
        'episodes/a\\u202Egpj.md:1: title "safe\\u200B\\u2066\\u2028" is fine; 👨\u200d👩\u200d👧 and می\u200cخواهم stay\n',
    );
  });
});
