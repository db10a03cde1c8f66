import { startSession } from './src/dev/session.ts';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
const mb = (n: number) => Math.round(n / 1048576);
const gc = () => (globalThis as any).gc();
const root = '/tmp/dt/big';
let reports = 0;
const s = await startSession({ contentDir: root + '/episodes', host: '127.0.0.1', port: 0, cwd: root }, () => reports++);
const show = () => { gc(); const m = process.memoryUsage(); return `rss ${mb(m.rss)} mainHeap ${mb(m.heapUsed)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)}`; };
await s.firstBuild; console.log('first', show());
const files = readdirSync(root + '/episodes').filter((x) => x.endsWith('.md'));
for (let i = 0; i < 6; i++) {
  const f = root + '/episodes/' + files[i * 50]; const t = readFileSync(f, 'utf8');
  const before = reports; writeFileSync(f, t + '\nmore\n');
  while (reports === before) await new Promise((r) => setTimeout(r, 50));
  writeFileSync(f, t);
  while (reports === before + 1) await new Promise((r) => setTimeout(r, 50));
  console.log('save', i, show());
}
await s.close();
