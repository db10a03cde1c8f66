import type { CommandSpec, ParsedArgs } from './args.ts';
import type { Io } from './terminal.ts';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Command {
  spec: CommandSpec;
  /** What invalid content stops, said after its problems: "nothing was written". */
  stoppedBefore: string;
  run(args: ParsedArgs, io: Io): Promise<number>;
}
