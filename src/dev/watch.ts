// Watches the content and template folders; a burst of saves (editors write several times, or
// rename over the file) becomes one call.
import { watch } from 'chokidar';

export interface Watcher {
  close(): Promise<void>;
}

export async function watchFolders(folders: readonly string[], onChange: (paths: string[]) => void, quietMs = 40): Promise<Watcher> {
  const watcher = watch([...folders], { ignoreInitial: true, ignored: (file) => /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(file) });
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
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
