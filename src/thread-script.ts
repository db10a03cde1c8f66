// The script a worker thread is started with, for the modules that run one (dev/builder.ts,
// write/placer.ts). A worker does not inherit the loader that lets this process import .ts files
// (a test runner's own, or tsx's), so from source it registers tsx before importing its entry.

/** Run from source (.ts, through tsx) or compiled (.js): a worker's entry has the same ending. */
const ENDING = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** A worker's entry module next to `base` (an import.meta.url). */
export const entryUrl = (name: string, base: string) => new URL(`./${name}${ENDING}`, base).href;

/**
 * Imports `entry` in the worker; `onFailure` (code using `error`) runs when that fails (by default
 * the error is thrown, an 'error' event of the Worker).
 */
export function threadScript(entry: string, onFailure = 'process.nextTick(() => { throw error; });'): string {
  const tsx = ENDING === '.ts' ? JSON.stringify(import.meta.resolve('tsx/esm/api')) : 'undefined';
  return `
    const tsx = ${tsx};
    (async () => {
      if (tsx) (await import(tsx)).register();
      await import(${JSON.stringify(entry)});
    })().catch(async (error) => { ${onFailure} });
  `;
}
