// The publish guard: the last look at a build before anything of it goes live. `castwright check`
// (issue 13) will plug in here; it may refuse with problems, and then nothing is uploaded. Until
// it lands, the guard passes every build that the load and render stages accepted.
import type { Generated } from '../pipeline.ts';
import type { Problem } from '../problems.ts';

export type PublishGuard = (build: Generated) => Promise<readonly Problem[]> | readonly Problem[];

export const publishGuard: PublishGuard = () => [];
