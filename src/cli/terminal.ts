// Terminal output: colours only on a terminal (or when FORCE_COLOR asks), never in pipes and logs.
import pc from 'picocolors';
import { isWarning, problemLocation, problemText, type Problem } from '../problems.ts';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

export function colorsFor(stream: Output, env: NodeJS.ProcessEnv = process.env): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const enabled = forced || (Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  return pc.createColors(enabled);
}

export interface Io {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

export function printProblems(io: Io, problems: readonly Problem[]): void {
  const c = colorsFor(io.stderr, io.env);
  for (const problem of problems) {
    const text = isWarning(problem) ? c.yellow(`warning: ${problemText(problem)}`) : c.red(problemText(problem));
    io.stderr.write(`${c.bold(`${problemLocation(problem)}:`)} ${text}\n`);
  }
}

/** One status line, rewritten in place on a terminal, silent elsewhere. */
export function statusLine(io: Io): { update(text: string): void; done(): void } {
  const tty = Boolean(io.stderr.isTTY);
  let shown = false;
  return {
    update(text) {
      if (!tty) return;
      io.stderr.write(`\r\x1b[K${text}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
