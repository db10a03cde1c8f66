// Watches the content and template folders; a burst of saves (editors write several times, or
// rename over the file) becomes one call.
import path from 'node:path';
import { watch } from 'chokidar';

export interface Watcher {
  close(): Promise<void>;
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(folder + path.sep);

export async function watchFolders(
  folders: readonly string[],
  onChange: (paths: string[]) => void,
  onError: (error: Error) => void,
  quietMs = 40,
): Promise<Watcher> {
  const roots = folders.map((folder) => path.resolve(folder));
  // The parents are watched, narrowed to the folders themselves, so that a folder renamed away
  // and back (or checked out again by git) is picked up again instead of silently lost.
  const parents = [...new Set(roots.map((root) => path.dirname(root)))];
  const relevant = (file: string) => {
    const absolute = path.resolve(file);
    return parents.includes(absolute) || roots.some((root) => inside(absolute, root));
  };
  const watcher = watch(parents, { ignoreInitial: true, ignored: (file) => !relevant(file) });
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', (_event, file) => {
    pending.push(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const paths = pending;
      pending = [];
      onChange(paths);
    }, quietMs);
  });
  // Errors after start-up (too many files, no permission) are reported, not fatal.
  watcher.on('error', (error) => onError(error as Error));
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
