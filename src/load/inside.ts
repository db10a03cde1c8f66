// Whether a file that the content names is inside the content folder, through links too: castwright
// reads and publishes nothing from outside it.
import path from 'node:path';
import { realPath } from '../state.ts';

/** True when `file` (after links) is `root` or below it; a name that merely starts with ".." (`..intro.mp3`) is below it. */
export function insideFolder(root: string, file: string): boolean {
  const relative = path.relative(realPath(root), realPath(file));
  return !path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`);
}
