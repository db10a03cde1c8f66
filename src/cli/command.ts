import type { CommandSpec, ParsedArgs } from './args.ts';
import type { Io } from './terminal.ts';

export { EXIT } from '../errors.ts';

export interface Command {
  spec: CommandSpec;
  /** What invalid content stops, said after its problems: "nothing was written". */
  stoppedBefore: string;
  run(args: ParsedArgs, io: Io): Promise<number>;
}
