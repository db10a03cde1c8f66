// The commands that run from a code-cached program (cli/code-cache.ts), read by the bin before it
// loads anything else, and by scripts/bundle.ts. Only `build` so far: its start is what a one-edit
// rebuild waits on, and its run at installation (scripts/code-cache.ts) needs nothing but a show.
export const CODE_CACHED_COMMANDS: readonly string[] = ['build'];
